// Starting an enrollment: the `start` transition computed in memory, as an insert commit. Used by
// connect (many records at once) and by advance_to_sequence (the next sequence, same transaction).

import {
  type Effect,
  type EnrollmentState,
  newEnrollmentState,
  type TransitionContext,
} from '../domain/enrollment.js';
import { advance } from '../domain/transition.js';
import type { EngineDeps } from './deps.js';
import {
  type DefinitionEntry,
  definitionKey,
  type EngineCache,
  ownerCalendarOf,
  recipientCalendarOf,
} from './engine-cache.js';
import { commitOf, effectRows } from './enrollment-commit.js';
import type { EngineRecord, EnrollmentCommit, Sequence } from './ports/store.js';

/** How deep a chain of advance_to_sequence may go inside one transaction (activation forbids loops). */
const MAX_ADVANCE_DEPTH = 8;

export interface StartedEnrollment {
  commit: EnrollmentCommit;
  state: EnrollmentState;
  /** Sequences its start transition advances to (rare: update_field → advance_to_sequence). */
  advances: string[];
}

export function exclusiveSlot(deps: EngineDeps, sequenceId: string): string {
  return deps.settings.allowParallelEnrollments ? sequenceId : '';
}

export function transitionContext(
  now: number,
  entry: DefinitionEntry,
  calendar: Parameters<typeof ownerCalendarOf>[0],
  record: EngineRecord | undefined,
): TransitionContext {
  const ctx: TransitionContext = { now, ownerCalendar: ownerCalendarOf(calendar) };
  if (entry.needsRecipientZone && record !== undefined) {
    const recipient = recipientCalendarOf(calendar, record.timezone);
    if (recipient !== undefined) ctx.recipientCalendar = recipient;
  }
  if (entry.needsFields && record?.fields != null) ctx.record = { fields: record.fields };
  return ctx;
}

/** The insert commit of a new enrollment of `record` on (sequenceId, version). Synchronous: all is loaded. */
export function startEnrollment(
  deps: EngineDeps,
  input: {
    sequenceId: string;
    version: number;
    entry: DefinitionEntry;
    record: EngineRecord;
    ctx: TransitionContext;
    /** The `start` transition already computed for an identical context (see connect). */
    transition?: [EnrollmentState, Effect[]];
  },
): StartedEnrollment {
  const { sequenceId, version, entry, record, ctx } = input;
  const id = deps.ids.newId('enr');
  const [state, effects] = input.transition ?? startTransition(entry, ctx);
  const identity = { id, sequenceId, sequenceVersion: version, recordId: record.id, ownerId: record.ownerId };
  const rows = effectRows(identity, effects, deps.ids, ctx.now);
  rows.stats.push({ sequenceId, version, stepId: '', counter: 'enrolled', by: 1 });
  const commit = commitOf(
    id,
    {
      type: 'insert',
      row: {
        id,
        sequenceId,
        sequenceVersion: version,
        recordId: record.id,
        ownerId: record.ownerId,
        state,
        startedAt: ctx.now,
        exclusiveSlot: exclusiveSlot(deps, sequenceId),
        endedAt: rows.endedAt,
      },
    },
    rows,
  );
  return { commit, state, advances: rows.advances };
}

/** The pure `start` transition. Its result is only read afterwards, so equal contexts may share one. */
export function startTransition(entry: DefinitionEntry, ctx: TransitionContext): [EnrollmentState, Effect[]] {
  return advance(entry.definition, newEnrollmentState(), { type: 'start' }, ctx);
}

/**
 * Fills `commit.follow` with the enrollments its advance_to_sequence steps start: the target's latest
 * active version for the same record. A target that is not active (or gone) starts nothing; the
 * enrollment still ends (the transition said so) and the audit log says why.
 */
export async function startAdvances(
  deps: EngineDeps,
  cache: EngineCache,
  commit: EnrollmentCommit,
  from: { recordId: string; ownerId: string },
  advances: readonly string[],
  now: number,
  depth = 0,
): Promise<void> {
  for (const targetId of advances) {
    const sequence = await deps.store.sequences.get(targetId);
    const problem = advanceProblem(sequence, depth);
    if (problem !== null || sequence === null || sequence.activeVersion === null) {
      commit.audit.push({
        id: deps.ids.newId('aud'),
        at: now,
        actorId: null,
        action: 'enrollment.advance_failed',
        subjectType: 'enrollment',
        subjectId: commit.enrollmentId,
        data: { targetSequenceId: targetId, reason: problem ?? 'sequence_not_active' },
      });
      continue;
    }
    const version = sequence.activeVersion;
    const entry = (await cache.definitions(deps.store, [{ sequenceId: targetId, version }])).get(
      definitionKey(targetId, version),
    );
    const [record] = await deps.store.engine.loadRecords([from.recordId], entry?.needsFields ?? false);
    if (entry === undefined || record === undefined) {
      commit.audit.push({
        id: deps.ids.newId('aud'),
        at: now,
        actorId: null,
        action: 'enrollment.advance_failed',
        subjectType: 'enrollment',
        subjectId: commit.enrollmentId,
        data: {
          targetSequenceId: targetId,
          reason: record === undefined ? 'record_not_found' : 'no_definition',
        },
      });
      continue;
    }
    const calendars = await cache.calendars(deps.store, [record.ownerId]);
    const ctx = transitionContext(now, entry, calendars.get(record.ownerId), record);
    const started = startEnrollment(deps, { sequenceId: targetId, version, entry, record, ctx });
    commit.audit.push({
      id: deps.ids.newId('aud'),
      at: now,
      actorId: null,
      action: 'enrollment.advanced',
      subjectType: 'enrollment',
      subjectId: commit.enrollmentId,
      data: { targetSequenceId: targetId, enrollmentId: started.commit.enrollmentId },
    });
    if (started.advances.length > 0) {
      await startAdvances(
        deps,
        cache,
        started.commit,
        { recordId: record.id, ownerId: record.ownerId },
        started.advances,
        now,
        depth + 1,
      );
    }
    commit.follow.push(started.commit);
  }
}

function advanceProblem(sequence: Sequence | null, depth: number): string | null {
  if (depth >= MAX_ADVANCE_DEPTH) return 'advance_chain_too_long';
  if (sequence === null || sequence.deletedAt !== null) return 'sequence_not_found';
  if (sequence.status === 'inactive' || sequence.activeVersion === null) return 'sequence_not_active';
  return null;
}
