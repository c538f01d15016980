// API tokens for scripts and integrations: each user creates their own, sees the token once, and
// revokes it when done. Only the SHA-256 hash is stored. Administrators also list and revoke anyone's
// tokens (a leaked integration token of a seller who is away), and those revocations are audited.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { EngineDeps } from '../../engine/deps.js';
import type { ApiToken } from '../../engine/ports/store.js';
import { actorOf, EVERYONE, requireRole } from '../auth/actor.js';
import { createApiToken, revokeApiTokenOf } from '../auth/api-tokens.js';
import { notFound } from '../problem.js';
import {
  IdParams,
  Instant,
  iso,
  isoOrNull,
  NoContent,
  PageOf,
  PageQuery,
  Problem,
  pageOptions,
} from '../schemas.js';

const TokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Instant,
  lastUsedAt: Type.Union([Instant, Type.Null()], { description: 'Updated at most once a minute.' }),
  revokedAt: Type.Union([Instant, Type.Null()]),
});

const UserTokenParams = Type.Object({
  id: IdParams.properties.id,
  tokenId: Type.String({ minLength: 1, maxLength: 200 }),
});

const toTokenView = (token: ApiToken) => ({
  id: token.id,
  name: token.name,
  createdAt: iso(token.createdAt),
  lastUsedAt: isoOrNull(token.lastUsedAt),
  revokedAt: isoOrNull(token.revokedAt),
});

export const apiTokenRoutes: FastifyPluginAsyncTypebox<{ deps: EngineDeps }> = async (app, { deps }) => {
  const everyone = requireRole(...EVERYONE);
  const tags = ['auth'];

  app.get(
    '/api/users/me/tokens',
    {
      preHandler: everyone,
      schema: {
        tags,
        summary: 'Your API tokens (never the tokens themselves), oldest first',
        querystring: Type.Object(PageQuery),
        response: { 200: PageOf(TokenView) },
      },
    },
    async (request) => {
      const page = await deps.store.apiTokens.listPageForUser(
        actorOf(request).id,
        pageOptions(request.query),
      );
      return { items: page.items.map(toTokenView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/users/me/tokens',
    {
      preHandler: everyone,
      schema: {
        tags,
        summary: 'Create an API token for yourself; the answer is the only time it is shown',
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: 'Not blank.' }) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ ...TokenView.properties, token: Type.String() }) },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { id, token } = await createApiToken(deps, actor.id, request.body.name.trim());
      const stored = (await deps.store.apiTokens.listForUser(actor.id)).find((t) => t.id === id);
      if (stored === undefined) throw notFound('The token vanished.');
      request.log.info({ userId: actor.id, tokenId: id }, 'API token created');
      return reply.status(201).send({ ...toTokenView(stored), token });
    },
  );

  app.delete(
    '/api/users/me/tokens/:id',
    {
      preHandler: everyone,
      schema: {
        tags,
        summary: 'Revoke one of your API tokens',
        params: IdParams,
        response: { 204: NoContent, 404: Problem },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      // Audited like an administrator's revocation, with the user as actor; a repeat changes nothing.
      const result = await revokeApiTokenOf(deps, actor.id, actor.id, request.params.id);
      if (result.outcome === 'not_found') throw notFound('You have no such token.');
      request.log.info({ userId: actor.id, tokenId: request.params.id }, 'API token revoked');
      return reply.status(204).send(null);
    },
  );

  const adminOnly = requireRole('admin');

  app.get(
    '/api/users/:id/tokens',
    {
      preHandler: adminOnly,
      schema: {
        tags,
        summary: "A user's API tokens (never the tokens themselves), oldest first; administrators only",
        params: IdParams,
        querystring: Type.Object(PageQuery),
        response: { 200: PageOf(TokenView), 404: Problem },
      },
    },
    async (request) => {
      const user = await deps.store.users.get(request.params.id);
      if (user === null) throw notFound('No such user.');
      const page = await deps.store.apiTokens.listPageForUser(user.id, pageOptions(request.query));
      return { items: page.items.map(toTokenView), nextCursor: page.nextCursor };
    },
  );

  app.delete(
    '/api/users/:id/tokens/:tokenId',
    {
      preHandler: adminOnly,
      schema: {
        tags,
        summary: "Revoke one of a user's API tokens at once; administrators only (audited)",
        params: UserTokenParams,
        response: { 204: NoContent, 404: Problem },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { id: userId, tokenId } = request.params;
      // Like DELETE /api/users/me/tokens/:id, revoking a revoked token again answers 204.
      const result = await revokeApiTokenOf(deps, actor.id, userId, tokenId);
      if (result.outcome === 'not_found') throw notFound('The user has no such token.');
      request.log.info({ userId, tokenId, actorId: actor.id }, 'API token revoked by an administrator');
      return reply.status(204).send(null);
    },
  );
};
