// The one-time set-up link of a new installation (api.md "Authentication and set-up"): while there are no
// users, each start of `stepwise serve` issues a random token (256 bits, so guessing it is infeasible and it
// needs no rate limit) whose SHA-256 hash and expiry are kept in the settings, replacing any earlier one;
// the link creates the first administrator once. Expiry is on the engine's clock, like sessions.
import type { EngineDeps } from '../../engine/deps.js';
import type { JsonValue, User } from '../../engine/ports/store.js';
import { hashApiToken } from './api-tokens.js';
import { hashPassword } from './password.js';
import { sameSecret } from './sessions.js';

export const SETUP_TOKEN_TTL_MS = 24 * 60 * 60_000;
/** `{hash, expiresAt}` of the current token, or null once it is used. */
const SETUP_TOKEN_SETTING = 'setup_token';
/**
 * Claimed (set if absent) in the transaction that uses the token: on PostgreSQL a second transaction using
 * the same token waits on the first one's row and then sees it taken, so two requests can't both create an
 * administrator. SQLite serialises write transactions anyway.
 */
const usedSetting = (hash: string) => `setup_token_used:${hash}`;

interface StoredSetupToken {
  hash: string;
  expiresAt: number;
}

export interface FirstAdministrator {
  email: string;
  name: string;
  password: string;
}

/** The path of the web app's set-up page for a token; prefix it with the public URL. */
export function setupPath(token: string): string {
  return `/setup?token=${encodeURIComponent(token)}`;
}

/** A fresh token (its only plain-text copy) replacing any earlier one. */
export async function issueSetupToken(deps: EngineDeps): Promise<{ token: string; expiresAt: number }> {
  const token = deps.ids.secret(32);
  const expiresAt = deps.clock.now() + SETUP_TOKEN_TTL_MS;
  const stored: StoredSetupToken = { hash: hashApiToken(token), expiresAt };
  await deps.store.settings.set(SETUP_TOKEN_SETTING, { ...stored });
  return { token, expiresAt };
}

/** True while the token is the current one, unused, unexpired, and there are still no users. */
export async function isSetupTokenLive(deps: EngineDeps, token: string): Promise<boolean> {
  return (await liveHash(deps.store, deps.clock.now(), token)) !== null;
}

/**
 * Creates the first administrator with the token and uses it up, in one transaction; null when the token
 * is not live (unknown, used, expired, or users exist).
 */
export async function completeSetup(
  deps: EngineDeps,
  token: string,
  input: FirstAdministrator,
): Promise<User | null> {
  // Checked before the (deliberately slow) password hash, so a wrong token costs the server next to nothing.
  if (!(await isSetupTokenLive(deps, token))) return null;
  const passwordHash = await hashPassword(input.password);
  const id = deps.ids.newId('usr');
  return deps.store.transaction(async (tx) => {
    const now = deps.clock.now();
    const hash = await liveHash(tx, now, token);
    if (hash === null) return null;
    if ((await tx.settings.setIfAbsent(usedSetting(hash), id)) !== id) return null;
    // A user added meanwhile by other means (`stepwise users add`) also ends the set-up.
    if ((await tx.users.count()) > 0) return null;
    const user = await tx.users.create({
      id,
      email: input.email.trim(),
      name: input.name.trim(),
      role: 'admin',
      passwordHash,
      createdAt: now,
    });
    await tx.settings.set(SETUP_TOKEN_SETTING, null);
    return user;
  });
}

async function liveHash(store: EngineDeps['store'], now: number, token: string): Promise<string | null> {
  const stored = parseStored(await store.settings.get(SETUP_TOKEN_SETTING));
  if (stored === null || stored.expiresAt <= now || !sameSecret(hashApiToken(token), stored.hash))
    return null;
  if ((await store.users.count()) > 0) return null;
  return stored.hash;
}

function parseStored(value: JsonValue | undefined): StoredSetupToken | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { hash, expiresAt } = value;
  return typeof hash === 'string' && typeof expiresAt === 'number' ? { hash, expiresAt } : null;
}
