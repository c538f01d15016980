// The enrollment's state, the events that move it and the effects a transition asks for.
// Plain JSON-serialisable data: the state is stored in one column, effects become outbox/history rows.

import type { WorkingCalendar } from './calendar.js';
import type { CallOutcome, StepType } from './definition.js';

export const ENROLLMENT_STATUSES = ['active', 'paused', 'completed', 'disconnected', 'error'] as const;
export type EnrollmentStatus = (typeof ENROLLMENT_STATUSES)[number];

/** A count of 0 for each of `keys` (each status, each end reason): figures that name every one. */
export function zeroCounts<const K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

export const END_REASONS = [
  'user_disconnected',
  'sequence_deactivated',
  'sequence_deleted',
  'record_deleted',
  'exit_on_reply',
  'bounced',
  'unsubscribed',
  'advanced_to_other_sequence',
  'completed',
] as const;
export type EndReason = (typeof END_REASONS)[number];

/** Reasons the engine may pass in a `disconnect` event. */
export type DisconnectReason = Extract<
  EndReason,
  'user_disconnected' | 'sequence_deactivated' | 'sequence_deleted' | 'record_deleted'
>;

/**
 * Where the current step instance is.
 * - `scheduled`: a manual activity waiting for its due time (`due`), after which it opens; also a snoozed step.
 * - `open`: a manual activity in the owner's work list until completed or skipped.
 * - `waiting`: a wait step, ending at `due`.
 * - `awaiting_signal`: a condition that tests a signal, deciding at `due` (its `within` deadline) at the latest.
 * - `sending`: an automated email handed to the outbox (send time `due`), until `email_sent` / `email_failed` / `email_suppressed`.
 * - `done`: the step ended while the enrollment was paused; the sequence moves on when it resumes.
 */
export type StepPhase = 'scheduled' | 'open' | 'waiting' | 'awaiting_signal' | 'sending' | 'done';

/** The phases in which the enrollment needs a `tick` at `due`. */
export const TIMED_PHASES: readonly StepPhase[] = ['scheduled', 'waiting', 'awaiting_signal'];

/**
 * What later conditions need to know about one step of this enrollment (kept only for steps a condition tests).
 * Signal times are epoch ms of their first occurrence; `skipped` marks an email that was skipped, failed
 * permanently or was suppressed (its signals can never come), or a call that was skipped.
 */
export interface StepFacts {
  opened?: number;
  replied?: number;
  clicked?: number;
  attachment_opened?: number;
  outcome?: CallOutcome;
  skipped?: true;
}

export interface EnrollmentState {
  status: EnrollmentStatus;
  endReason: EndReason | null;
  /** The current step (the last one once the enrollment has ended); null before `start`. */
  stepId: string | null;
  phase: StepPhase | null;
  /** Incremented each time a step is entered: (enrollment id, seq) names one step instance, for idempotency keys. */
  seq: number;
  /** The current step instance's own due time (open time, wait end, condition deadline, send time); kept while paused. */
  due: number | null;
  /** When the engine must deliver a `tick`: `due` in a timed phase of an active enrollment, else null. The engine indexes it. */
  dueAt: number | null;
  pausedAt: number | null;
  /**
   * A `scheduled` step whose `due` the working calendar placed: the instant it was ready, from which
   * `manualDue` placed it, so a calendar change places it again (`calendar_changed`). Null in every other
   * phase, for a snoozed step (the seller's exact time, never moved) and in states stored before it
   * existed (left as they were placed).
   */
  readyAt: number | null;
  /** Keyed by step id. */
  facts: Record<string, StepFacts>;
}

/** A freshly connected enrollment; the `start` event enters the definition's first step. */
export function newEnrollmentState(): EnrollmentState {
  return {
    status: 'active',
    endReason: null,
    stepId: null,
    phase: null,
    seq: 0,
    due: null,
    dueAt: null,
    pausedAt: null,
    readyAt: null,
    facts: {},
  };
}

export function isEnded(state: EnrollmentState): boolean {
  return state.status !== 'active' && state.status !== 'paused';
}

export type EnrollmentSignal =
  | 'email_opened'
  | 'email_clicked'
  | 'email_replied'
  | 'email_attachment_opened'
  | 'email_bounced'
  | 'email_unsubscribed'
  | 'linkedin_connection_accepted';

/**
 * Events that name a step may also carry the step instance's `seq`: when given, an event for another
 * instance does not apply. `at` times later than `now` are taken as `now`.
 */
export type EnrollmentEvent =
  | { type: 'start' }
  | { type: 'tick' }
  | {
      type: 'step_completed';
      stepId: string;
      seq?: number;
      outcome?: CallOutcome;
      notes?: string;
      actorId?: string;
    }
  | { type: 'step_skipped'; stepId: string; seq?: number; actorId?: string }
  | { type: 'snoozed'; stepId: string; seq?: number; until: number }
  | { type: 'wait_skipped'; stepId?: string; seq?: number; actorId?: string }
  | { type: 'signal'; signal: EnrollmentSignal; stepId?: string; at: number }
  | {
      type: 'email_sent';
      stepId: string;
      seq?: number;
      at: number;
      /**
       * A manual email step that the seller sends through Stepwise (`/send`): the message to queue,
       * subject and body as the seller left them (absent: the step's template as is).
       */
      send?: { subject?: string; body?: string };
      /** The seller who sent a manual email step (absent for an automated email). */
      actorId?: string;
    }
  | { type: 'email_failed'; stepId: string; seq?: number; permanent: boolean; reason: string }
  | { type: 'email_suppressed'; stepId: string; seq?: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'disconnect'; reason: DisconnectReason }
  | { type: 'record_fields_changed' }
  /**
   * The owner's working calendar changed (hours, zone, time off), or the enrollment has a new owner: a
   * step the calendar placed and that is not due yet is placed again from its `readyAt` in `ctx.ownerCalendar`.
   */
  | { type: 'calendar_changed' };

export type EnrollmentEventType = EnrollmentEvent['type'];

/** How a step instance ended (the history row's final state). */
export type StepClosedState = 'completed' | 'skipped' | 'cancelled' | 'failed';

/**
 * What a transition asks the engine to do, in order. There is no `wake` effect: the next wake-up is
 * `state.dueAt`, which the engine stores under an index.
 */
export type Effect =
  | {
      /** A history row: `proposedDueAt` is when the step was reached, `dueAt` when it is due (opens, ends, sends). */
      type: 'step.entered';
      stepId: string;
      stepType: StepType;
      seq: number;
      proposedDueAt: number;
      dueAt: number;
    }
  | { type: 'step.opened'; stepId: string; seq: number; at: number; dueAt: number }
  | { type: 'step.snoozed'; stepId: string; seq: number; until: number }
  /**
   * The step's due time moved: a resumed enrollment's pending times shift by the paused duration; a
   * scheduled manual step follows its owner's changed calendar (`calendar_changed`).
   */
  | { type: 'step.rescheduled'; stepId: string; seq: number; dueAt: number }
  | {
      type: 'step.closed';
      stepId: string;
      seq: number;
      state: StepClosedState;
      at: number;
      outcome?: CallOutcome;
      /** For a condition: the branch taken. */
      branch?: 'yes' | 'no';
      notes?: string;
      actorId?: string;
      /** Why a step was skipped, failed or cancelled by the system (`suppressed`, a send error, an end reason). */
      reason?: string;
    }
  | {
      /** Idempotency key: (enrollment id, seq). `sendAt` is the earliest instant inside the sending window. */
      type: 'email.queue';
      stepId: string;
      seq: number;
      templateId: string | null;
      sendAt: number;
      /** A manual email the seller sent: their edited subject/body, used instead of the template's. */
      override?: { subject?: string; body?: string };
    }
  /** The enrollment ended while this automated email was queued: drop its outbox row unless already handed to SMTP. */
  | { type: 'email.cancel'; stepId: string; seq: number }
  /** Paused while this automated email was queued: hold its outbox row unless already handed to SMTP. */
  | { type: 'email.hold'; stepId: string; seq: number }
  /** Resumed: a held email goes out at `sendAt` (nothing happens to a row that was not held). */
  | { type: 'email.release'; stepId: string; seq: number; sendAt: number }
  | {
      type: 'field.update';
      stepId: string;
      seq: number;
      field: string;
      value: string | number | boolean | null;
    }
  | { type: 'enrollment.ended'; reason: EndReason; at: number }
  /** The definition is broken (a missing step, a runaway loop): the enrollment stops with status `error`. */
  | { type: 'enrollment.error'; message: string; stepId: string | null }
  /** Start the target sequence's latest active version for the same record, in the same transaction. */
  | { type: 'advance.start'; sequenceId: string }
  | { type: 'stats.increment'; stepId: string; counter: StepCounter };

/** Per-step statistics counters: `reached`, `completed`, `skipped`, `failed`, `cancelled`, `yes`, `no`, `outcome:<call outcome>`. */
export type StepCounter =
  | 'reached'
  | 'completed'
  | 'skipped'
  | 'failed'
  | 'cancelled'
  /** An email step's message left (automated: the sender's `email_sent`; manual: the seller sent it). */
  | 'email_sent'
  | 'yes'
  | 'no'
  | `outcome:${CallOutcome}`;

export type EffectType = Effect['type'];

/** Everything a transition may read besides the definition and the state: data, and one hook it calls. */
export interface TransitionContext {
  now: number;
  ownerCalendar: WorkingCalendar;
  /** The record's calendar (its time zone), for `workingHours: 'recipient'`. */
  recipientCalendar?: WorkingCalendar;
  record?: { fields: Record<string, unknown> };
  /**
   * Called when a condition that tests a signal is about to read the facts. The engine stores signals
   * that only add a fact without applying them, and folds them in (re-running the transition with them
   * first) when this is called.
   */
  onSignalFactsRead?: () => void;
}
