// Sequences (api.md "Sequences"): everyone reads them (sellers connect their records to them);
// administrators, sequence managers and sales managers create, edit, activate, revise, deactivate,
// clone and delete them through the engine's use cases, and read their stats; the figures per seller
// are everyone's, a salesperson's narrowed to their own row.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import type { EngineDeps } from '../../engine/deps.js';
import { SEQUENCE_STATUSES } from '../../engine/ports/store.js';
import { activateSequence } from '../../engine/sequences/activate-sequence.js';
import { cloneSequence } from '../../engine/sequences/clone-sequence.js';
import { createSequence } from '../../engine/sequences/create-sequence.js';
import { discardRevision } from '../../engine/sequences/discard-revision.js';
import { reviseSequence } from '../../engine/sequences/revise-sequence.js';
import { getSellerStats } from '../../engine/sequences/seller-stats.js';
import { getSequenceStats } from '../../engine/sequences/sequence-stats.js';
import {
  getSequence,
  getVersion,
  listSequences,
  listVersions,
  type SequenceView,
} from '../../engine/sequences/sequence-view.js';
import { deactivateSequence, deleteSequence } from '../../engine/sequences/stop-sequence.js';
import { updateSequence } from '../../engine/sequences/update-sequence.js';
import { actorOf, EVERYONE, MANAGERS, requireRole } from '../auth/actor.js';
import {
  absentBodyIsEmpty,
  IdParams,
  Instant,
  iso,
  isoOrNull,
  NoContent,
  NullableString,
  NullableText,
  PageOf,
  PageQuery,
  Problem,
  pageOptions,
} from '../schemas.js';
import { EntityTypeSchema } from './records.js';

const Status = Type.Enum(SEQUENCE_STATUSES);
const Definition = Type.Unknown({
  description:
    'A sequence definition in the format of api.md "Definition format": `{start, options, steps}`.',
});
const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Description = NullableText({ maxLength: 5000 });

export const SequenceJson = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: NullableString,
  entityType: EntityTypeSchema,
  status: Status,
  version: Type.Integer({
    description: 'The version shown and edited: the draft while inactive or in revision.',
  }),
  activeVersion: Type.Union([Type.Integer(), Type.Null()], {
    description: 'The version new connections get.',
  }),
  ownerId: Type.String(),
  definition: Definition,
  summary: Type.Object({ stepCount: Type.Integer(), durationDays: Type.Number() }),
  enrolledCount: Type.Integer(),
  tags: Type.Array(Type.String()),
  createdAt: Instant,
  updatedAt: Instant,
});

export function toSequenceJson(view: SequenceView): Static<typeof SequenceJson> {
  return { ...view, createdAt: iso(view.createdAt), updatedAt: iso(view.updatedAt) };
}

const VersionJson = Type.Object({
  version: Type.Integer(),
  description: NullableString,
  activatedAt: Type.Union([Instant, Type.Null()]),
  createdAt: Instant,
  enrolledCount: Type.Integer(),
});

const VersionDetailJson = Type.Object({
  ...VersionJson.properties,
  definition: Definition,
  summary: Type.Object({ stepCount: Type.Integer(), durationDays: Type.Number() }),
});

const Counts = Type.Record(Type.String(), Type.Integer());
const StepStats = Type.Object({
  stepId: Type.String(),
  reached: Type.Integer(),
  completed: Type.Integer(),
  skipped: Type.Integer(),
  failed: Type.Integer(),
  cancelled: Type.Integer(),
  emailsSent: Type.Integer(),
  opened: Type.Integer(),
  clicked: Type.Integer(),
  replied: Type.Integer(),
  bounced: Type.Integer(),
  outcomes: Counts,
});
/** The version figures are of: one, or null for all versions together. */
const FiguresVersion = Type.Union([Type.Integer(), Type.Null()], {
  description: 'The version these figures are of; null for all versions together (the default).',
});
/** Enrollments by status, and how the ended ones ended (the sequence's, or one seller's). */
const StatusCounts = {
  active: Type.Integer(),
  paused: Type.Integer(),
  completed: Type.Integer(),
  disconnected: Type.Integer(),
  error: Type.Integer(),
  endReasons: Counts,
};
const StatsJson = Type.Object({
  version: FiguresVersion,
  versions: Type.Array(Type.Integer(), { description: "The sequence's versions, oldest first." }),
  definition: Type.Unknown({
    description:
      "The definition the steps are laid out on: that version's, or the active one (else the draft) for all.",
  }),
  enrolled: Type.Integer(),
  ...StatusCounts,
  steps: Type.Array(StepStats),
});

const versionQuery = (description: string) =>
  Type.Object({
    version: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description })),
  });

const SellerStats = Type.Object({
  ownerId: Type.String(),
  name: Type.String(),
  activeUser: Type.Boolean({ description: 'False for a user disabled since; their figures stay.' }),
  enrolled: Type.Integer({ description: 'Every enrollment the seller has or had, whatever its status.' }),
  ...StatusCounts,
});
const SellerStatsJson = Type.Object({
  version: FiguresVersion,
  sellers: Type.Array(SellerStats, {
    description:
      "One row per owner of the sequence's enrollments (the seller who works each, or who had it when it ended), by name; a salesperson gets only their own.",
  }),
});

const NewSequenceBody = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    entityType: EntityTypeSchema,
    definition: Type.Optional(Definition),
    tags: Type.Optional(Tags),
  },
  { additionalProperties: false },
);

const SequencePatchBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    definition: Type.Optional(Definition),
    tags: Type.Optional(Tags),
  },
  { additionalProperties: false },
);

export const sequenceRoutes: FastifyPluginAsyncTypebox<{ deps: EngineDeps }> = async (app, { deps }) => {
  const everyone = requireRole(...EVERYONE);
  const managers = requireRole(...MANAGERS);
  const tags = ['sequences'];

  app.post(
    '/api/sequences',
    {
      preHandler: managers,
      schema: {
        tags,
        summary: 'Create a sequence (saved inactive, as version 1)',
        body: NewSequenceBody,
        response: { 201: SequenceJson, 400: Problem },
      },
    },
    async (request, reply) => {
      const view = await createSequence(deps, actorOf(request), request.body);
      return reply.status(201).send(toSequenceJson(view));
    },
  );

  app.get(
    '/api/sequences',
    {
      preHandler: everyone,
      schema: {
        tags,
        summary: 'List sequences',
        querystring: Type.Object({
          status: Type.Optional(Status),
          entityType: Type.Optional(EntityTypeSchema),
          q: Type.Optional(Type.String({ maxLength: 200 })),
          tag: Type.Optional(Type.String({ maxLength: 100 })),
          ...PageQuery,
        }),
        response: { 200: PageOf(SequenceJson) },
      },
    },
    async (request) => {
      const { status, entityType, q, tag } = request.query;
      const page = await listSequences(deps, {
        ...pageOptions(request.query),
        status,
        entityType,
        q: q === '' ? undefined : q,
        tag: tag === '' ? undefined : tag,
      });
      return { items: page.items.map(toSequenceJson), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/sequences/:id',
    {
      preHandler: everyone,
      schema: {
        tags,
        summary: 'One sequence',
        params: IdParams,
        response: { 200: SequenceJson, 404: Problem },
      },
    },
    async (request) => toSequenceJson(await getSequence(deps, request.params.id)),
  );

  app.put(
    '/api/sequences/:id',
    {
      preHandler: managers,
      schema: {
        tags,
        summary: 'Edit an inactive sequence, or the new version of one in revision',
        params: IdParams,
        body: SequencePatchBody,
        response: { 200: SequenceJson, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (request) =>
      toSequenceJson(await updateSequence(deps, actorOf(request), request.params.id, request.body)),
  );

  app.get(
    '/api/sequences/:id/versions',
    {
      preHandler: everyone,
      schema: {
        tags,
        summary: 'The versions of a sequence, oldest first',
        params: IdParams,
        response: { 200: Type.Array(VersionJson), 404: Problem },
      },
    },
    async (request) =>
      (await listVersions(deps, request.params.id)).map((v) => ({
        ...v,
        activatedAt: isoOrNull(v.activatedAt),
        createdAt: iso(v.createdAt),
      })),
  );

  app.get(
    '/api/sequences/:id/versions/:version',
    {
      preHandler: everyone,
      schema: {
        tags,
        summary: 'One version of a sequence with its steps (an old one, the active one or a draft)',
        params: Type.Object({
          ...IdParams.properties,
          version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
        }),
        response: { 200: VersionDetailJson, 404: Problem },
      },
    },
    async (request) => {
      const v = await getVersion(deps, request.params.id, request.params.version);
      return { ...v, activatedAt: isoOrNull(v.activatedAt), createdAt: iso(v.createdAt) };
    },
  );

  app.post(
    '/api/sequences/:id/clone',
    {
      preValidation: absentBodyIsEmpty,
      preHandler: managers,
      schema: {
        tags,
        summary: 'Copy a sequence as a new inactive one',
        params: IdParams,
        body: Type.Object({ name: Type.Optional(Name) }, { additionalProperties: false }),
        response: { 201: SequenceJson, 404: Problem },
      },
    },
    async (request, reply) => {
      const view = await cloneSequence(deps, actorOf(request), request.params.id, {
        name: request.body.name,
      });
      return reply.status(201).send(toSequenceJson(view));
    },
  );

  app.post(
    '/api/sequences/:id/activate',
    {
      preValidation: absentBodyIsEmpty,
      preHandler: managers,
      schema: {
        tags,
        summary: 'Activate a sequence, or publish the version in revision',
        description: '422 validation_failed lists one error per broken rule; 409 active_limit_reached.',
        params: IdParams,
        body: Type.Object(
          { versionDescription: Type.Optional(Type.String({ maxLength: 5000 })) },
          { additionalProperties: false },
        ),
        response: { 200: SequenceJson, 404: Problem, 409: Problem, 422: Problem },
      },
    },
    async (request) =>
      toSequenceJson(
        await activateSequence(deps, actorOf(request), request.params.id, {
          versionDescription: request.body.versionDescription,
        }),
      ),
  );

  app.post(
    '/api/sequences/:id/revise',
    {
      preHandler: managers,
      schema: {
        tags,
        summary: 'Start an editable new version of an active sequence (status revision)',
        params: IdParams,
        response: { 200: SequenceJson, 404: Problem, 409: Problem },
      },
    },
    async (request) => toSequenceJson(await reviseSequence(deps, actorOf(request), request.params.id)),
  );

  app.post(
    '/api/sequences/:id/discard-revision',
    {
      preHandler: managers,
      schema: {
        tags,
        summary:
          'Give up a revision: its draft is deleted and the sequence is active on its version as before',
        params: IdParams,
        response: { 200: SequenceJson, 404: Problem, 409: Problem },
      },
    },
    async (request) => toSequenceJson(await discardRevision(deps, actorOf(request), request.params.id)),
  );

  app.post(
    '/api/sequences/:id/deactivate',
    {
      preHandler: managers,
      schema: {
        tags,
        summary: 'Deactivate a sequence; its running enrollments end disconnected (sequence_deactivated)',
        params: IdParams,
        response: { 200: SequenceJson, 404: Problem, 409: Problem },
      },
    },
    async (request) => toSequenceJson(await deactivateSequence(deps, actorOf(request), request.params.id)),
  );

  app.delete(
    '/api/sequences/:id',
    {
      preHandler: managers,
      schema: {
        tags,
        summary: 'Delete a sequence; its running enrollments end disconnected (sequence_deleted)',
        params: IdParams,
        response: { 204: NoContent, 404: Problem, 409: Problem },
      },
    },
    async (request, reply) => {
      await deleteSequence(deps, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/sequences/:id/stats',
    {
      preHandler: managers,
      schema: {
        tags,
        summary: "A sequence's enrollment and step statistics, of all its versions or of one",
        params: IdParams,
        querystring: versionQuery('Only this version: its enrollments, and its steps counted on it alone.'),
        response: { 200: StatsJson, 404: Problem },
      },
    },
    async (request) => getSequenceStats(deps, request.params.id, request.query.version),
  );

  app.get(
    '/api/sequences/:id/stats/sellers',
    {
      preHandler: everyone,
      schema: {
        tags,
        summary:
          "A sequence's enrollments per seller: connected, running and how they ended; a salesperson sees only their own",
        description:
          'Counted from the enrollment rows by owner, status and end reason. The email counters of the stats are per step only: they are not kept per seller.',
        params: IdParams,
        querystring: versionQuery('Only the enrollments that ran this version.'),
        response: { 200: SellerStatsJson, 404: Problem },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return getSellerStats(deps, request.params.id, {
        version: request.query.version,
        ownerId: actor.role === 'salesperson' ? actor.id : undefined,
      });
    },
  );
};
