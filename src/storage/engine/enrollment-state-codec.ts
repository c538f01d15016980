// How an enrollment's transition state is laid out in its row. Status, end reason, current step and
// due time are columns already (indexed, read by lists), so the `state` column keeps only the rest, with
// one-letter keys and nothing that is null or empty: ~40 bytes instead of ~150 for the full object.
import type { EnrollmentState, StepFacts, StepPhase } from '../../domain/enrollment.js';

interface CompactState {
  /** phase */
  p?: StepPhase;
  /** seq */
  q?: number;
  /** due */
  d?: number;
  /** pausedAt */
  a?: number;
  /** readyAt (absent in rows written before it existed: read as null) */
  r?: number;
  /** facts */
  f?: Record<string, StepFacts>;
}

export interface EnrollmentStateColumns {
  status: EnrollmentState['status'];
  end_reason: EnrollmentState['endReason'];
  current_step_id: string | null;
  due_at: number | null;
  state: string;
}

// States are immutable values (the transition returns a new object for any change), and a bulk connect
// shares one start state among all records of an owner: encoded once per object, not once per row.
const encoded = new WeakMap<EnrollmentState, EnrollmentStateColumns>();

export function encodeState(state: EnrollmentState): EnrollmentStateColumns {
  let columns = encoded.get(state);
  if (columns === undefined) {
    columns = encodeStateOnce(state);
    encoded.set(state, columns);
  }
  return columns;
}

/**
 * Uncached, for a state written once: a fenced update's is a new object from its transition, so an
 * entry in the cache above would never be read again and only give the GC one more ephemeron per row.
 */
export function encodeStateOnce(state: EnrollmentState): EnrollmentStateColumns {
  const compact: CompactState = {};
  if (state.phase !== null) compact.p = state.phase;
  if (state.seq !== 0) compact.q = state.seq;
  if (state.due !== null) compact.d = state.due;
  if (state.pausedAt !== null) compact.a = state.pausedAt;
  if (state.readyAt !== null) compact.r = state.readyAt;
  for (const _ in state.facts) {
    compact.f = state.facts;
    break;
  }
  return {
    status: state.status,
    end_reason: state.endReason,
    current_step_id: state.stepId,
    due_at: state.dueAt,
    state: JSON.stringify(compact),
  };
}

/** Also reads the full object form (rows written through `enrollments.create` with a whole state). */
export function decodeState(row: {
  status: string;
  end_reason: string | null;
  current_step_id: string | null;
  due_at: number | null;
  state: string;
}): EnrollmentState {
  const json = JSON.parse(row.state) as CompactState & Partial<EnrollmentState>;
  return {
    status: row.status as EnrollmentState['status'],
    endReason: row.end_reason as EnrollmentState['endReason'],
    stepId: row.current_step_id,
    phase: json.p ?? json.phase ?? null,
    seq: json.q ?? json.seq ?? 0,
    due: json.d ?? json.due ?? null,
    dueAt: row.due_at,
    pausedAt: json.a ?? json.pausedAt ?? null,
    readyAt: json.r ?? json.readyAt ?? null,
    facts: json.f ?? json.facts ?? {},
  };
}
