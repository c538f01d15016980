// The audit trail for administrators: who did what to which thing (owner changes, step actions, webhook
// and token changes, …), newest first, for everything or for one subject.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { EngineDeps } from '../../engine/deps.js';
import type { AuditEntry, JsonObject } from '../../engine/ports/store.js';
import { requireRole } from '../auth/actor.js';
import { badRequest } from '../problem.js';
import { Instant, iso, PageOf, PageQuery, Problem, pageOptions } from '../schemas.js';

const AuditView = Type.Object({
  id: Type.String(),
  at: Instant,
  actorId: Type.Union([Type.String(), Type.Null()], { description: 'Null when the system acted' }),
  action: Type.String({ description: 'e.g. `record.owner_changed`, `enrollment_step.completed`' }),
  subjectType: Type.String(),
  subjectId: Type.String(),
  data: Type.Union([Type.Unsafe<JsonObject>({ type: 'object', additionalProperties: true }), Type.Null()]),
});

const AuditQuery = Type.Object({
  ...PageQuery,
  subjectType: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: 'With subjectId: one thing only' }),
  ),
  subjectId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

const toAuditView = (entry: AuditEntry) => ({
  id: entry.id,
  at: iso(entry.at),
  actorId: entry.actorId,
  action: entry.action,
  subjectType: entry.subjectType,
  subjectId: entry.subjectId,
  data: entry.data,
});

export const auditRoutes: FastifyPluginAsyncTypebox<{ deps: EngineDeps }> = async (app, { deps }) => {
  app.get(
    '/api/audit',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['audit'],
        summary: 'The audit trail, newest first; administrators only',
        description:
          'Everything, or one subject with both `subjectType` (`record`, `enrollment_step`, `api_token`, …) and `subjectId`.',
        querystring: AuditQuery,
        response: { 200: PageOf(AuditView), 400: Problem },
      },
    },
    async (request) => {
      const { subjectType, subjectId } = request.query;
      if ((subjectType === undefined) !== (subjectId === undefined))
        throw badRequest('subjectType and subjectId go together.', [
          {
            code: 'subject_incomplete',
            path: subjectType === undefined ? '/querystring/subjectType' : '/querystring/subjectId',
            message: 'Give both subjectType and subjectId, or neither.',
          },
        ]);
      const page = await deps.store.audit.list({
        ...pageOptions(request.query),
        ...(subjectType === undefined || subjectId === undefined
          ? {}
          : { subject: { type: subjectType, id: subjectId } }),
      });
      return { items: page.items.map(toAuditView), nextCursor: page.nextCursor };
    },
  );
};
