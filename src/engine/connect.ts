// Connecting records to a sequence: each record accepted or rejected with a reason. The `start`
// transition is computed in memory, once per distinct situation (connect-bulk.ts: records of one owner
// share one start shape and the store makes their rows from it), or once per record with its own commit
// when a start does not fit a shape (advance_to_sequence). Everything is inserted set-based in one
// transaction, where enrollments_one_running_key has the last word (a racing connect gets `already_enrolled`).

import { planStarts, type StartInput, type StartPlan } from './connect-bulk.js';
import type { EngineDeps } from './deps.js';
import { definitionKey, engineCache } from './engine-cache.js';
import type { CommitOptions, CommitResult, EngineRecord, EnrollmentCommit, Role } from './ports/store.js';
import {
  exclusiveSlot,
  startAdvances,
  startEnrollment,
  startTransition,
  transitionContext,
} from './start-enrollment.js';

export const CONNECT_REJECTIONS = [
  'already_enrolled',
  'entity_mismatch',
  'not_found',
  'forbidden',
  'sequence_not_active',
] as const;
export type ConnectRejection = (typeof CONNECT_REJECTIONS)[number];

export interface ConnectInput {
  sequenceId: string;
  recordIds: readonly string[];
  /** A salesperson may connect only records they own; managers and administrators any. */
  actor: { id: string; role: Role };
  /**
   * Starts every record through its own commit (the path connect takes when a start does not fit a
   * shared shape, connect-bulk.ts); tests set it to compare both paths' rows.
   */
  perRecord?: boolean;
}

export interface ConnectResult {
  enrolled: { recordId: string; enrollmentId: string }[];
  rejected: { recordId: string; code: ConnectRejection; message: string }[];
}

const WAKE_HORIZON_MS = 1_000;

/** Re-reads after the sequence changed under a connect (a newer version activated meanwhile). */
const MAX_CONNECT_ATTEMPTS = 2;

export function connectRecords(deps: EngineDeps, input: ConnectInput): Promise<ConnectResult> {
  return connectAttempt(deps, input, 0);
}

async function connectAttempt(
  deps: EngineDeps,
  input: ConnectInput,
  attempt: number,
): Promise<ConnectResult> {
  const { store } = deps;
  const now = deps.clock.now();
  const result: ConnectResult = { enrolled: [], rejected: [] };
  const reject = (recordId: string, code: ConnectRejection, message: string) =>
    result.rejected.push({ recordId, code, message });

  const recordIds: string[] = [];
  const seen = new Set<string>();
  for (const id of input.recordIds) {
    if (seen.has(id)) reject(id, 'already_enrolled', 'The record is listed more than once.');
    else {
      seen.add(id);
      recordIds.push(id);
    }
  }

  const sequence = await store.sequences.get(input.sequenceId);
  if (sequence === null || sequence.deletedAt !== null) {
    for (const id of recordIds) reject(id, 'not_found', 'No such sequence.');
    return result;
  }
  const version = sequence.activeVersion;
  if (sequence.status === 'inactive' || version === null) {
    for (const id of recordIds) reject(id, 'sequence_not_active', 'Only an active sequence accepts records.');
    return result;
  }
  const cache = engineCache(store);
  const entry = (await cache.definitions(store, [{ sequenceId: sequence.id, version }])).get(
    definitionKey(sequence.id, version),
  );
  if (entry === undefined) {
    for (const id of recordIds) reject(id, 'sequence_not_active', 'The active version is missing.');
    return result;
  }

  // Fields only when a start reads them (planStarts says so): most starts reach a wait or an activity
  // first, and reading and parsing 100,000 records' fields is then wasted (loadRecords of 100,000
  // records with `{}` fields, SQLite: ~0.65 → ~0.43 s CPU; more with real fields).
  const fieldsLater = entry.needsFields && input.perRecord !== true;
  // Read before the records, and again by the write under a share lock (CommitOptions.recordsLive): a
  // deletion committing after the read below saw its record live looks for the record's enrollments to
  // end before this write commits, and without the stamp ours would stay active on a deleted record.
  const deletions = await store.records.deletionStamp();
  const records = new Map<string, EngineRecord>();
  for (const r of await store.engine.loadRecords(recordIds, entry.needsFields && !fieldsLater))
    records.set(r.id, r);
  const candidates: EngineRecord[] = [];
  const isSeller = input.actor.role === 'salesperson';
  for (const id of recordIds) {
    const record = records.get(id);
    if (record === undefined) reject(id, 'not_found', 'No such record.');
    else if (record.type !== sequence.entityType)
      reject(
        id,
        'entity_mismatch',
        `The sequence is for ${sequence.entityType} records, not ${record.type}.`,
      );
    else if (isSeller && record.ownerId !== input.actor.id)
      reject(id, 'forbidden', 'A salesperson may connect only records they own.');
    else candidates.push(record);
  }

  // Pre-check (the unique index decides in the end): one running enrollment per record, or per record
  // and sequence when parallel enrollments are allowed.
  const slot = exclusiveSlot(deps, sequence.id);
  const busy = new Set<string>();
  for (const running of await store.engine.runningSlots(candidates.map((r) => r.id))) {
    if (slot === '' || running.sequenceId === sequence.id) busy.add(running.recordId);
  }
  const fresh: EngineRecord[] = [];
  for (const record of candidates) {
    if (busy.has(record.id))
      reject(record.id, 'already_enrolled', 'The record is already in a running sequence.');
    else fresh.push(record);
  }
  if (fresh.length === 0) return result;
  const calendars = await cache.calendars(
    store,
    fresh.map((r) => r.ownerId),
  );
  let starts: StartInput = { sequenceId: sequence.id, version, entry, now, calendars, records: fresh };
  let plan = input.perRecord === true ? null : planStarts(deps, starts);
  if (fieldsLater && (plan === null || plan === 'fields-needed')) {
    starts = { ...starts, records: await withFields(deps, fresh, reject) };
    if (plan === 'fields-needed') plan = planStarts(deps, starts);
  }
  if (plan === 'fields-needed') throw new Error('planStarts asked for fields it was given');
  if (starts.records.length === 0) return result;
  const started: Started = plan === null ? await startEach(deps, starts) : startPlanned(deps, plan);
  const { earliest } = started;
  const soon = earliest !== null && earliest <= now + WAKE_HORIZON_MS;
  // The sequence was read outside the transaction: the commit re-checks it under a share lock, so a
  // deactivation (or a newer active version) in between writes nothing rather than enrolling onto it.
  // Likewise the records: one deleted in between is left out (`recordsGone`).
  const committed = await started.write({
    notify: soon,
    sequenceLive: { sequenceId: sequence.id, version },
    recordsLive: { asOf: deletions },
  });
  if (committed.sequenceNotLive === true) {
    if (attempt < MAX_CONNECT_ATTEMPTS) return connectAttempt(deps, input, attempt + 1);
    for (const m of started.members)
      reject(m.recordId, 'sequence_not_active', 'The sequence changed while connecting; try again.');
    return result;
  }
  const lost = new Set(committed.alreadyEnrolled);
  const gone = new Set(committed.recordsGone);
  for (const { recordId, enrollmentId } of started.members) {
    if (gone.has(enrollmentId)) reject(recordId, 'not_found', 'No such record.');
    else if (lost.has(enrollmentId))
      reject(recordId, 'already_enrolled', 'The record is already in a running sequence.');
    else result.enrolled.push({ recordId, enrollmentId });
  }
  if (soon && earliest !== null && result.enrolled.length > 0) deps.onWorkScheduled?.(earliest);
  return result;
}

/**
 * `records` with their fields, read again by id; the rest of each record stays as first read and checked.
 * A record deleted in between is rejected (`not_found`), as if the first read had missed it.
 */
async function withFields(
  deps: EngineDeps,
  records: readonly EngineRecord[],
  reject: (recordId: string, code: ConnectRejection, message: string) => void,
): Promise<EngineRecord[]> {
  const fields = new Map<string, EngineRecord['fields']>();
  for (const r of await deps.store.engine.loadRecords(
    records.map((r) => r.id),
    true,
  ))
    fields.set(r.id, r.fields);
  const out: EngineRecord[] = [];
  for (const r of records) {
    const found = fields.get(r.id);
    if (found === undefined) reject(r.id, 'not_found', 'No such record.');
    else out.push({ ...r, fields: found });
  }
  return out;
}

/** Records' starts, ready to write in one transaction. */
interface Started {
  /** In the order of the records given. */
  members: readonly { recordId: string; enrollmentId: string }[];
  earliest: number | null;
  write(options: CommitOptions): Promise<CommitResult>;
}

/** The bulk path: the plan's rows, written by the store. */
function startPlanned(deps: EngineDeps, { batch, earliest }: StartPlan): Started {
  return {
    members: batch.members,
    earliest,
    write: (options) => deps.store.enrollmentStarts.startMany(batch, options),
  };
}

/** The per-record path: one insert commit per record, any start (advance_to_sequence included). */
async function startEach(deps: EngineDeps, input: StartInput): Promise<Started> {
  const { sequenceId, version, entry, now } = input;
  const commits: EnrollmentCommit[] = [];
  const members: Started['members'][number][] = [];
  let earliest: number | null = null;
  const recordFree = !entry.needsFields && !entry.needsRecipientZone;
  const byOwner = new Map<string, ReturnType<typeof startTransition>>();
  for (const record of input.records) {
    const ctx = transitionContext(now, entry, input.calendars.get(record.ownerId), record);
    // A definition that reads nothing of the record starts the same way for all of one owner's records.
    let transition = recordFree ? byOwner.get(record.ownerId) : undefined;
    if (transition === undefined) {
      transition = startTransition(entry, ctx);
      if (recordFree) byOwner.set(record.ownerId, transition);
    }
    const started = startEnrollment(deps, { sequenceId, version, entry, record, ctx, transition });
    if (started.advances.length > 0) {
      await startAdvances(
        deps,
        engineCache(deps.store),
        started.commit,
        { recordId: record.id, ownerId: record.ownerId },
        started.advances,
        now,
      );
    }
    const due = started.state.dueAt;
    if (due !== null && (earliest === null || due < earliest)) earliest = due;
    commits.push(started.commit);
    members.push({ recordId: record.id, enrollmentId: started.commit.enrollmentId });
  }
  return { members, earliest, write: (options) => deps.store.engine.commit(commits, options) };
}
