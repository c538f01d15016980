// The first administrator (api.md "Authentication and set-up"): the web app's /setup page checks the
// one-time link `stepwise serve` printed and then creates the administrator with it, signed in at once.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import type { EngineDeps } from '../../engine/deps.js';
import { MIN_PASSWORD_LENGTH } from '../auth/password.js';
import {
  createSession,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  sessionCookieOptions,
  TEST_CLOCK_SESSION_TTL_MS,
} from '../auth/sessions.js';
import { completeSetup, isSetupTokenLive } from '../auth/setup-token.js';
import { PUBLIC_BODY_LIMIT } from '../json-body.js';
import { notFound } from '../problem.js';
import { iso, Problem } from '../schemas.js';
import { toUserView, UserView } from './users.js';

export interface SetupRoutesOptions {
  deps: EngineDeps;
  config: Config;
}

const Token = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'The token of the set-up link `stepwise serve` printed.',
});

const SetupQuery = Type.Object({ token: Token });

const SetupBody = Type.Object(
  {
    token: Token,
    email: Type.String({ pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$', maxLength: 320 }),
    name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
    password: Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

/** The answer of POST /api/auth/login (routes/auth.ts). */
const SignedIn = Type.Object({
  token: Type.String({ description: 'A session token usable as `Authorization: Bearer`.' }),
  csrfToken: Type.String({ description: 'Send as `X-CSRF-Token` on writes authenticated by the cookie.' }),
  expiresAt: Type.String({ format: 'date-time' }),
  user: UserView,
});

const DEAD_LINK =
  'This set-up link is not valid: it was used, it expired, a newer one was printed, or users already exist.';

const LINK_RULES =
  'The link is valid for 24 hours, only until the next start of the server (which prints a new one while ' +
  'there are still no users), and only while there are no users. The token is 256 random bits, so it is ' +
  'not rate-limited: guessing it is infeasible.';

export const setupRoutes: FastifyPluginAsyncTypebox<SetupRoutesOptions> = async (app, { deps, config }) => {
  app.get(
    '/api/setup',
    {
      config: { auth: false },
      schema: {
        tags: ['auth'],
        summary: 'Check a one-time set-up link',
        description: `200 while the link can create the first administrator; 404 \`not_found\` otherwise. ${LINK_RULES}`,
        querystring: SetupQuery,
        response: { 200: Type.Object({ valid: Type.Literal(true) }), 404: Problem },
      },
    },
    async (request) => {
      if (!(await isSetupTokenLive(deps, request.query.token))) throw notFound(DEAD_LINK);
      return { valid: true as const };
    },
  );

  app.post(
    '/api/setup',
    {
      config: { auth: false },
      bodyLimit: PUBLIC_BODY_LIMIT,
      schema: {
        tags: ['auth'],
        summary: 'Create the first administrator with a one-time set-up link, and sign in',
        description:
          'Creates the user with role `admin` and answers as `POST /api/auth/login` does (with the session ' +
          'cookie). The token is used up in the same transaction: a second use, like an unknown or expired ' +
          `token or an installation that already has users, answers 404 \`not_found\`. ${LINK_RULES}`,
        body: SetupBody,
        response: { 201: SignedIn, 404: Problem },
      },
    },
    async (request, reply) => {
      const { token, ...administrator } = request.body;
      const user = await completeSetup(deps, token, administrator);
      if (user === null) throw notFound(DEAD_LINK);
      request.log.info({ userId: user.id }, 'created the first administrator with the set-up link');
      const ttl = config.clock === 'manual' ? TEST_CLOCK_SESSION_TTL_MS : SESSION_TTL_MS;
      const { token: sessionToken, session } = await createSession(deps, user.id, ttl);
      void reply.setCookie(
        SESSION_COOKIE,
        sessionToken,
        sessionCookieOptions(config.publicUrl, request, SESSION_TTL_MS),
      );
      return reply.status(201).send({
        token: sessionToken,
        csrfToken: session.csrfToken,
        expiresAt: iso(session.expiresAt),
        user: toUserView(user),
      });
    },
  );
};
