// What a seller does to the steps in their work list and to an enrollment: complete (with a call's
// outcome), skip, snooze, skip a wait, record a manual email as sent, pause and resume. Each use case
// loads what it needs, checks who may act, and goes through applyEvents; the step rules are the
// transition's. A repeat of an action already done answers the current state; any other action on a
// step that is not open (or not current) is a 409 `conflict` saying why.
import {
  CALL_OUTCOMES,
  type CallOutcome,
  MANUAL_ACTIVITY_TYPES,
  type StepType,
} from '../domain/definition.js';
import type { EnrollmentEvent, EnrollmentState, StepPhase } from '../domain/enrollment.js';
import { applyEvents } from './apply-events.js';
import type { EngineDeps } from './deps.js';
import { emailKey, parseStepRowId } from './enrollment-commit.js';
import { BadRequestError, ConflictError, NotFoundError } from './errors.js';
import type { EngineEnrollment, JsonObject, Role, StepInstance } from './ports/store.js';
import { emailSuppression } from './suppression.js';

/** Who acts: a salesperson only on their own records, managers and administrators on any. */
export interface EngineActor {
  id: string;
  role: Role;
}

export interface ActionResult {
  enrollmentId: string;
  /** False when the action had already been done: a repeat answers the current state. */
  applied: boolean;
  state: EnrollmentState;
  version: number;
}

/** How far ahead a step may be snoozed (as a wait: at most 30 days). */
export const MAX_SNOOZE_MS = 30 * 24 * 3_600_000;

const MANUAL_TYPES: readonly StepType[] = MANUAL_ACTIVITY_TYPES;
const NO_STEP = 'No such enrollment step.';
const NO_ENROLLMENT = 'No such enrollment.';

/**
 * A salesperson acts on the steps of the records they own now (design §5), whoever a step row names: an
 * owner change moves the unfinished steps, but finished ones keep the previous owner (record-lifecycle.ts).
 */
async function mayAct(deps: EngineDeps, actor: EngineActor, recordId: string) {
  if (actor.role !== 'salesperson') return true;
  const record = await deps.store.records.get(recordId);
  return record !== null && record.ownerId === actor.id;
}

async function loadEnrollment(deps: EngineDeps, id: string): Promise<EngineEnrollment | undefined> {
  const [enrollment] = await deps.store.engine.load([id]);
  return enrollment;
}

interface LoadedStep {
  row: StepInstance;
  seq: number;
  enrollment: EngineEnrollment;
}

async function loadStep(deps: EngineDeps, actor: EngineActor, stepRowId: string): Promise<LoadedStep> {
  const parsed = parseStepRowId(stepRowId);
  if (parsed === null) throw new NotFoundError(NO_STEP);
  // The enrollment before its step row: an action committing in between (the same click twice, two
  // managers) then shows in the row, and a repeat answers 200. Read the other way round, the row was still
  // open while the enrollment had moved past it: "no longer the current step", a 409 to a repeat.
  const enrollment = await loadEnrollment(deps, parsed.enrollmentId);
  const [row] = enrollment === undefined ? [] : await deps.store.stepInstances.getMany([stepRowId]);
  if (
    row === undefined ||
    enrollment === undefined ||
    row.enrollmentId !== enrollment.id ||
    !(await mayAct(deps, actor, row.recordId))
  )
    throw new NotFoundError(NO_STEP);
  return { row, seq: parsed.seq, enrollment };
}

function describeState(state: EnrollmentState): string {
  if (state.status === 'paused') return 'the enrollment is paused; resume it first';
  if (state.status !== 'active') return `the enrollment has ended (${state.endReason ?? state.status})`;
  return '';
}

interface StepActionSpec {
  /** For messages: "complete", "skip"… */
  verb: string;
  /** Why this step can't take the action at all (its type), or null. */
  refuse(row: StepInstance): string | null;
  /** The action was already done to this step instance: answer the current state. */
  done(row: StepInstance, state: EnrollmentState): boolean | Promise<boolean>;
  /** The current step's phases the action takes. */
  phases: readonly StepPhase[];
  /** Why the action can't happen now although the step is open (not asked of a repeat), or null. */
  blocked?(row: StepInstance): Promise<string | null>;
  event(row: StepInstance, seq: number): EnrollmentEvent;
  audit: { action: string; data: JsonObject };
}

async function stepAction(
  deps: EngineDeps,
  actor: EngineActor,
  stepRowId: string,
  spec: StepActionSpec,
): Promise<ActionResult> {
  const { row, seq, enrollment } = await loadStep(deps, actor, stepRowId);
  const refused = spec.refuse(row);
  if (refused !== null) throw new ConflictError('conflict', refused);
  const current = (e: EngineEnrollment): ActionResult => ({
    enrollmentId: e.id,
    applied: false,
    state: e.state,
    version: e.version,
  });
  if (await spec.done(row, enrollment.state)) return current(enrollment);

  const notCurrent = (state: EnrollmentState): string => {
    const why = describeState(state);
    if (why !== '') return `Can't ${spec.verb} step ${row.stepId}: ${why}.`;
    if (state.seq !== seq)
      return `Can't ${spec.verb} step ${row.stepId}: it is ${row.state}, no longer the current step.`;
    return `Can't ${spec.verb} step ${row.stepId}: it is not ${spec.phases.includes('waiting') ? 'a running wait' : 'open'} (it is ${row.state}).`;
  };
  const s = enrollment.state;
  if (
    s.status !== 'active' ||
    s.seq !== seq ||
    s.stepId !== row.stepId ||
    s.phase === null ||
    !spec.phases.includes(s.phase)
  )
    throw new ConflictError('conflict', notCurrent(s));
  const blocked = (await spec.blocked?.(row)) ?? null;
  if (blocked !== null)
    throw new ConflictError('conflict', `Can't ${spec.verb} step ${row.stepId}: ${blocked}.`);

  const [result] =
    // No expectedVersion: the event names the step instance (seq), so a tick that landed meanwhile
    // is re-read and the transition decides.
    (await applyEvents(deps, [{ enrollmentId: enrollment.id, event: spec.event(row, seq) }])).results;
  if (result?.outcome === 'applied' && result.state !== null && result.version !== null) {
    await deps.store.audit.append({
      id: deps.ids.newId('aud'),
      at: deps.clock.now(),
      actorId: actor.id,
      action: spec.audit.action,
      subjectType: 'enrollment_step',
      subjectId: row.id,
      data: { enrollmentId: enrollment.id, stepId: row.stepId, ...spec.audit.data },
    });
    return { enrollmentId: enrollment.id, applied: true, state: result.state, version: result.version };
  }
  if (result?.outcome === 'not_found') throw new NotFoundError(NO_STEP);
  // Someone else moved the enrollment meanwhile: a repeat of the same action is done, anything else conflicts.
  const [after] = await deps.store.stepInstances.getMany([row.id]);
  const now = await loadEnrollment(deps, enrollment.id);
  if (after === undefined || now === undefined) throw new NotFoundError(NO_STEP);
  if (await spec.done(after, now.state)) return current(now);
  throw new ConflictError(
    'conflict',
    result?.outcome === 'stale'
      ? `Step ${row.stepId} changed while you acted on it; reload and try again.`
      : notCurrent(now.state),
  );
}

function manualOnly(verb: string) {
  return (row: StepInstance): string | null =>
    MANUAL_TYPES.includes(row.type)
      ? null
      : `Can't ${verb} step ${row.stepId}: a ${row.type} step is not a seller's activity.`;
}

export interface CompleteStepInput {
  /** For a phone call only. */
  outcome?: CallOutcome | undefined;
  notes?: string | undefined;
}

/** Completes a manual activity, open or not yet open (a seller working ahead) (POST /api/enrollment-steps/{id}/complete). */
export async function completeStep(
  deps: EngineDeps,
  actor: EngineActor,
  stepRowId: string,
  input: CompleteStepInput = {},
): Promise<ActionResult> {
  const { outcome, notes } = input;
  if (outcome !== undefined && !CALL_OUTCOMES.includes(outcome)) {
    throw new BadRequestError('Not a call outcome.', [
      {
        code: 'invalid_outcome',
        path: '/outcome',
        message: `A call's outcome is one of ${CALL_OUTCOMES.join(', ')}.`,
      },
    ]);
  }
  return stepAction(deps, actor, stepRowId, {
    verb: 'complete',
    refuse(row) {
      const refused = manualOnly('complete')(row);
      if (refused === null && outcome !== undefined && row.type !== 'phone_call') {
        throw new BadRequestError('Only a phone call has an outcome.', [
          {
            code: 'outcome_not_allowed',
            path: '/outcome',
            message: `Step ${row.stepId} is a ${row.type}; only a phone call takes an outcome.`,
          },
        ]);
      }
      return refused;
    },
    // A repeat names no outcome or the one recorded; another outcome is not a repeat (409, never dropped).
    done: (row) => row.state === 'completed' && (outcome === undefined || row.outcome === outcome),
    phases: ['open', 'scheduled'],
    event: (row, seq) => ({
      type: 'step_completed',
      stepId: row.stepId,
      seq,
      actorId: actor.id,
      ...(outcome !== undefined && { outcome }),
      ...(notes !== undefined && { notes }),
    }),
    audit: {
      action: 'enrollment_step.completed',
      data: { ...(outcome !== undefined && { outcome }), ...(notes !== undefined && { hasNotes: true }) },
    },
  });
}

/** Skips a manual activity, open or not yet open; a condition testing it takes `no` (POST …/skip). */
export function skipStep(deps: EngineDeps, actor: EngineActor, stepRowId: string): Promise<ActionResult> {
  return stepAction(deps, actor, stepRowId, {
    verb: 'skip',
    refuse: manualOnly('skip'),
    done: (row) => row.state === 'skipped',
    phases: ['open', 'scheduled'],
    event: (row, seq) => ({ type: 'step_skipped', stepId: row.stepId, seq, actorId: actor.id }),
    audit: { action: 'enrollment_step.skipped', data: {} },
  });
}

/**
 * Takes an open manual activity out of the work list until `until` (epoch ms), which must be in the
 * future and at most 30 days away (POST …/snooze). The step opens at exactly `until`. A step already
 * snoozed, or scheduled for the owner's next working hours, takes a new time the same way.
 */
export async function snoozeStep(
  deps: EngineDeps,
  actor: EngineActor,
  stepRowId: string,
  input: { until: number },
): Promise<ActionResult> {
  const { until } = input;
  const now = deps.clock.now();
  const invalid = (code: string, message: string) =>
    new BadRequestError('The snooze time is not allowed.', [{ code, path: '/until', message }]);
  return stepAction(deps, actor, stepRowId, {
    verb: 'snooze',
    refuse(row) {
      const refused = manualOnly('snooze')(row);
      if (refused !== null) return refused;
      // Checked after loading: a repeat of a snooze already done answers 200 even once `until` is near.
      if (row.state === 'waiting' && row.dueAt === until) return null;
      if (!Number.isFinite(until) || until <= now)
        throw invalid('snooze_in_past', 'Snooze until a time in the future.');
      if (until > now + MAX_SNOOZE_MS)
        throw invalid('snooze_too_far', 'A step can be snoozed for at most 30 days.');
      return null;
    },
    done: (row, state) =>
      row.state === 'waiting' &&
      row.dueAt === until &&
      state.stepId === row.stepId &&
      state.phase === 'scheduled' &&
      state.due === until,
    // A snoozed (or not yet opened) step can be snoozed again: to another time, earlier or later.
    phases: ['open', 'scheduled'],
    event: (row, seq) => ({ type: 'snoozed', stepId: row.stepId, seq, until }),
    audit: { action: 'enrollment_step.snoozed', data: { until } },
  });
}

/** Ends a running wait now; the sequence moves on (POST …/skip-wait). */
export function skipWait(deps: EngineDeps, actor: EngineActor, stepRowId: string): Promise<ActionResult> {
  return stepAction(deps, actor, stepRowId, {
    verb: 'skip the wait of',
    refuse: (row) => (row.type === 'wait' ? null : `Step ${row.stepId} is a ${row.type}, not a wait.`),
    done: (row) => row.state === 'skipped',
    phases: ['waiting'],
    event: (row, seq) => ({ type: 'wait_skipped', stepId: row.stepId, seq, actorId: actor.id }),
    audit: { action: 'enrollment_step.wait_skipped', data: {} },
  });
}

/**
 * A manual `email` step, open or not yet open, is sent: the step completes as sent at `at` (default now).
 * With `send` (the `/send` route) Stepwise sends the message itself: the same transaction queues it in
 * the outbox (keyed by enrollment and step instance, so a repeated request never sends twice) with the
 * seller's subject/body, or the step's template where they are absent; the mail sender delivers it from
 * the owner's mailbox within its limits. Without `send` (or a step without template and no body), the
 * seller sent it elsewhere and it is only recorded.
 */
export async function markEmailSent(
  deps: EngineDeps,
  actor: EngineActor,
  stepRowId: string,
  input: { at?: number | undefined; send?: { subject?: string | undefined; body?: string | undefined } } = {},
): Promise<ActionResult> {
  const at = input.at ?? deps.clock.now();
  let send: { subject?: string; body?: string } | undefined;
  if (input.send !== undefined) {
    const { subject, body } = input.send;
    send = { ...(subject === undefined ? {} : { subject }), ...(body === undefined ? {} : { body }) };
    if (subject === undefined || body === undefined) {
      // Without a template, the seller's text is the message: a body and no subject takes the step's
      // name as subject; nothing to send at all means they sent it elsewhere, and it is only recorded.
      const [row] = await deps.store.stepInstances.getMany([stepRowId]);
      const version =
        row === undefined ? null : await deps.store.sequences.getVersion(row.sequenceId, row.sequenceVersion);
      const step = version?.definition.steps.find((s) => s.id === row?.stepId);
      if (step !== undefined && step.type === 'email' && step.templateId === undefined)
        send = body === undefined ? undefined : { subject: subject ?? step.name ?? 'Following up', body };
      // What the seller left out would come from a template that is gone: nothing could be sent, and the
      // step must not read as sent.
      else if (
        step?.type === 'email' &&
        step.templateId !== undefined &&
        (await deps.store.emailTemplates.get(step.templateId)) === null
      )
        throw new ConflictError(
          'template_not_found',
          "This step's email template was deleted: write the subject and the message, or ask a manager to choose another template.",
        );
    }
  }
  return stepAction(deps, actor, stepRowId, {
    verb: 'send',
    refuse: (row) =>
      row.type === 'email' ? null : `Step ${row.stepId} is a ${row.type}, not a manual email.`,
    // Sent through Stepwise, a repeat is a step completed with its message queued: one completed without
    // (marked done, or recorded as sent elsewhere, by another tab or seller at the same moment) is a 409, as
    // the email this request asked for never goes out; answering 200 would say it did.
    done: async (row) =>
      row.state === 'completed' && (send === undefined || (await queuedByStepwise(deps, row))),
    phases: ['open', 'scheduled'],
    // Sent through Stepwise: the mail sender would fail or drop it, and the step must not read as sent.
    ...(send !== undefined && { blocked: (row: StepInstance) => undeliverable(deps, row.recordId) }),
    event: (row, seq) => ({
      type: 'email_sent',
      stepId: row.stepId,
      seq,
      at,
      actorId: actor.id,
      ...(send === undefined ? {} : { send }),
    }),
    audit: { action: 'enrollment_step.email_sent', data: { at, sentByStepwise: send !== undefined } },
  });
}

/** True when the step instance's message is in the outbox (a manual email sent through Stepwise). */
async function queuedByStepwise(deps: EngineDeps, row: StepInstance): Promise<boolean> {
  const parsed = parseStepRowId(row.id);
  if (parsed === null) return false;
  const key = emailKey(parsed.enrollmentId, parsed.seq);
  return (await deps.store.outbox.sendTimes([key])).has(key);
}

/** Why the record can't be emailed (what outbox-sender.ts would find when it sends), or null. */
async function undeliverable(deps: EngineDeps, recordId: string): Promise<string | null> {
  const record = await deps.store.records.get(recordId);
  const email = record?.email?.trim() ?? '';
  if (email === '') return 'the record has no email address; add one to the record, or skip the step';
  const suppression = await emailSuppression(deps, email);
  if (suppression === null) return null;
  const why =
    suppression.reason === 'manual'
      ? 'is on the suppression list'
      : `${suppression.reason === 'bounced' ? 'bounced' : 'unsubscribed'} and is on the suppression list`;
  return `the record's address ${email} ${why}, so no email is sent to it; skip the step`;
}

async function enrollmentAction(
  deps: EngineDeps,
  actor: EngineActor,
  enrollmentId: string,
  action: 'pause' | 'resume',
): Promise<ActionResult> {
  const enrollment = await loadEnrollment(deps, enrollmentId);
  if (enrollment === undefined || !(await mayAct(deps, actor, enrollment.recordId)))
    throw new NotFoundError(NO_ENROLLMENT);
  const target = action === 'pause' ? 'paused' : 'active';
  const current = (e: EngineEnrollment): ActionResult => ({
    enrollmentId: e.id,
    applied: false,
    state: e.state,
    version: e.version,
  });
  const conflict = (state: EnrollmentState) =>
    new ConflictError(
      'conflict',
      state.status === 'active' || state.status === 'paused'
        ? `Can't ${action} this enrollment now.`
        : `Can't ${action} this enrollment: it has ended (${state.endReason ?? state.status}).`,
    );
  if (enrollment.state.status === target) return current(enrollment);
  if (enrollment.state.status !== 'active' && enrollment.state.status !== 'paused')
    throw conflict(enrollment.state);

  const [result] = (await applyEvents(deps, [{ enrollmentId, event: { type: action } }])).results;
  if (result?.outcome === 'applied' && result.state !== null && result.version !== null) {
    await deps.store.audit.append({
      id: deps.ids.newId('aud'),
      at: deps.clock.now(),
      actorId: actor.id,
      action: action === 'pause' ? 'enrollment.paused' : 'enrollment.resumed',
      subjectType: 'enrollment',
      subjectId: enrollmentId,
      data: null,
    });
    return { enrollmentId, applied: true, state: result.state, version: result.version };
  }
  const now = await loadEnrollment(deps, enrollmentId);
  if (now === undefined) throw new NotFoundError(NO_ENROLLMENT);
  if (now.state.status === target) return current(now);
  throw conflict(now.state);
}

/** Holds the enrollment: nothing falls due and seller actions wait until it resumes. */
export function pauseEnrollment(
  deps: EngineDeps,
  actor: EngineActor,
  enrollmentId: string,
): Promise<ActionResult> {
  return enrollmentAction(deps, actor, enrollmentId, 'pause');
}

/** Resumes a paused enrollment; its pending times shift by the paused duration. */
export function resumeEnrollment(
  deps: EngineDeps,
  actor: EngineActor,
  enrollmentId: string,
): Promise<ActionResult> {
  return enrollmentAction(deps, actor, enrollmentId, 'resume');
}
