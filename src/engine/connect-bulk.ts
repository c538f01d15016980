// connect's bulk path: the `start` transition once per distinct situation instead of once per record.
// A transition reads only the definition, the instant, the owner's calendar, the recipient's time zone
// (workingHours: 'recipient') and, when a condition is reached, the record's fields. So records of one
// owner (and zone) reach the same state with the same effects unless the start read their fields, which
// a probe on `ctx.record.fields` tells. Each situation becomes a StartShape, its rows made once from
// `effectRows` (the per-record path's own conversion) with the ids cut out; the store fills them in per
// member. A start the shape cannot carry (advance_to_sequence, an error, patches) returns null: connect
// then takes the per-record path, which handles everything. Records may come without their fields
// (connect loads them only when a start reads them): a start that reads them answers 'fields-needed'.
import type { Effect, EnrollmentState, TransitionContext } from '../domain/enrollment.js';
import type { EngineDeps } from './deps.js';
import type { DefinitionEntry, OwnerCalendar } from './engine-cache.js';
import { effectRows } from './enrollment-commit.js';
import type { EngineRecord, StartBatch, StartMember, StartShape } from './ports/store.js';
import { exclusiveSlot, startTransition, transitionContext } from './start-enrollment.js';

export interface StartPlan {
  batch: StartBatch;
  /** The earliest due time among the shapes' states. */
  earliest: number | null;
}

/** Records to start on one sequence version (not yet running: connect checked). */
export interface StartInput {
  sequenceId: string;
  version: number;
  entry: DefinitionEntry;
  now: number;
  calendars: ReadonlyMap<string, OwnerCalendar>;
  records: readonly EngineRecord[];
}

export function planStarts(deps: EngineDeps, input: StartInput): StartPlan | null | 'fields-needed' {
  const { entry, now } = input;
  const shapes: StartShape[] = [];
  const byKey = new Map<string, number>();
  const members: StartMember[] = [];
  let earliest: number | null = null;
  for (const record of input.records) {
    const enrollmentId = deps.ids.newId('enr');
    const key = entry.needsRecipientZone ? `${record.ownerId}\u0000${record.timezone ?? ''}` : record.ownerId;
    let index = byKey.get(key);
    if (index === undefined) {
      const ctx = transitionContext(now, entry, input.calendars.get(record.ownerId), record);
      const probe = probeFields(ctx, entry.needsFields ? record : null);
      const transition = startTransition(entry, ctx);
      if (probe.read() && record.fields === null) return 'fields-needed';
      const made = shapeOf(deps, input, transition, { enrollmentId, record });
      if (made === null) return null;
      const [shape, outboxIds] = made;
      index = shapes.push(shape) - 1;
      if (!probe.read()) byKey.set(key, index);
      const due = shape.state.dueAt;
      if (due !== null && (earliest === null || due < earliest)) earliest = due;
      members.push({ shape: index, enrollmentId, recordId: record.id, ownerId: record.ownerId, outboxIds });
    } else {
      const emails = (shapes[index] as StartShape).emails;
      members.push({
        shape: index,
        enrollmentId,
        recordId: record.id,
        ownerId: record.ownerId,
        // Drawn after the enrollment id, as effectRows draws them on the per-record path.
        outboxIds: emails.map(() => deps.ids.newId('out')),
      });
    }
  }
  const batch: StartBatch = {
    sequenceId: input.sequenceId,
    version: input.version,
    startedAt: now,
    exclusiveSlot: exclusiveSlot(deps, input.sequenceId),
    shapes,
    members,
  };
  return { batch, earliest };
}

/**
 * Makes `ctx.record.fields` report whether the transition read it (only conditions do). A record loaded
 * without its fields (`fields: null`) shows empty ones: a start that reads them is planned again with them.
 */
function probeFields(ctx: TransitionContext, record: EngineRecord | null): { read: () => boolean } {
  const seen = ctx.record ?? (record !== null && record.fields === null ? { fields: {} } : undefined);
  if (seen === undefined) return { read: () => false };
  let read = false;
  ctx.record = {
    get fields() {
      read = true;
      return seen.fields;
    },
  };
  return { read: () => read };
}

/** The shape of one start and its first member's outbox ids; null when a shape cannot carry these effects. */
function shapeOf(
  deps: EngineDeps,
  input: StartInput,
  [state, effects]: [EnrollmentState, Effect[]],
  first: { enrollmentId: string; record: EngineRecord },
): [StartShape, string[]] | null {
  const id = first.enrollmentId;
  const identity = {
    id,
    sequenceId: input.sequenceId,
    sequenceVersion: input.version,
    recordId: first.record.id,
    ownerId: first.record.ownerId,
  };
  const rows = effectRows(identity, effects, deps.ids, input.now);
  if (
    rows.stepPatches.length > 0 ||
    rows.outboxDrops.length > 0 ||
    rows.outboxHolds.length > 0 ||
    rows.outboxReleases.length > 0 ||
    rows.audit.length > 0 ||
    rows.advances.length > 0
  )
    return null;
  const steps: StartShape['steps'] = [];
  for (const { id: rowId, enrollmentId: _e, ownerId: _o, recordId: _r, ...rest } of rows.steps) {
    if (!rowId.startsWith(id)) return null;
    steps.push({ ...rest, idSuffix: rowId.slice(id.length) });
  }
  const emails: StartShape['emails'] = [];
  for (const { id: _id, idempotencyKey, ...rest } of rows.outbox) {
    if (!idempotencyKey.startsWith(id)) return null;
    emails.push({ ...rest, keySuffix: idempotencyKey.slice(id.length) });
  }
  const shape: StartShape = {
    state,
    endedAt: rows.endedAt,
    steps,
    emails,
    fields: rows.fields.map((f) => ({ field: f.field, value: f.value })),
    stats: [
      ...rows.stats,
      { sequenceId: input.sequenceId, version: input.version, stepId: '', counter: 'enrolled', by: 1 },
    ],
  };
  return [shape, rows.outbox.map((o) => o.id)];
}
