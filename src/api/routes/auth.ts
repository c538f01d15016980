// Sign-in and sign-out (api.md "Authentication"): a session as an HttpOnly cookie for the web app and as a
// bearer token for scripts, with the CSRF token that cookie-authenticated writes must send back.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import type { EngineDeps } from '../../engine/deps.js';
import type { User } from '../../engine/ports/store.js';
import { actorOf, EVERYONE, requireRole, unauthenticated } from '../auth/actor.js';
import type { LoginLimiter } from '../auth/login-limiter.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/password.js';
import {
  createSession,
  type PasswordCheck,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  sessionCookieOptions,
  TEST_CLOCK_SESSION_TTL_MS,
} from '../auth/sessions.js';
import { PUBLIC_BODY_LIMIT } from '../json-body.js';
import { badRequest, ProblemError } from '../problem.js';
import { NoContent, Problem } from '../schemas.js';
import { toUserView, UserView } from './users.js';

export interface AuthRoutesOptions {
  deps: EngineDeps;
  config: Config;
  limiter: LoginLimiter;
  passwords: PasswordCheck;
}

const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

const PasswordChangeBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
    newPassword: Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

const LoginAnswer = Type.Object({
  token: Type.String({ description: 'A session token usable as `Authorization: Bearer`.' }),
  csrfToken: Type.String({ description: 'Send as `X-CSRF-Token` on writes authenticated by the cookie.' }),
  expiresAt: Type.String({ format: 'date-time' }),
  user: UserView,
});

export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (
  app,
  { deps, config, limiter, passwords },
) => {
  /** A new session for `user`: the cookie set, and the answer a sign-in gives (also its token). */
  const signedIn = async (request: FastifyRequest, reply: FastifyReply, user: User) => {
    const ttl = config.clock === 'manual' ? TEST_CLOCK_SESSION_TTL_MS : SESSION_TTL_MS;
    const { token, session } = await createSession(deps, user.id, ttl);
    void reply.setCookie(
      SESSION_COOKIE,
      token,
      sessionCookieOptions(config.publicUrl, request, SESSION_TTL_MS),
    );
    return {
      token,
      csrfToken: session.csrfToken,
      expiresAt: new Date(session.expiresAt).toISOString(),
      user: toUserView(user),
    };
  };

  app.post(
    '/api/auth/login',
    {
      config: { auth: false },
      bodyLimit: PUBLIC_BODY_LIMIT,
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password',
        body: LoginBody,
        response: { 200: LoginAnswer, 401: Problem, 429: Problem },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const wait = limiter.attempt(email, request.ip);
      if (wait !== null) {
        void reply.header('retry-after', String(wait));
        throw new ProblemError(429, 'rate_limited', 'Too many sign-in attempts; try again later.');
      }
      const user = await passwords.verify(email, password);
      if (user === null)
        throw new ProblemError(401, 'unauthenticated', 'The email or the password is not right.');
      limiter.succeeded(email, request.ip);
      request.log.info({ userId: user.id }, 'signed in');
      return signedIn(request, reply, user);
    },
  );

  app.put(
    '/api/users/me/password',
    {
      preHandler: requireRole(...EVERYONE),
      schema: {
        tags: ['auth'],
        summary: 'Change your own password; every session of yours ends, and this answer signs you in anew',
        description:
          'A wrong `currentPassword` is a 400 with `errors: [{code: "wrong_password", path: "/currentPassword"}]`; wrong guesses count against the same limit as sign-ins (429).',
        body: PasswordChangeBody,
        response: { 200: LoginAnswer, 400: Problem, 401: Problem, 429: Problem },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { currentPassword, newPassword } = request.body;
      const wait = limiter.attempt(actor.email, request.ip);
      if (wait !== null) {
        void reply.header('retry-after', String(wait));
        throw new ProblemError(429, 'rate_limited', 'Too many attempts; try again later.');
      }
      const user = await passwords.verify(actor.email, currentPassword);
      if (user === null || user.id !== actor.id)
        throw badRequest('The current password is not right.', [
          { code: 'wrong_password', path: '/currentPassword', message: 'This is not your current password.' },
        ]);
      limiter.succeeded(actor.email, request.ip);
      const now = deps.clock.now();
      const updated = await deps.store.users.update(
        actor.id,
        { passwordHash: await hashPassword(newPassword) },
        now,
      );
      if (updated === null) throw unauthenticated();
      // A changed password ends every session, as an administrator's change does; this one is replaced.
      await deps.store.sessions.deleteForUser(actor.id);
      await deps.store.audit.append({
        id: deps.ids.newId('aud'),
        at: now,
        actorId: actor.id,
        action: 'user.password_changed',
        subjectType: 'user',
        subjectId: actor.id,
        data: null,
      });
      request.log.info({ userId: actor.id }, 'password changed');
      return signedIn(request, reply, updated);
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign out: ends the session (an API token stays valid)',
        response: { 204: NoContent, 401: Problem },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      if (actor.sessionId === null && actor.via !== 'api_token') throw unauthenticated();
      if (actor.sessionId !== null) await deps.store.sessions.delete(actor.sessionId);
      void reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(config.publicUrl, request));
      return reply.status(204).send(null);
    },
  );
};
