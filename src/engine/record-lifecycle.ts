// A record's owner change and deletion, with what they mean for its running enrollments.
// Owner change: the record's running enrollments and their unfinished steps (open, waiting, snoozed) go
// to the new owner in the same transaction, so the step in progress leaves the previous owner's work list
// and actions; a manual step still to open is placed again in the new owner's calendar (owner-calendar.ts),
// an open, snoozed or waiting one keeps its time. Finished history rows keep the owner they had (the
// storage's moveRunningWork says why). A bulk upsert or CSV import that names another owner does the same.
// Delete: the record is soft-deleted, then its running enrollments end with `record_deleted`.
import { applyEvents } from './apply-events.js';
import type { EngineDeps } from './deps.js';
import { BadRequestError, ForbiddenError, NotFoundError } from './errors.js';
import { withOwnerCalendar } from './owner-calendar.js';
import type { SalesRecord } from './ports/store.js';
import type { EngineActor } from './seller-actions.js';

const NO_RECORD = 'No such record.';

/** The live record if the actor may know it exists (a seller never learns of others' records). */
async function visibleRecord(deps: EngineDeps, actor: EngineActor, recordId: string): Promise<SalesRecord> {
  const record = await deps.store.records.get(recordId);
  if (record === null || record.deletedAt !== null) throw new NotFoundError(NO_RECORD);
  if (actor.role === 'salesperson' && record.ownerId !== actor.id) throw new NotFoundError(NO_RECORD);
  return record;
}

/** The audit entry of an owner change (a PATCH, or a bulk upsert / CSV import row naming another owner). */
export async function auditOwnerChange(
  deps: EngineDeps,
  actor: EngineActor,
  at: number,
  recordId: string,
  change: { from: string; to: string; enrollmentIds: string[] },
): Promise<void> {
  await deps.store.audit.append({
    id: deps.ids.newId('aud'),
    at,
    actorId: actor.id,
    action: 'record.owner_changed',
    subjectType: 'record',
    subjectId: recordId,
    data: { from: change.from, to: change.to, enrollmentIds: change.enrollmentIds },
  });
}

export interface OwnerChange {
  record: SalesRecord;
  /** Running enrollments that went to the new owner with their unfinished steps (empty when nothing changed). */
  enrollmentIds: string[];
}

/**
 * Gives a record to another user, with its running enrollments, in one transaction.
 * @throws NotFoundError no such (visible) record; ForbiddenError a salesperson giving a record away;
 *   BadRequestError `owner_not_found` (no such user, or disabled).
 */
export async function changeRecordOwner(
  deps: EngineDeps,
  actor: EngineActor,
  recordId: string,
  newOwnerId: string,
): Promise<OwnerChange> {
  const record = await visibleRecord(deps, actor, recordId);
  if (record.ownerId === newOwnerId) return { record, enrollmentIds: [] };
  if (actor.role === 'salesperson') throw new ForbiddenError('A salesperson can only own their own records.');
  const owner = await deps.store.users.get(newOwnerId);
  if (owner === null || owner.disabled) {
    throw new BadRequestError('No such owner.', [
      { code: 'owner_not_found', path: '/ownerId', message: 'No active user has this id.' },
    ]);
  }
  const now = deps.clock.now();
  const changed = await withOwnerCalendar(
    deps,
    (tx) => tx.recordLifecycle.changeOwner(record.id, owner.id, now),
    (result) => result?.enrollmentIds ?? [],
  );
  if (changed === null) throw new NotFoundError(NO_RECORD);
  await auditOwnerChange(deps, actor, now, record.id, {
    from: record.ownerId,
    to: owner.id,
    enrollmentIds: changed.enrollmentIds,
  });
  const updated = await deps.store.records.get(record.id);
  return {
    record: updated ?? { ...record, ownerId: owner.id, updatedAt: now },
    enrollmentIds: changed.enrollmentIds,
  };
}

/** Ends a record's running enrollments with `record_deleted`; returns their ids. */
async function endRunning(deps: EngineDeps, recordId: string): Promise<string[]> {
  const slots = await deps.store.engine.runningSlots([recordId]);
  if (slots.length === 0) return [];
  const result = await applyEvents(
    deps,
    slots.map((slot) => ({
      enrollmentId: slot.enrollmentId,
      event: { type: 'disconnect', reason: 'record_deleted' } as const,
    })),
  );
  return result.results.filter((r) => r.outcome === 'applied').map((r) => r.enrollmentId);
}

/**
 * Soft-deletes a record and ends its running enrollments (`record_deleted`). Deleting first stops new
 * connections (connect reads live records only; a connect that read this record before either commits
 * first, so its enrollment is ended here, or drops the record: CommitOptions.recordsLive); a crash in
 * between is repaired by deleting again, which ends what is left and then answers 404.
 * @throws NotFoundError no such (visible) record.
 */
export async function deleteRecord(
  deps: EngineDeps,
  actor: EngineActor,
  recordId: string,
): Promise<{ disconnected: string[] }> {
  const stored = await deps.store.records.get(recordId);
  if (
    stored !== null &&
    stored.deletedAt !== null &&
    (actor.role !== 'salesperson' || stored.ownerId === actor.id)
  ) {
    await endRunning(deps, stored.id);
    throw new NotFoundError(NO_RECORD);
  }
  const record = await visibleRecord(deps, actor, recordId);
  const now = deps.clock.now();
  if (!(await deps.store.records.softDelete(record.id, now))) throw new NotFoundError(NO_RECORD);
  const disconnected = await endRunning(deps, record.id);
  await deps.store.audit.append({
    id: deps.ids.newId('aud'),
    at: now,
    actorId: actor.id,
    action: 'record.deleted',
    subjectType: 'record',
    subjectId: record.id,
    data: { disconnected },
  });
  return { disconnected };
}

/**
 * A record's fields changed (a PATCH, a bulk upsert or CSV row): a condition of its running enrollments
 * still waiting under `moveOnSignal` decides again now (`record_fields_changed`: `yes` once all its parts
 * hold); nothing else moves and nothing is written for the others. Runs after the change's commit: a crash
 * in between leaves such a condition to decide at its deadline or at the next signal, as before.
 */
export async function recordFieldsChanged(deps: EngineDeps, recordIds: readonly string[]): Promise<void> {
  if (recordIds.length === 0) return;
  const slots = await deps.store.engine.runningSlots(recordIds);
  if (slots.length === 0) return;
  const result = await applyEvents(
    deps,
    slots.map((slot) => ({
      enrollmentId: slot.enrollmentId,
      event: { type: 'record_fields_changed' } as const,
    })),
  );
  if (result.applied > 0) deps.onWorkScheduled?.(deps.clock.now());
}

/**
 * Records whose time zone changed: their waiting automated emails are made due at once, so the sender reads
 * their sending window again (under `workingHours: recipient` it is the record's zone). Before, an email
 * held for 08:00 in the old zone kept that time, and was then pushed to the next day by the new zone's
 * window, where the new zone allowed it at once (reliability audit, session 13).
 */
export async function recordTimezoneChanged(deps: EngineDeps, recordIds: readonly string[]): Promise<void> {
  if (recordIds.length === 0) return;
  const slots = await deps.store.engine.runningSlots(recordIds);
  if (slots.length === 0) return;
  const now = deps.clock.now();
  const moved = await deps.store.outbox.sendPendingSooner(
    { enrollmentIds: slots.map((s) => s.enrollmentId) },
    now,
  );
  if (moved > 0) deps.onWorkScheduled?.(now);
}
