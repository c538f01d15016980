// Sign-in sessions: a random token handed to the browser (cookie) or the client (bearer), stored only
// as its SHA-256 hash with an expiry and the CSRF token that cookie-authenticated writes must echo.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { EngineDeps } from '../../engine/deps.js';
import type { Session, User } from '../../engine/ports/store.js';
import { looksLikeApiToken } from './api-tokens.js';
import { hashPassword, verifyPassword } from './password.js';

export const SESSION_COOKIE = 'stepwise_session';
export const SESSION_TTL_MS = 7 * 24 * 60 * 60_000;
/**
 * Under the test clock (STEPWISE_CLOCK=manual) a test moves time by days and weeks between two requests
 * with the token it signed in with (api.md "Test clock"); a session expiring on that clock would sign it
 * out mid-scenario, so there a session outlives any move (at most 5 years each).
 */
export const TEST_CLOCK_SESSION_TTL_MS = 100 * 366 * 24 * 60 * 60_000;
const SESSION_PREFIX = 'ses_';

/**
 * The session cookie's attributes. `Secure` when the public URL is https or the request came over TLS
 * (`request.protocol`, which reads `X-Forwarded-Proto` only from a proxy STEPWISE_TRUST_PROXY trusts).
 */
export function sessionCookieOptions(publicUrl: string, request: { protocol: string }, maxAgeMs?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: publicUrl.startsWith('https:') || request.protocol === 'https',
    ...(maxAgeMs === undefined ? {} : { maxAge: Math.floor(maxAgeMs / 1000) }),
  };
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function looksLikeSessionToken(value: string): boolean {
  return value.startsWith(SESSION_PREFIX) && !looksLikeApiToken(value) && value.length > 30;
}

export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export class PasswordCheck {
  /** A hash of a random password: unknown and disabled accounts are verified against it, so they cost the same. */
  #decoy: Promise<string> | null = null;
  readonly #deps: EngineDeps;

  constructor(deps: EngineDeps) {
    this.#deps = deps;
  }

  /** The user when the email and password match an enabled account; null otherwise, after the same work. */
  async verify(email: string, password: string): Promise<User | null> {
    const user = await this.#deps.store.users.getByEmail(email.trim());
    const stored = user?.passwordHash ?? null;
    this.#decoy ??= hashPassword(this.#deps.ids.secret(16));
    const matches = await verifyPassword(stored ?? (await this.#decoy), password);
    if (user === null || stored === null || user.disabled || !matches) return null;
    return user;
  }
}

export async function createSession(
  deps: EngineDeps,
  userId: string,
  ttlMs: number = SESSION_TTL_MS,
): Promise<{ token: string; session: Session }> {
  const token = `${SESSION_PREFIX}${deps.ids.secret(32)}`;
  const now = deps.clock.now();
  const session = await deps.store.sessions.create({
    id: hashSessionToken(token),
    userId,
    csrfToken: deps.ids.secret(24),
    createdAt: now,
    expiresAt: now + ttlMs,
  });
  return { token, session };
}

/** The live session of a token, or null (unknown or expired; an expired one is deleted). */
export async function findSession(deps: EngineDeps, token: string): Promise<Session | null> {
  const session = await deps.store.sessions.get(hashSessionToken(token));
  if (session === null) return null;
  if (session.expiresAt <= deps.clock.now()) {
    await deps.store.sessions.delete(session.id);
    return null;
  }
  return session;
}
