// Enrollments (api.md "Enrollments"): connect records to a sequence and disconnect them, a sequence's
// connected records, one enrollment with its history, pause and resume. A salesperson connects and
// disconnects only their own records and sees only their enrollments; another seller's answers 404.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import { disconnectRecords } from '../../engine/apply-events.js';
import { CONNECT_REJECTIONS, connectRecords } from '../../engine/connect.js';
import type { EngineDeps } from '../../engine/deps.js';
import {
  type ConnectedRecord,
  type EnrollmentDetail,
  enrollmentDetailOf,
  getEnrollment,
  listRecordEnrollments,
  listSequenceEnrollments,
  type RecordEnrollment,
} from '../../engine/enrollment-views.js';
import {
  END_REASONS,
  ENROLLMENT_STATUSES,
  ENROLLMENT_STEP_STATES,
  SEQUENCE_ENROLLMENT_SORTS,
} from '../../engine/ports/store.js';
import { pauseEnrollment, resumeEnrollment } from '../../engine/seller-actions.js';
import { actorOf, EVERYONE, isManager, requireRole } from '../auth/actor.js';
import { BULK_BODY_LIMIT } from '../json-body.js';
import { notFound } from '../problem.js';
import {
  IdParams,
  Instant,
  iso,
  isoOrNull,
  NullableString,
  PageOf,
  PageQuery,
  Problem,
  pageOptions,
} from '../schemas.js';
import { EntityTypeSchema } from './records.js';

/** One connect call takes up to this many records (api.md; the benchmark connects 100,000). */
export const MAX_CONNECT_RECORDS = 100_000;

const NullableInstant = Type.Union([Instant, Type.Null()]);
const RecordIds = Type.Object(
  {
    recordIds: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: MAX_CONNECT_RECORDS }),
  },
  { additionalProperties: false },
);

const ConnectAnswer = Type.Object({
  enrolled: Type.Array(Type.Object({ recordId: Type.String(), enrollmentId: Type.String() })),
  rejected: Type.Array(
    Type.Object({ recordId: Type.String(), code: Type.Enum(CONNECT_REJECTIONS), message: Type.String() }),
  ),
});

const DisconnectAnswer = Type.Object({
  disconnected: Type.Array(Type.String(), { description: 'Record ids whose enrollment ended.' }),
  notEnrolled: Type.Array(Type.String(), {
    description: 'Record ids not running in this sequence (or not yours to disconnect).',
  }),
});

export const EnrollmentJson = Type.Object({
  id: Type.String(),
  sequenceId: Type.String(),
  sequenceVersion: Type.Integer(),
  recordId: Type.String(),
  ownerId: Type.String(),
  status: Type.Enum(ENROLLMENT_STATUSES),
  endReason: Type.Union([Type.Enum(END_REASONS), Type.Null()]),
  currentStepId: NullableString,
  dueAt: NullableInstant,
  startedAt: Instant,
  endedAt: NullableInstant,
  history: Type.Array(
    Type.Object({
      id: Type.String({ description: 'The enrollment step id /api/enrollment-steps/{id} takes.' }),
      stepId: Type.String(),
      type: Type.String(),
      name: NullableString,
      state: Type.Enum(ENROLLMENT_STEP_STATES),
      dueAt: NullableInstant,
      openedAt: NullableInstant,
      completedAt: NullableInstant,
      outcome: NullableString,
      notes: NullableString,
      actorId: NullableString,
    }),
  ),
});

/** Where an enrollment stands: the fields a sequence's connected records and a record's history share. */
const EnrollmentProgress = {
  ownerId: Type.String({ description: 'The seller who works (or worked) this enrollment.' }),
  status: Type.Enum(ENROLLMENT_STATUSES),
  endReason: Type.Union([Type.Enum(END_REASONS), Type.Null()]),
  sequenceVersion: Type.Integer(),
  currentStep: Type.Union([
    Type.Object({ id: Type.String(), name: NullableString, type: NullableString }),
    Type.Null(),
  ]),
  dueAt: NullableInstant,
  startedAt: Instant,
  endedAt: NullableInstant,
  daysElapsed: Type.Integer({ description: 'Whole days from the start to now, or to the end.' }),
};

const RecordEnrollmentJson = Type.Object({
  enrollmentId: Type.String(),
  sequence: Type.Union([
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      deleted: Type.Boolean({ description: 'The sequence was deleted since.' }),
    }),
    Type.Null(),
  ]),
  sequenceId: Type.String(),
  ...EnrollmentProgress,
});

function toRecordEnrollmentJson(e: RecordEnrollment): Static<typeof RecordEnrollmentJson> {
  return { ...e, dueAt: isoOrNull(e.dueAt), startedAt: iso(e.startedAt), endedAt: isoOrNull(e.endedAt) };
}

export function toEnrollmentJson(detail: EnrollmentDetail): Static<typeof EnrollmentJson> {
  return {
    ...detail,
    dueAt: isoOrNull(detail.dueAt),
    startedAt: iso(detail.startedAt),
    endedAt: isoOrNull(detail.endedAt),
    history: detail.history.map((h) => ({
      ...h,
      dueAt: isoOrNull(h.dueAt),
      openedAt: isoOrNull(h.openedAt),
      completedAt: isoOrNull(h.completedAt),
    })),
  };
}

const ConnectedRecordJson = Type.Object({
  enrollmentId: Type.String(),
  recordId: Type.String(),
  record: Type.Union([
    Type.Object({ id: Type.String(), name: Type.String(), type: EntityTypeSchema }),
    Type.Null(),
  ]),
  ...EnrollmentProgress,
});

function toConnectedRecordJson(row: ConnectedRecord): Static<typeof ConnectedRecordJson> {
  return {
    ...(row as Omit<ConnectedRecord, 'record'>),
    record: row.record as Static<typeof ConnectedRecordJson>['record'],
    dueAt: isoOrNull(row.dueAt),
    startedAt: iso(row.startedAt),
    endedAt: isoOrNull(row.endedAt),
  };
}

export const enrollmentRoutes: FastifyPluginAsyncTypebox<{ deps: EngineDeps }> = async (app, { deps }) => {
  const everyone = requireRole(...EVERYONE);
  const tags = ['enrollments'];

  /** The live sequence, or 404. */
  const liveSequence = async (id: string) => {
    const sequence = await deps.store.sequences.get(id);
    if (sequence === null || sequence.deletedAt !== null) throw notFound('No such sequence.');
    return sequence;
  };

  app.post(
    '/api/sequences/:id/enrollments',
    {
      preHandler: everyone,
      bodyLimit: BULK_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Connect records to a sequence; each is enrolled or rejected with a reason',
        description: `Up to ${MAX_CONNECT_RECORDS} record ids per call. Rejection codes: ${CONNECT_REJECTIONS.join(', ')}.`,
        params: IdParams,
        body: RecordIds,
        response: { 200: ConnectAnswer, 404: Problem },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const sequence = await liveSequence(request.params.id);
      return connectRecords(deps, {
        sequenceId: sequence.id,
        recordIds: request.body.recordIds,
        actor: { id: actor.id, role: actor.role },
      });
    },
  );

  app.get(
    '/api/sequences/:id/enrollments',
    {
      preHandler: everyone,
      schema: {
        tags,
        summary:
          "A sequence's connected records with their progress (by status, then id); a salesperson sees only their own records",
        description:
          'A `nextCursor` is valid only with the `q` and `sort` of the page that handed it out (400 `invalid_cursor` otherwise).',
        params: IdParams,
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(ENROLLMENT_STATUSES)),
          q: Type.Optional(
            Type.String({
              maxLength: 200,
              description:
                'Only records whose name or email contains this text, ignoring case (as `GET /api/records?q=`).',
            }),
          ),
          sort: Type.Optional(
            Type.Enum(SEQUENCE_ENROLLMENT_SORTS, {
              description:
                '`status` (default: by status, then oldest connected first), `newest` (newest connected first), ' +
                "`name` (the record's name A–Z, then oldest connected first).",
            }),
          ),
          ...PageQuery,
        }),
        response: { 200: PageOf(ConnectedRecordJson), 400: Problem, 404: Problem },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { status, q, sort } = request.query;
      const page = await listSequenceEnrollments(deps, request.params.id, {
        ...pageOptions(request.query),
        status,
        q: q === '' ? undefined : q,
        sort,
        ownerId: actor.role === 'salesperson' ? actor.id : undefined,
      });
      return { items: page.items.map(toConnectedRecordJson), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/records/:id/enrollments',
    {
      preHandler: everyone,
      schema: {
        tags,
        summary:
          "A record's enrollments, newest first, ended ones included: the sequences it ran and how each ended",
        description:
          "A salesperson may list only the enrollments of records they own; another seller's record answers 404.",
        params: IdParams,
        querystring: Type.Object({ ...PageQuery }),
        response: { 200: PageOf(RecordEnrollmentJson), 404: Problem },
      },
    },
    async (request) => {
      const page = await listRecordEnrollments(
        deps,
        actorOf(request),
        request.params.id,
        pageOptions(request.query),
      );
      return { items: page.items.map(toRecordEnrollmentJson), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/sequences/:id/enrollments/disconnect',
    {
      preHandler: everyone,
      bodyLimit: BULK_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Disconnect records from a sequence (end reason user_disconnected)',
        params: IdParams,
        body: RecordIds,
        response: { 200: DisconnectAnswer, 404: Problem },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const sequence = await liveSequence(request.params.id);
      const requested = request.body.recordIds;
      let allowed = requested;
      if (!isManager(actor)) {
        // A seller's request for another seller's record reads as "not enrolled": nothing leaks.
        const own = new Set(
          (await deps.store.records.getMany(requested))
            .filter((r) => r.ownerId === actor.id)
            .map((r) => r.id),
        );
        allowed = requested.filter((id) => own.has(id));
      }
      const result = await disconnectRecords(deps, {
        sequenceId: sequence.id,
        recordIds: allowed,
        actorId: actor.id,
      });
      const ended = new Set(result.disconnected);
      return {
        disconnected: result.disconnected,
        notEnrolled: [...new Set(requested)].filter((id) => !ended.has(id)),
      };
    },
  );

  app.get(
    '/api/enrollments/:id',
    {
      preHandler: everyone,
      schema: {
        tags,
        summary: 'One enrollment with its step history',
        params: IdParams,
        response: { 200: EnrollmentJson, 404: Problem },
      },
    },
    async (request) => toEnrollmentJson(await getEnrollment(deps, actorOf(request), request.params.id)),
  );

  for (const action of ['pause', 'resume'] as const) {
    app.post(
      `/api/enrollments/:id/${action}`,
      {
        preHandler: everyone,
        schema: {
          tags,
          summary:
            action === 'pause'
              ? 'Pause an enrollment: nothing of it falls due until it resumes'
              : 'Resume a paused enrollment; its pending times shift by the time it was paused',
          params: IdParams,
          response: { 200: EnrollmentJson, 404: Problem, 409: Problem },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const run = action === 'pause' ? pauseEnrollment : resumeEnrollment;
        const result = await run(deps, { id: actor.id, role: actor.role }, request.params.id);
        return toEnrollmentJson(await enrollmentDetailOf(deps, result.enrollmentId));
      },
    );
  }
};
