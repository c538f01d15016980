// The reference model of the model-based engine test: one small sequence's rules written out by hand,
// in plain TypeScript, reusing nothing of the engine or of the transition function. It says what every
// enrollment, history row and outbox row must look like after each command; the test compares the
// database with it. The owner works around the clock (24/7 calendar), so a manual step is due when it
// is reached, a wait of P1D is 24 hours (UTC) and a condition's `within` is plain elapsed time.
import type { SequenceDefinition } from '../../domain/definition.js';
import { definition, HOUR } from './engine-world.js';

/** How long the wait `w1` lasts (P1D in UTC) and the condition `c1` waits for an open (PT4H). */
export const MODEL_WAIT_MS = 24 * HOUR;
export const MODEL_WITHIN_MS = 4 * HOUR;

/**
 * p1 call → u1 update_field → a1 automated email → c1 opened within PT4H?
 *   yes → t1 task (end) · no → w1 wait P1D → a2 automated email (end). A reply to a1 exits.
 */
export const MODEL_SEQUENCE: SequenceDefinition = definition(
  [
    { id: 'p1', type: 'phone_call', name: 'Call', next: 'u1' },
    { id: 'u1', type: 'update_field', field: 'stage', value: 'contacted', next: 'a1' },
    { id: 'a1', type: 'automated_email', templateId: 'tpl_a1', next: 'c1' },
    {
      id: 'c1',
      type: 'condition',
      if: { signal: 'email_opened', step: 'a1' },
      within: 'PT4H',
      yes: 't1',
      no: 'w1',
    },
    { id: 't1', type: 'task', name: 'Follow up' },
    { id: 'w1', type: 'wait', duration: 'P1D', next: 'a2' },
    { id: 'a2', type: 'automated_email', templateId: 'tpl_a2' },
  ],
  { exitOnReply: true, workingHours: 'none' },
);

const NEXT: Record<string, string | undefined> = {
  p1: 'u1',
  u1: 'a1',
  a1: 'c1',
  t1: undefined,
  w1: 'a2',
  a2: undefined,
};

export type ModelPhase = 'scheduled' | 'open' | 'waiting' | 'awaiting_signal' | 'sending' | 'done';
export type ModelStatus = 'active' | 'paused' | 'completed' | 'disconnected';
export type ModelStepState = 'waiting' | 'open' | 'completed' | 'skipped' | 'cancelled';

/** One history row (enrollment_steps) as it must be. */
export interface ModelStep {
  stepId: string;
  state: ModelStepState;
  proposedDueAt: number;
  dueAt: number;
  openedAt: number | null;
  completedAt: number | null;
  outcome: string | null;
}

export interface ModelEnrollment {
  id: string;
  recordId: string;
  status: ModelStatus;
  endReason: string | null;
  stepId: string | null;
  phase: ModelPhase | null;
  seq: number;
  due: number | null;
  dueAt: number | null;
  pausedAt: number | null;
  /** When a1 was first opened (the only fact the sequence keeps). */
  opened: number | null;
  version: number;
  leaseUntil: number | null;
  /** History rows by seq - 1. */
  steps: ModelStep[];
}

export interface ModelOutboxRow {
  enrollmentId: string;
  stepId: string;
  seq: number;
  availableAt: number;
  status: 'pending' | 'held' | 'sent' | 'dropped';
}

const TIMED: readonly (ModelPhase | null)[] = ['scheduled', 'waiting', 'awaiting_signal'];

export class ReferenceModel {
  now: number;
  readonly enrollments = new Map<string, ModelEnrollment>();
  /** Keyed by idempotency key `${enrollmentId}:${seq}`. */
  readonly outbox = new Map<string, ModelOutboxRow>();
  /** records.fields.stage as update_field leaves it. */
  readonly stage = new Map<string, string>();

  constructor(start: number) {
    this.now = start;
  }

  running(recordId: string): ModelEnrollment | undefined {
    for (const e of this.enrollments.values()) {
      if (e.recordId === recordId && (e.status === 'active' || e.status === 'paused')) return e;
    }
    return undefined;
  }

  /** Enrollments a claim at `now` may take: active, due, lease free or expired. */
  claimable(now: number): ModelEnrollment[] {
    return [...this.enrollments.values()].filter(
      (e) =>
        e.status === 'active' &&
        e.dueAt !== null &&
        e.dueAt <= now &&
        (e.leaseUntil === null || e.leaseUntil < now),
    );
  }

  // --- commands -------------------------------------------------------------------------------

  connect(id: string, recordId: string): void {
    const e: ModelEnrollment = {
      id,
      recordId,
      status: 'active',
      endReason: null,
      stepId: null,
      phase: null,
      seq: 0,
      due: null,
      dueAt: null,
      pausedAt: null,
      opened: null,
      version: 0,
      leaseUntil: null,
      steps: [],
    };
    this.enrollments.set(id, e);
    this.moveOn(e, 'p1', this.now);
    this.settle(e, this.now);
  }

  /** A worker's tick of a claimed row at `now` (its commit always lands and releases the lease). */
  tick(e: ModelEnrollment, now: number): void {
    this.settle(e, now);
    e.version += 1;
    e.leaseUntil = null;
  }

  complete(e: ModelEnrollment, stepId: string, outcome: string | null): boolean {
    return this.event(e, () => {
      if (e.status !== 'active' || e.stepId !== stepId || e.phase !== 'open') return false;
      this.close(e, 'completed', this.now, outcome);
      this.moveOn(e, NEXT[stepId], this.now);
      return true;
    });
  }

  skip(e: ModelEnrollment, stepId: string): boolean {
    return this.event(e, () => {
      if (e.status !== 'active' || e.stepId !== stepId || e.phase !== 'open') return false;
      this.close(e, 'skipped', this.now, null);
      this.moveOn(e, NEXT[stepId], this.now);
      return true;
    });
  }

  signal(e: ModelEnrollment, kind: 'opened' | 'replied'): boolean {
    return this.event(e, () => {
      if (kind === 'replied') {
        this.end(e, 'exit_on_reply', this.now);
        return true;
      }
      if (e.opened !== null && e.opened <= this.now) return false;
      e.opened = this.now;
      return true;
    });
  }

  pause(e: ModelEnrollment): boolean {
    return this.event(e, () => {
      if (e.status !== 'active' || e.stepId === null) return false;
      e.status = 'paused';
      e.pausedAt = this.now;
      e.dueAt = null;
      // A queued email waits with the enrollment.
      const row = e.phase === 'sending' ? this.outbox.get(`${e.id}:${e.seq}`) : undefined;
      if (row !== undefined && row.status === 'pending') row.status = 'held';
      return true;
    });
  }

  resume(e: ModelEnrollment): boolean {
    return this.event(e, () => {
      if (e.status !== 'paused') return false;
      const shift = Math.max(0, this.now - (e.pausedAt ?? this.now));
      e.status = 'active';
      e.pausedAt = null;
      if (e.phase === 'sending' && e.due !== null) {
        // Released at once (no working hours here), never earlier than it was due.
        if (this.now > e.due) {
          e.due = this.now;
          this.row(e).dueAt = e.due;
        }
        const row = this.outbox.get(`${e.id}:${e.seq}`);
        if (row !== undefined && row.status === 'held') {
          row.status = 'pending';
          row.availableAt = e.due;
        }
        return true;
      }
      if (e.due !== null && shift > 0 && e.phase !== 'done') {
        e.due += shift;
        this.row(e).dueAt = e.due;
      }
      return true;
    });
  }

  disconnect(e: ModelEnrollment): boolean {
    return this.event(e, () => {
      this.end(e, 'user_disconnected', this.now);
      return true;
    });
  }

  /** The sender reports the automated email of (enrollment, seq) sent at `now`. */
  emailSent(e: ModelEnrollment, seq: number): boolean {
    return this.event(e, () => {
      if (e.seq !== seq || (e.phase !== 'sending' && e.phase !== 'open')) return false;
      const stepId = e.stepId as string;
      if (e.phase === 'open') return false; // no manual email step in this sequence
      this.close(e, 'completed', this.now, null);
      if (e.status === 'paused') e.phase = 'done';
      else this.moveOn(e, NEXT[stepId], this.now);
      return true;
    });
  }

  // --- the rules --------------------------------------------------------------------------------

  /** An event: nothing after the end; when it applies, due work happens and the version moves. */
  private event(e: ModelEnrollment, apply: () => boolean): boolean {
    if (e.status !== 'active' && e.status !== 'paused') return false;
    if (!apply()) return false;
    this.settle(e, this.now);
    e.version += 1;
    e.leaseUntil = null;
    return true;
  }

  private row(e: ModelEnrollment): ModelStep {
    return e.steps[e.seq - 1] as ModelStep;
  }

  private close(e: ModelEnrollment, state: ModelStepState, at: number, outcome: string | null): void {
    const row = this.row(e);
    row.state = state;
    row.completedAt = at;
    if (outcome !== null) row.outcome = outcome;
    e.phase = null;
    e.due = null;
  }

  private moveOn(e: ModelEnrollment, first: string | undefined, t: number): void {
    let id = first;
    for (;;) {
      if (id === undefined) {
        this.end(e, 'completed', t);
        return;
      }
      e.seq += 1;
      e.stepId = id;
      e.phase = null;
      e.due = null;
      const enter = (dueAt: number, phase: ModelPhase) => {
        e.steps.push({
          stepId: id as string,
          state: 'waiting',
          proposedDueAt: t,
          dueAt,
          openedAt: null,
          completedAt: null,
          outcome: null,
        });
        e.phase = phase;
        e.due = dueAt;
      };
      switch (id) {
        case 'p1':
        case 't1':
          enter(t, 'scheduled');
          return;
        case 'u1':
          enter(t, 'scheduled');
          this.stage.set(e.recordId, 'contacted');
          this.close(e, 'completed', t, null);
          id = NEXT.u1;
          continue;
        case 'a1':
        case 'a2':
          enter(t, 'sending');
          this.outbox.set(`${e.id}:${e.seq}`, {
            enrollmentId: e.id,
            stepId: id,
            seq: e.seq,
            availableAt: t,
            status: 'pending',
          });
          return;
        case 'c1':
          enter(t + MODEL_WITHIN_MS, 'awaiting_signal');
          return;
        case 'w1':
          enter(t + MODEL_WAIT_MS, 'waiting');
          return;
        default:
          throw new Error(`model: unknown step ${id}`);
      }
    }
  }

  /** Everything due by `now` happens at its own due time; then dueAt is what the index holds. */
  private settle(e: ModelEnrollment, now: number): void {
    while (e.status === 'active' && e.phase !== null) {
      const stepId = e.stepId as string;
      if (e.phase === 'done') {
        this.moveOn(e, NEXT[stepId], now);
        continue;
      }
      const due = e.due as number;
      if (due > now) break;
      if (e.phase === 'scheduled') {
        e.phase = 'open';
        const row = this.row(e);
        row.state = 'open';
        row.openedAt = due;
        row.dueAt = due;
        break;
      }
      if (e.phase === 'waiting') {
        this.close(e, 'completed', due, null);
        this.moveOn(e, NEXT[stepId], due);
        continue;
      }
      if (e.phase === 'awaiting_signal') {
        const yes = e.opened !== null && e.opened <= due;
        this.close(e, 'completed', due, yes ? 'yes' : 'no');
        this.moveOn(e, yes ? 't1' : 'w1', due);
        continue;
      }
      break;
    }
    e.dueAt = e.status === 'active' && e.due !== null && TIMED.includes(e.phase) ? e.due : null;
  }

  private end(e: ModelEnrollment, reason: string, at: number): void {
    if (e.phase !== null && e.phase !== 'done') {
      if (e.phase === 'sending') {
        const row = this.outbox.get(`${e.id}:${e.seq}`);
        if (row !== undefined && (row.status === 'pending' || row.status === 'held')) row.status = 'dropped';
      }
      this.close(e, 'cancelled', at, reason);
    }
    e.status = reason === 'completed' ? 'completed' : 'disconnected';
    e.endReason = reason;
    e.phase = null;
    e.due = null;
    e.dueAt = null;
    e.pausedAt = null;
  }
}
