// What the API shows of enrollments: one enrollment with its history, a sequence's connected records with
// their progress, a record's "up next", and who may see which. A salesperson sees only enrollments of
// their records (or whose steps they work); anything else is "not found", never "forbidden".
import type { EngineDeps } from './deps.js';
import { definitionKey, engineCache } from './engine-cache.js';
import { emailKey, parseStepRowId } from './enrollment-commit.js';
import { NotFoundError } from './errors.js';
import type {
  EndReason,
  Enrollment,
  EnrollmentListOptions,
  EnrollmentStatus,
  EnrollmentStep,
  EnrollmentStepState,
  Page,
  PageOptions,
  WorkRow,
} from './ports/store.js';
import type { ActingUser } from './sequences/stored-sequence.js';
import { toWorkItems, type WorkItem } from './worklist.js';

const DAY_MS = 86_400_000;

export interface HistoryEntry {
  id: string;
  stepId: string;
  type: string;
  name: string | null;
  state: EnrollmentStepState;
  dueAt: number | null;
  openedAt: number | null;
  completedAt: number | null;
  outcome: string | null;
  notes: string | null;
  actorId: string | null;
}

export interface EnrollmentDetail {
  id: string;
  sequenceId: string;
  sequenceVersion: number;
  recordId: string;
  ownerId: string;
  status: EnrollmentStatus;
  endReason: EndReason | null;
  currentStepId: string | null;
  dueAt: number | null;
  startedAt: number;
  endedAt: number | null;
  history: HistoryEntry[];
}

/** Where an enrollment stands: what a sequence's connected records and a record's history both show. */
export interface EnrollmentProgress {
  ownerId: string;
  status: EnrollmentStatus;
  endReason: EndReason | null;
  sequenceVersion: number;
  currentStep: { id: string; name: string | null; type: string | null } | null;
  dueAt: number | null;
  startedAt: number;
  endedAt: number | null;
  /** Whole days from the start to now (or to the end). */
  daysElapsed: number;
}

export interface ConnectedRecord extends EnrollmentProgress {
  enrollmentId: string;
  recordId: string;
  record: { id: string; name: string; type: string } | null;
}

/** One of a record's enrollments, ended ones included (the record page's sequence history). */
export interface RecordEnrollment extends EnrollmentProgress {
  enrollmentId: string;
  /** Null only if the sequence row is gone; a deleted sequence keeps its name. */
  sequence: { id: string; name: string; deleted: boolean } | null;
  sequenceId: string;
}

const isSeller = (actor: ActingUser) => actor.role === 'salesperson';

/** The enrollment if the actor may know of it: managers any, a salesperson theirs or their record's. */
export async function visibleEnrollment(
  deps: EngineDeps,
  actor: ActingUser,
  id: string,
): Promise<Enrollment> {
  const enrollment = await deps.store.enrollments.get(id);
  if (enrollment === null) throw new NotFoundError('No such enrollment.');
  if (isSeller(actor) && enrollment.ownerId !== actor.id) {
    const record = await deps.store.records.get(enrollment.recordId);
    if (record === null || record.ownerId !== actor.id) throw new NotFoundError('No such enrollment.');
  }
  return enrollment;
}

/** Step names and types from the definitions of the (sequence, version) pairs given. */
async function stepNames(
  deps: EngineDeps,
  versions: Iterable<{ sequenceId: string; version: number }>,
): Promise<
  (sequenceId: string, version: number, stepId: string) => { name: string | null; type: string | null }
> {
  const unique = new Map<string, { sequenceId: string; version: number }>();
  for (const v of versions) unique.set(definitionKey(v.sequenceId, v.version), v);
  const definitions = await engineCache(deps.store).definitions(deps.store, [...unique.values()]);
  return (sequenceId, version, stepId) => {
    const step = definitions
      .get(definitionKey(sequenceId, version))
      ?.definition.steps.find((s) => s.id === stepId);
    return { name: step?.name ?? null, type: step?.type ?? null };
  };
}

export async function getEnrollment(
  deps: EngineDeps,
  actor: ActingUser,
  id: string,
): Promise<EnrollmentDetail> {
  return enrollmentDetail(deps, await visibleEnrollment(deps, actor, id));
}

/** An enrollment with its history, without access checks (the caller made them); 404 when it is gone. */
export async function enrollmentDetailOf(deps: EngineDeps, id: string): Promise<EnrollmentDetail> {
  const enrollment = await deps.store.enrollments.get(id);
  if (enrollment === null) throw new NotFoundError('No such enrollment.');
  return enrollmentDetail(deps, enrollment);
}

/**
 * api.md's enrollment `dueAt`, "when is the next thing due": the due time of the step the enrollment is on
 * (a manual step's open time, an automated email's send time (emailSendTimes), a wait's end, a condition's
 * deadline). The row's own `dueAt` is only the scheduler's next wake-up, null while a step is open or an
 * email is with the outbox. Null unless active: a paused enrollment's times move by the pause when it resumes.
 */
function nextDue(enrollment: Enrollment, currentStepDue: number | null | undefined): number | null {
  if (enrollment.status !== 'active') return null;
  return enrollment.dueAt ?? currentStepDue ?? null;
}

/** The earliest due time of the unfinished (open or waiting) history rows: the current step's. */
function unfinishedDue(steps: readonly EnrollmentStep[]): number | null {
  let due: number | null = null;
  for (const step of steps) {
    if ((step.state === 'open' || step.state === 'waiting') && step.dueAt !== null)
      due = due === null ? step.dueAt : Math.min(due, step.dueAt);
  }
  return due;
}

/**
 * When automated emails go out, by outbox key: their outbox rows' `available_at`, in one read for all.
 * That row is the one source of truth of a send time: the mail sender claims by it and moves it when it
 * defers the message (the mailbox's daily cap or spacing, the owner's or the recipient's hours read again
 * at send time, no mailbox yet, a retry after a 4xx), and once the message is out it is when the sender
 * took it up. The engine's own times are the plan made when the email was queued (the state's `due`, the
 * history row's `due_at`), and the enrollment row's `due_at` stays null meanwhile: the enrollment waits for
 * the sender's `email_sent`, not for a tick (design.md §3.2), so a deferral moves none of them. Reading the
 * outbox here costs a view one statement; keeping a copy in step would cost the sender writes per message.
 */
function emailSendTimes(deps: EngineDeps, keys: readonly string[]): Promise<Map<string, number>> {
  return keys.length === 0 ? Promise.resolve(new Map()) : deps.store.outbox.sendTimes(keys);
}

/** The outbox key of an automated email step's history row (its message, queued or gone), else null. */
function automatedEmailKey(row: { id: string; type: string }): string | null {
  if (row.type !== 'automated_email') return null;
  const instance = parseStepRowId(row.id);
  return instance === null ? null : emailKey(instance.enrollmentId, instance.seq);
}

/**
 * History rows with each automated email due when the sender sends it (emailSendTimes); `moved` when that
 * changed a row's time. A row whose message is not in the outbox keeps its own.
 */
async function withSendTimes<R extends { id: string; type: string; dueAt: number | null }>(
  deps: EngineDeps,
  rows: readonly R[],
): Promise<{ rows: R[]; moved: boolean }> {
  const keys = rows.map(automatedEmailKey);
  const times = await emailSendTimes(
    deps,
    keys.filter((key) => key !== null),
  );
  let moved = false;
  const result = rows.map((row, i) => {
    const key = keys[i];
    const at = key === null || key === undefined ? undefined : times.get(key);
    if (at === undefined || at === row.dueAt) return row;
    moved = true;
    return { ...row, dueAt: at };
  });
  return { rows: result, moved };
}

/**
 * The current step's due time of each active enrollment the scheduler has no wake-up for (an open step,
 * an email with the outbox), from their states in one read by primary key; an email's from its outbox row.
 */
async function currentStepDues(
  deps: EngineDeps,
  enrollments: readonly Enrollment[],
): Promise<Map<string, number | null>> {
  const ids = enrollments.filter((e) => e.status === 'active' && e.dueAt === null).map((e) => e.id);
  if (ids.length === 0) return new Map();
  const loaded = await deps.store.engine.load(ids);
  const emailOf = (e: (typeof loaded)[number]) =>
    e.state.phase === 'sending' ? emailKey(e.id, e.state.seq) : null;
  const times = await emailSendTimes(
    deps,
    loaded.map(emailOf).filter((key) => key !== null),
  );
  return new Map(
    loaded.map((e) => {
      const key = emailOf(e);
      return [e.id, (key === null ? undefined : times.get(key)) ?? e.state.due];
    }),
  );
}

/** The progress of a page of enrollments: their current steps' names and due times, read once for all. */
async function progressOf(
  deps: EngineDeps,
  enrollments: readonly Enrollment[],
): Promise<(e: Enrollment) => EnrollmentProgress> {
  const names = await stepNames(
    deps,
    enrollments.map((e) => ({ sequenceId: e.sequenceId, version: e.sequenceVersion })),
  );
  const dues = await currentStepDues(deps, enrollments);
  const now = deps.clock.now();
  return (e) => ({
    ownerId: e.ownerId,
    status: e.status,
    endReason: e.endReason,
    sequenceVersion: e.sequenceVersion,
    currentStep:
      e.currentStepId === null
        ? null
        : { id: e.currentStepId, ...names(e.sequenceId, e.sequenceVersion, e.currentStepId) },
    dueAt: nextDue(e, dues.get(e.id)),
    startedAt: e.startedAt,
    endedAt: e.endedAt,
    daysElapsed: Math.max(0, Math.floor(((e.endedAt ?? now) - e.startedAt) / DAY_MS)),
  });
}

async function enrollmentDetail(deps: EngineDeps, enrollment: Enrollment): Promise<EnrollmentDetail> {
  const { rows: steps } = await withSendTimes(deps, await deps.store.enrollments.listSteps(enrollment.id));
  const names = await stepNames(deps, [
    { sequenceId: enrollment.sequenceId, version: enrollment.sequenceVersion },
  ]);
  return {
    id: enrollment.id,
    sequenceId: enrollment.sequenceId,
    sequenceVersion: enrollment.sequenceVersion,
    recordId: enrollment.recordId,
    ownerId: enrollment.ownerId,
    status: enrollment.status,
    endReason: enrollment.endReason,
    currentStepId: enrollment.currentStepId,
    dueAt: nextDue(enrollment, unfinishedDue(steps)),
    startedAt: enrollment.startedAt,
    endedAt: enrollment.endedAt,
    history: steps.map((step) => ({
      id: step.id,
      stepId: step.stepId,
      type: step.type,
      name: names(enrollment.sequenceId, enrollment.sequenceVersion, step.stepId).name,
      state: step.state,
      dueAt: step.dueAt,
      openedAt: step.openedAt,
      completedAt: step.completedAt,
      outcome: step.outcome,
      notes: step.notes,
      actorId: step.actorId,
    })),
  };
}

/** A sequence's connected records (by status, then id) with their progress; 404 for no such sequence. */
export async function listSequenceEnrollments(
  deps: EngineDeps,
  sequenceId: string,
  options: EnrollmentListOptions,
): Promise<Page<ConnectedRecord>> {
  const sequence = await deps.store.sequences.get(sequenceId);
  if (sequence === null || sequence.deletedAt !== null) throw new NotFoundError('No such sequence.');
  const page = await deps.store.enrollments.listBySequence(sequenceId, options);
  const records = new Map(
    (await deps.store.records.getMany(page.items.map((e) => e.recordId))).map((r) => [r.id, r]),
  );
  const progress = await progressOf(deps, page.items);
  return {
    items: page.items.map((e) => {
      const record = records.get(e.recordId);
      return {
        enrollmentId: e.id,
        recordId: e.recordId,
        record: record === undefined ? null : { id: record.id, name: record.name, type: record.type },
        ...progress(e),
      };
    }),
    nextCursor: page.nextCursor,
  };
}

/**
 * A record's enrollments, newest first, ended ones included: which sequences it ran, how each ended.
 * 404 when the actor may not see the record (a salesperson: not theirs), as for its up-next steps.
 */
export async function listRecordEnrollments(
  deps: EngineDeps,
  actor: ActingUser,
  recordId: string,
  options: PageOptions,
): Promise<Page<RecordEnrollment>> {
  const record = await deps.store.records.get(recordId);
  if (record === null || record.deletedAt !== null || (isSeller(actor) && record.ownerId !== actor.id))
    throw new NotFoundError('No such record.');
  const page = await deps.store.enrollments.listByRecord(record.id, options);
  const sequences = new Map(
    (await deps.store.sequences.getMany([...new Set(page.items.map((e) => e.sequenceId))])).map((q) => [
      q.id,
      q,
    ]),
  );
  const progress = await progressOf(deps, page.items);
  return {
    items: page.items.map((e) => {
      const sequence = sequences.get(e.sequenceId);
      return {
        enrollmentId: e.id,
        sequence:
          sequence === undefined
            ? null
            : { id: sequence.id, name: sequence.name, deleted: sequence.deletedAt !== null },
        sequenceId: e.sequenceId,
        ...progress(e),
      };
    }),
    nextCursor: page.nextCursor,
  };
}

/** A record's current step in each running enrollment (open, scheduled, or a running wait), or []. */
export async function upNext(deps: EngineDeps, actor: ActingUser, recordId: string): Promise<WorkItem[]> {
  const record = await deps.store.records.get(recordId);
  if (record === null || record.deletedAt !== null || (isSeller(actor) && record.ownerId !== actor.id))
    throw new NotFoundError('No such record.');
  const { rows, moved } = await withSendTimes(deps, await deps.store.enrollmentViews.currentSteps(record.id));
  // By due time, then id, as the store orders them, with the emails' send times.
  if (moved) rows.sort(byDueThenId);
  return toWorkItems(deps, rows);
}

function byDueThenId(a: WorkRow, b: WorkRow): number {
  const due = (a.dueAt ?? Number.POSITIVE_INFINITY) - (b.dueAt ?? Number.POSITIVE_INFINITY);
  return due !== 0 && !Number.isNaN(due) ? due : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
