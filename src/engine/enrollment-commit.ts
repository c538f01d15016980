// A transition's effects as rows: history inserts and patches, outbox rows, field writes, counters and
// audit entries, ready for `store.engine.commit`. Pure apart from the ids it draws for new rows.
import type { StepType } from '../domain/definition.js';
import type { Effect, EnrollmentState } from '../domain/enrollment.js';
import type { Ids } from './ports/ids.js';
import type {
  AuditEntry,
  EnrollmentCommit,
  OutboxInsert,
  OutboxRelease,
  RecordFieldWrite,
  StatDelta,
  StepHistoryInsert,
  StepHistoryPatch,
} from './ports/store.js';

/** The enrollment a commit belongs to. */
export interface EnrollmentIdentity {
  id: string;
  sequenceId: string;
  sequenceVersion: number;
  recordId: string;
  ownerId: string;
}

/**
 * The id of a step instance's history row: the enrollment id and the instance's `seq`, zero-padded so
 * that ids sort in the order the steps happened. Deterministic, so a retried transition cannot add a
 * second row for the same instance (the primary key refuses it).
 */
export function stepRowId(enrollmentId: string, seq: number): string {
  return `${enrollmentId}.${String(seq).padStart(4, '0')}`;
}

/** The inverse of stepRowId, or null for an id it did not make. */
export function parseStepRowId(id: string): { enrollmentId: string; seq: number } | null {
  const match = /^(.+)\.(\d{4,})$/.exec(id);
  if (match === null) return null;
  return { enrollmentId: match[1] as string, seq: Number(match[2]) };
}

/** The outbox idempotency key of an automated email: one message per step instance, ever. */
export function emailKey(enrollmentId: string, seq: number): string {
  return `${enrollmentId}:${seq}`;
}

export interface EffectRows {
  steps: StepHistoryInsert[];
  stepPatches: StepHistoryPatch[];
  outbox: OutboxInsert[];
  outboxDrops: string[];
  outboxHolds: string[];
  outboxReleases: OutboxRelease[];
  fields: RecordFieldWrite[];
  stats: StatDelta[];
  audit: AuditEntry[];
  /** Sequences to start for the same record (advance_to_sequence). */
  advances: string[];
  /** When the enrollment ended in these effects, else null. */
  endedAt: number | null;
}

const EMPTY_PATCH: Omit<StepHistoryPatch, 'id'> = {
  state: null,
  dueAt: null,
  openedAt: null,
  completedAt: null,
  outcome: null,
  notes: null,
  actorId: null,
  snoozedAt: null,
};

export function effectRows(
  e: EnrollmentIdentity,
  effects: readonly Effect[],
  ids: Ids,
  now: number,
): EffectRows {
  const rows: EffectRows = {
    steps: [],
    stepPatches: [],
    outbox: [],
    outboxDrops: [],
    outboxHolds: [],
    outboxReleases: [],
    fields: [],
    stats: [],
    audit: [],
    advances: [],
    endedAt: null,
  };
  // A step entered in this same transition is still an insert: later effects edit the row to insert.
  // Made on first use: a bulk connect calls this 100,000 times, most with one step entered.
  let inserted: Map<number, StepHistoryInsert> | null = null;
  let patches: Map<number, StepHistoryPatch> | null = null;
  const edit = (seq: number): Omit<StepHistoryPatch, 'id'> => {
    const row = inserted?.get(seq);
    if (row !== undefined) return row as unknown as Omit<StepHistoryPatch, 'id'>;
    patches ??= new Map();
    let patch = patches.get(seq);
    if (patch === undefined) {
      patch = { id: stepRowId(e.id, seq), ...EMPTY_PATCH };
      patches.set(seq, patch);
    }
    return patch;
  };
  const stat = (stepId: string, counter: string) =>
    rows.stats.push({ sequenceId: e.sequenceId, version: e.sequenceVersion, stepId, counter, by: 1 });

  for (const effect of effects) {
    switch (effect.type) {
      case 'step.entered': {
        const row: StepHistoryInsert = {
          id: stepRowId(e.id, effect.seq),
          enrollmentId: e.id,
          stepId: effect.stepId,
          type: effect.stepType as StepType,
          state: 'waiting',
          ownerId: e.ownerId,
          recordId: e.recordId,
          sequenceId: e.sequenceId,
          proposedDueAt: effect.proposedDueAt,
          dueAt: effect.dueAt,
          openedAt: null,
          completedAt: null,
          outcome: null,
          notes: null,
          actorId: null,
        };
        inserted ??= new Map();
        inserted.set(effect.seq, row);
        rows.steps.push(row);
        break;
      }
      case 'step.opened': {
        const row = edit(effect.seq);
        row.state = 'open';
        row.openedAt = effect.at;
        row.dueAt = effect.dueAt;
        break;
      }
      case 'step.snoozed': {
        const row = edit(effect.seq);
        row.state = 'waiting';
        row.dueAt = effect.until;
        row.snoozedAt = now;
        break;
      }
      case 'step.rescheduled':
        edit(effect.seq).dueAt = effect.dueAt;
        break;
      case 'step.closed': {
        const row = edit(effect.seq);
        row.state = effect.state;
        row.completedAt = effect.at;
        // One outcome column: a call's outcome, a condition's branch, or why the system closed the step.
        row.outcome = effect.outcome ?? effect.branch ?? effect.reason ?? null;
        if (effect.notes !== undefined) row.notes = effect.notes;
        if (effect.actorId !== undefined) row.actorId = effect.actorId;
        break;
      }
      case 'email.queue':
        rows.outbox.push({
          id: ids.newId('out'),
          idempotencyKey: emailKey(e.id, effect.seq),
          kind: 'email',
          payload: {
            enrollmentId: e.id,
            sequenceId: e.sequenceId,
            sequenceVersion: e.sequenceVersion,
            recordId: e.recordId,
            ownerId: e.ownerId,
            stepId: effect.stepId,
            seq: effect.seq,
            templateId: effect.templateId,
            ...(effect.override === undefined ? {} : { override: effect.override }),
          },
          availableAt: effect.sendAt,
          createdAt: now,
        });
        break;
      case 'email.cancel':
        rows.outboxDrops.push(emailKey(e.id, effect.seq));
        break;
      case 'email.hold':
        rows.outboxHolds.push(emailKey(e.id, effect.seq));
        break;
      case 'email.release':
        rows.outboxReleases.push({ idempotencyKey: emailKey(e.id, effect.seq), availableAt: effect.sendAt });
        break;
      case 'field.update':
        rows.fields.push({ recordId: e.recordId, field: effect.field, value: effect.value, at: now });
        break;
      case 'enrollment.ended':
        rows.endedAt = effect.at;
        stat('', `ended:${effect.reason}`);
        break;
      case 'enrollment.error':
        rows.endedAt = now;
        stat('', 'ended:error');
        rows.audit.push({
          id: ids.newId('aud'),
          at: now,
          actorId: null,
          action: 'enrollment.error',
          subjectType: 'enrollment',
          subjectId: e.id,
          data: { message: effect.message, stepId: effect.stepId },
        });
        break;
      case 'advance.start':
        rows.advances.push(effect.sequenceId);
        break;
      case 'stats.increment':
        stat(effect.stepId, effect.counter);
        break;
      default:
        effect satisfies never;
    }
  }
  if (patches !== null) rows.stepPatches = [...(patches as Map<number, StepHistoryPatch>).values()];
  return rows;
}

/** A commit from effect rows; `follow` is filled by the caller when the rows ask for advances. */
export function commitOf(
  enrollmentId: string,
  target: EnrollmentCommit['target'],
  rows: EffectRows,
): EnrollmentCommit {
  return {
    enrollmentId,
    target,
    steps: rows.steps,
    stepPatches: rows.stepPatches,
    outbox: rows.outbox,
    outboxDrops: rows.outboxDrops,
    outboxHolds: rows.outboxHolds,
    outboxReleases: rows.outboxReleases,
    fields: rows.fields,
    stats: rows.stats,
    audit: rows.audit,
    follow: [],
  };
}

/** The earliest due time among these states, for wake-up hints. */
export function earliestDue(states: Iterable<EnrollmentState>): number | null {
  let min: number | null = null;
  for (const s of states) if (s.dueAt !== null && (min === null || s.dueAt < min)) min = s.dueAt;
  return min;
}
