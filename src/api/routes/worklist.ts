// The seller's day (api.md "Work list"): the work list, a record's up-next steps, and the actions on an
// enrollment step (complete, skip, snooze, skip a wait, send a manual email). A salesperson works only
// the steps they own; another seller's step answers 404.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, type TObject, type TProperties, Type } from 'typebox';
import { CALL_OUTCOMES, STEP_TYPES } from '../../domain/definition.js';
import type { EngineDeps } from '../../engine/deps.js';
import { enrollmentDetailOf, upNext } from '../../engine/enrollment-views.js';
import { ENROLLMENT_STEP_STATES } from '../../engine/ports/store.js';
import {
  type ActionResult,
  completeStep,
  type EngineActor,
  markEmailSent,
  skipStep,
  skipWait,
  snoozeStep,
} from '../../engine/seller-actions.js';
import { listWorklist, WORKLIST_WHEN, type WorkItem } from '../../engine/worklist.js';
import { actorOf, EVERYONE, requireRole } from '../auth/actor.js';
import {
  absentBodyIsEmpty,
  IdParams,
  Instant,
  isoOrNull,
  NullableString,
  PageOf,
  PageQuery,
  Problem,
  pageOptions,
} from '../schemas.js';
import { EnrollmentJson, toEnrollmentJson } from './enrollments.js';
import { EntityTypeSchema } from './records.js';

export const WorkItemJson = Type.Object({
  id: Type.String({ description: 'The enrollment step id the step actions take.' }),
  enrollmentId: Type.String(),
  record: Type.Object(
    {
      id: Type.String(),
      name: Type.String(),
      type: EntityTypeSchema,
      email: Type.Union([Type.String(), Type.Null()], {
        description: "The record's email address, or null.",
      }),
      phone: Type.Union([Type.String(), Type.Null()], { description: "The record's phone number, or null." }),
      linkedinUrl: Type.Union([Type.String(), Type.Null()], {
        description: "The record's LinkedIn profile as stored (not checked to be a web address), or null.",
      }),
    },
    { description: 'The record, with the ways to reach it that a call, email or LinkedIn step needs.' },
  ),
  sequence: Type.Object({ id: Type.String(), name: Type.String() }),
  step: Type.Object({
    id: Type.String(),
    type: Type.Enum(STEP_TYPES),
    name: NullableString,
    description: NullableString,
    templateId: NullableString,
  }),
  dueAt: Type.Union([Instant, Type.Null()]),
  state: Type.Enum(ENROLLMENT_STEP_STATES, {
    description: '`open`: workable now; `waiting`: scheduled (or snoozed) to open at dueAt.',
  }),
  snoozedAt: Type.Union([Instant, Type.Null()], {
    description:
      'When a seller last snoozed this step, else null. A `waiting` step with it opens at `dueAt`, the time ' +
      'the seller chose, and can be snoozed again to another time.',
  }),
  enrollmentStatus: Type.Union([Type.Literal('active'), Type.Literal('paused')], {
    description:
      "`paused`: the enrollment is paused, so the step can't be worked until it resumes (a record's up next " +
      'shows it; the work list leaves paused enrollments out).',
  }),
});

export function toWorkItemJson(item: WorkItem): Static<typeof WorkItemJson> {
  return {
    ...item,
    record: item.record as Static<typeof WorkItemJson>['record'],
    dueAt: isoOrNull(item.dueAt),
    snoozedAt: isoOrNull(item.snoozedAt),
  };
}

export const worklistRoutes: FastifyPluginAsyncTypebox<{ deps: EngineDeps }> = async (app, { deps }) => {
  const everyone = requireRole(...EVERYONE);

  app.get(
    '/api/worklist',
    {
      preHandler: everyone,
      schema: {
        tags: ['work list'],
        summary: "A seller's open and scheduled steps, by due time",
        description:
          '`when` (default `all`): `overdue` is due before today began, `today` due today, `upcoming` due from ' +
          "tomorrow on, all in the owner's time zone. A salesperson sees only their own; managers may pass `ownerId`.",
        querystring: Type.Object({
          when: Type.Optional(Type.Enum(WORKLIST_WHEN)),
          ownerId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          ...PageQuery,
        }),
        response: { 200: PageOf(WorkItemJson), 400: Problem, 403: Problem },
      },
    },
    async (request) => {
      const page = await listWorklist(deps, actorOf(request), {
        ...pageOptions(request.query),
        when: request.query.when ?? 'all',
        ownerId: request.query.ownerId,
      });
      return { items: page.items.map(toWorkItemJson), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/records/:id/up-next',
    {
      preHandler: everyone,
      schema: {
        tags: ['work list'],
        summary: "The record's current enrollment step(s), or []",
        params: IdParams,
        response: { 200: Type.Array(WorkItemJson), 404: Problem },
      },
    },
    async (request) => (await upNext(deps, actorOf(request), request.params.id)).map(toWorkItemJson),
  );

  /** One step action: the use case checks who may act (404 otherwise); the answer is the enrollment after it. */
  const stepAction = <B extends TObject>(
    action: string,
    summary: string,
    body: B,
    run: (actor: EngineActor, stepRowId: string, body: Static<B>) => Promise<ActionResult>,
  ) =>
    app.post(
      `/api/enrollment-steps/:id/${action}`,
      {
        preValidation: absentBodyIsEmpty,
        preHandler: everyone,
        schema: {
          tags: ['work list'],
          summary,
          params: IdParams,
          body,
          response: { 200: EnrollmentJson, 400: Problem, 404: Problem, 409: Problem },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const result = await run(
          { id: actor.id, role: actor.role },
          request.params.id,
          request.body as Static<B>,
        );
        return toEnrollmentJson(await enrollmentDetailOf(deps, result.enrollmentId));
      },
    );

  const body = <P extends TProperties>(properties: P) =>
    Type.Object(properties, { additionalProperties: false });

  stepAction(
    'complete',
    'Complete a manual step, open or not yet open (working ahead; a phone call with its outcome); 200 the enrollment after it',
    body({
      outcome: Type.Optional(Type.Enum(CALL_OUTCOMES)),
      notes: Type.Optional(Type.String({ maxLength: 10_000 })),
    }),
    (actor, id, { outcome, notes }) => completeStep(deps, actor, id, { outcome, notes }),
  );
  stepAction(
    'skip',
    'Skip a manual step, open or not yet open (a skipped email or call that a condition tests takes `no`)',
    body({}),
    (actor, id) => skipStep(deps, actor, id),
  );
  stepAction(
    'snooze',
    'Take a manual step (open, snoozed or scheduled) out of the work list until a later time (at most 30 days ahead)',
    body({ until: Instant }),
    (actor, id, { until }) => snoozeStep(deps, actor, id, { until: Date.parse(until) }),
  );
  stepAction('skip-wait', 'End a running wait now; the sequence moves on', body({}), (actor, id) =>
    skipWait(deps, actor, id),
  );
  stepAction(
    'send',
    "A manual email step sent from the seller's mailbox (subject/body as edited, else the step's template): the message is queued for the mail sender and the step completes as sent",
    body({
      subject: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
      body: Type.Optional(Type.String({ maxLength: 1_000_000 })),
    }),
    (actor, id, { subject, body }) => markEmailSent(deps, actor, id, { send: { subject, body } }),
  );
};
