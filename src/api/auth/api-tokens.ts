// Long-lived API tokens: shown once, stored only as a SHA-256 hash, revocable.
import { createHash } from 'node:crypto';
import type { EngineDeps } from '../../engine/deps.js';

const PREFIX = 'sw_';

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function looksLikeApiToken(value: string): boolean {
  return value.startsWith(PREFIX) && value.length > PREFIX.length + 30;
}

/** Creates a token for the user and returns its only plain-text copy. */
export async function createApiToken(
  deps: EngineDeps,
  userId: string,
  name: string,
): Promise<{ id: string; token: string }> {
  const token = `${PREFIX}${deps.ids.secret(32)}`;
  const id = deps.ids.newId('tok');
  await deps.store.apiTokens.create({
    id,
    userId,
    name,
    tokenHash: hashApiToken(token),
    createdAt: deps.clock.now(),
  });
  return { id, token };
}
