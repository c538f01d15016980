// The onRequest hook that turns credentials into `request.actor`: a session cookie (plus a CSRF token on
// writes), `Authorization: Bearer` with a session token or an `sw_` API token. Routes under /api/ need
// one unless their config says `auth: false`.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EngineDeps } from '../../engine/deps.js';
import type { User } from '../../engine/ports/store.js';
import type { Actor, Credential } from './actor.js';
import { forbidden, unauthenticated } from './actor.js';
import { hashApiToken, looksLikeApiToken } from './api-tokens.js';
import { findSession, looksLikeSessionToken, SESSION_COOKIE, sameSecret } from './sessions.js';

export const CSRF_HEADER = 'x-csrf-token';
/** lastUsedAt is written at most this often per token: a hot token must not write on every request. */
const TOUCH_EVERY_MS = 60_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function needsCredentials(request: FastifyRequest): boolean {
  const url = request.routeOptions.url;
  if (url === undefined || request.is404) return false;
  if (request.routeOptions.config.auth === false) return false;
  return url.startsWith('/api/') && !url.startsWith('/api/docs');
}

function toActor(user: User, via: Credential, session: { id: string; csrfToken: string } | null): Actor {
  return {
    id: user.id,
    role: user.role,
    name: user.name,
    email: user.email,
    via,
    csrfToken: session?.csrfToken ?? null,
    sessionId: session?.id ?? null,
  };
}

async function enabledUser(deps: EngineDeps, userId: string): Promise<User | null> {
  const user = await deps.store.users.get(userId);
  return user === null || user.disabled ? null : user;
}

async function fromBearer(deps: EngineDeps, token: string): Promise<Actor | null> {
  if (looksLikeApiToken(token)) {
    const stored = await deps.store.apiTokens.getByHash(hashApiToken(token));
    if (stored === null || stored.revokedAt !== null) return null;
    const user = await enabledUser(deps, stored.userId);
    if (user === null) return null;
    const now = deps.clock.now();
    if (stored.lastUsedAt === null || now - stored.lastUsedAt >= TOUCH_EVERY_MS)
      await deps.store.apiTokens.touch(stored.id, now);
    return toActor(user, 'api_token', null);
  }
  if (!looksLikeSessionToken(token)) return null;
  const session = await findSession(deps, token);
  const user = session === null ? null : await enabledUser(deps, session.userId);
  return user === null || session === null ? null : toActor(user, 'session_bearer', session);
}

async function fromCookie(deps: EngineDeps, token: string): Promise<Actor | null> {
  if (!looksLikeSessionToken(token)) return null;
  const session = await findSession(deps, token);
  const user = session === null ? null : await enabledUser(deps, session.userId);
  return user === null || session === null ? null : toActor(user, 'session_cookie', session);
}

export function authenticate(deps: EngineDeps) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (!needsCredentials(request)) return;
    const header = request.headers.authorization;
    let actor: Actor | null = null;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      // A wrong Authorization header is an error even when a cookie is present: never fall back silently.
      if (match?.[1] === undefined) throw unauthenticated();
      actor = await fromBearer(deps, match[1]);
    } else {
      const cookie = request.cookies[SESSION_COOKIE];
      if (cookie !== undefined && cookie !== '') actor = await fromCookie(deps, cookie);
    }
    if (actor === null) throw unauthenticated();
    if (actor.via === 'session_cookie' && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || actor.csrfToken === null || !sameSecret(sent, actor.csrfToken))
        throw forbidden(
          `Cookie-authenticated writes need the ${CSRF_HEADER} header from the sign-in answer.`,
        );
    }
    request.actor = actor;
  };
}
