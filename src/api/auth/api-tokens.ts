// Long-lived API tokens: shown once, stored only as a SHA-256 hash, revocable.
import { createHash } from 'node:crypto';
import type { EngineDeps } from '../../engine/deps.js';
import type { ApiToken } from '../../engine/ports/store.js';

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

export type RevokeOutcome =
  | { outcome: 'revoked' | 'already_revoked'; token: ApiToken }
  | { outcome: 'not_found' };

/**
 * Revokes one of `userId`'s tokens (by the user, an administrator, or the operator at the shell when
 * `actorId` is null) and records it in the audit trail. A token of another user is
 * `not_found`; revoking a revoked token again changes nothing and is not audited again.
 */
export async function revokeApiTokenOf(
  deps: EngineDeps,
  actorId: string | null,
  userId: string,
  tokenId: string,
): Promise<RevokeOutcome> {
  const token = (await deps.store.apiTokens.listForUser(userId)).find((t) => t.id === tokenId);
  if (token === undefined) return { outcome: 'not_found' };
  const at = deps.clock.now();
  if (!(await deps.store.apiTokens.revoke(token.id, at))) return { outcome: 'already_revoked', token };
  await deps.store.audit.append({
    id: deps.ids.newId('aud'),
    at,
    actorId,
    action: 'api_token.revoked',
    subjectType: 'api_token',
    subjectId: token.id,
    data: { userId, name: token.name },
  });
  return { outcome: 'revoked', token: { ...token, revokedAt: at } };
}
