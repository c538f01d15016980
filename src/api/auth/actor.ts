// Who is asking: the actor that authentication puts on every request, and the one role check
// routes use (design.md §5: every route checks the role and, for sellers, record ownership).
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Role } from '../../engine/ports/store.js';
import { ProblemError } from '../problem.js';

export type Credential = 'session_cookie' | 'session_bearer' | 'api_token';

export interface Actor {
  id: string;
  role: Role;
  name: string;
  email: string;
  /** How the request proved who it is: only cookie-authenticated writes need a CSRF token. */
  via: Credential;
  /** The session's CSRF token, for session credentials; null for API tokens. */
  csrfToken: string | null;
  /** The hashed session id, for session credentials (logout deletes it). */
  sessionId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** `false`: the route answers without credentials (login, probes, docs). */
    auth?: boolean;
  }
}

export const MANAGERS: readonly Role[] = ['admin', 'sequence_manager', 'sales_manager'];
export const EVERYONE: readonly Role[] = ['admin', 'sequence_manager', 'sales_manager', 'salesperson'];

export const unauthenticated = () =>
  new ProblemError(401, 'unauthenticated', 'Sign in, or send an API token as Authorization: Bearer.');

export const forbidden = (message = 'Your role does not allow this.') =>
  new ProblemError(403, 'forbidden', message);

/** The signed-in actor; throws 401 when there is none (routes behind requireRole always have one). */
export function actorOf(request: FastifyRequest): Actor {
  if (request.actor === null) throw unauthenticated();
  return request.actor;
}

/** A preHandler that lets only the listed roles through: 401 without credentials, 403 for other roles. */
export function requireRole(...roles: readonly Role[]): preHandlerAsyncHookHandler {
  const allowed = new Set(roles);
  return async (request) => {
    const actor = actorOf(request);
    if (!allowed.has(actor.role)) throw forbidden();
  };
}

export const isManager = (actor: Actor): boolean => actor.role !== 'salesperson';
