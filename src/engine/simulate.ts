// `stepwise simulate`'s engine: runs one enrollment through the pure transition function on a virtual
// clock, with scripted signals and seller actions, and returns its timeline. No store, no mail, no real clock.
import { DateTime } from 'luxon';
import {
  addWait,
  DEFAULT_WEEKLY_HOURS,
  type TimeOff,
  type WeeklyHours,
  type WorkingCalendar,
  withTimeZone,
} from '../domain/calendar.js';
import type { CallOutcome, SequenceDefinition, Step, StepType } from '../domain/definition.js';
import type { StepDuration } from '../domain/duration.js';
import {
  type Effect,
  type EndReason,
  type EnrollmentEvent,
  type EnrollmentSignal,
  type EnrollmentState,
  isEnded,
  newEnrollmentState,
  type TransitionContext,
} from '../domain/enrollment.js';
import { parseDefinition } from '../domain/parse-definition.js';
import { advance } from '../domain/transition.js';
import { validateForActivation } from '../domain/validate-definition.js';

/** Far more events than any real sequence needs; a guard against a runaway script, never reached by a valid one. */
export const MAX_SIMULATION_EVENTS = 10_000;

export interface SimulationOwner {
  timezone: string;
  /** Default: Monday–Friday 08:00–17:00. */
  workingHours?: WeeklyHours;
  timeOff?: TimeOff[];
}

export interface SimulationRecord {
  /** For `workingHours: 'recipient'`: automated emails go out in the owner's hours read in this zone. */
  timezone?: string;
  /** What field conditions read; `update_field` steps change it as the simulation runs. */
  fields?: Record<string, unknown>;
}

/**
 * When a scripted thing happens: at an instant, or a duration after its step (an email's send, an
 * activity's opening; the start when a signal names no step). A calendar day in `after` is a day in the
 * owner's zone, as in waits.
 */
export type ScriptedTime = { at: number } | { after: StepDuration };

export type ScriptedSignal = { type: EnrollmentSignal; stepId?: string } & ScriptedTime;

/**
 * What the seller does with a manual activity (or a wait, which may only be skipped). Without an action
 * a manual activity is completed as soon as it opens; a time earlier than the opening means "when it opens".
 */
export type ScriptedAction = {
  stepId: string;
  outcome?: CallOutcome;
  skip?: boolean;
  notes?: string;
} & (ScriptedTime | { at?: never; after?: never });

export interface SimulationInput {
  definition: SequenceDefinition;
  owner: SimulationOwner;
  record?: SimulationRecord;
  signals?: ScriptedSignal[];
  actions?: ScriptedAction[];
  /** When the record is connected (epoch ms). */
  start: number;
  /** Stop at this instant even if the enrollment is still running. */
  until?: number;
}

export type TimelineEvent =
  | 'entered'
  | 'opened'
  | 'completed'
  | 'skipped'
  | 'sent'
  | 'branch'
  | 'cancelled'
  | 'failed'
  | 'snoozed'
  | 'rescheduled'
  | 'signal'
  | 'ignored'
  | 'ended'
  | 'error'
  | 'stopped';

export interface TimelineEntry {
  /** Epoch ms. */
  at: number;
  /** `2026-11-02T14:00:00Z` */
  utc: string;
  /** The same instant in the owner's zone, with its offset: `2026-11-02T09:00:00-05:00`. */
  ownerTime: string;
  stepId: string | null;
  stepName: string | null;
  stepType: StepType | null;
  event: TimelineEvent;
  /** One line for people: a due time, a branch's target, a field's new value, an end reason. */
  detail: string;
  /** On `entered`: when the step opens, sends, ends or decides. */
  dueAt?: number;
  branch?: 'yes' | 'no';
  outcome?: CallOutcome;
  signal?: EnrollmentSignal;
  endReason?: EndReason;
}

export interface SimulationDefinitionIssue {
  code: string;
  path: string;
  stepId?: string;
  message: string;
}

/** Untrusted JSON to a definition that could be activated: the parser's, then the validator's issues. */
export function definitionForSimulation(
  json: unknown,
): { ok: true; definition: SequenceDefinition } | { ok: false; issues: SimulationDefinitionIssue[] } {
  const parsed = parseDefinition(json);
  if (!parsed.ok) return { ok: false, issues: parsed.errors };
  const issues = validateForActivation(parsed.definition);
  return issues.length === 0 ? { ok: true, definition: parsed.definition } : { ok: false, issues };
}

export function simulateEnrollment(input: SimulationInput): TimelineEntry[] {
  return new Simulation(input).run();
}

interface Candidate {
  at: number;
  /** Ties at one instant: the mailbox, then signals, then the seller, then the scheduler's tick. */
  rank: number;
  deliver: () => void;
}

const MANUAL_TIMING_NOTE = 'moved into working hours';

class Simulation {
  private readonly steps = new Map<string, Step>();
  private readonly ownerCalendar: WorkingCalendar;
  private readonly recipientCalendar: WorkingCalendar | undefined;
  private readonly fields: Record<string, unknown>;
  private readonly timeline: TimelineEntry[] = [];
  private state: EnrollmentState = newEnrollmentState();
  private now: number;
  /** When each email step was sent (automated) or completed (manual email). */
  private readonly sentAt = new Map<string, number>();
  /** When the current step instance was entered and opened. */
  private enteredAt = 0;
  private openedAt = 0;
  private readonly signals: { signal: ScriptedSignal; done: boolean }[];
  private readonly actions = new Map<string, { action: ScriptedAction; used: boolean }>();
  /** Appended to the detail of the first row that closes a step: why it closed then. */
  private closeNote = '';
  private advancedTo: string | null = null;

  constructor(private readonly input: SimulationInput) {
    for (const step of input.definition.steps) if (!this.steps.has(step.id)) this.steps.set(step.id, step);
    this.ownerCalendar = {
      timezone: input.owner.timezone,
      weeklyHours: input.owner.workingHours ?? DEFAULT_WEEKLY_HOURS,
      timeOff: input.owner.timeOff ?? [],
    };
    const recipientZone = input.record?.timezone;
    this.recipientCalendar =
      recipientZone === undefined ? undefined : withTimeZone(this.ownerCalendar, recipientZone);
    this.fields = { ...(input.record?.fields ?? {}) };
    this.now = input.start;
    this.signals = (input.signals ?? []).map((signal) => ({ signal, done: false }));
    for (const action of input.actions ?? [])
      if (!this.actions.has(action.stepId)) this.actions.set(action.stepId, { action, used: false });
  }

  run(): TimelineEntry[] {
    this.deliver({ type: 'start' });
    let events = 1;
    while (!isEnded(this.state)) {
      const next = this.nextCandidate();
      if (next === undefined) {
        this.push(this.now, null, 'stopped', 'nothing more can happen: no due time and no scripted event');
        break;
      }
      if (this.input.until !== undefined && next.at > this.input.until) {
        this.push(
          this.input.until,
          this.state.stepId,
          'stopped',
          'end of the simulated period; the enrollment is still running',
        );
        break;
      }
      if (events >= MAX_SIMULATION_EVENTS) {
        this.push(this.now, this.state.stepId, 'stopped', `more than ${MAX_SIMULATION_EVENTS} events`);
        break;
      }
      this.now = Math.max(this.now, next.at);
      next.deliver();
      events += 1;
    }
    this.reportUnused();
    return this.timeline;
  }

  private context(): TransitionContext {
    return {
      now: this.now,
      ownerCalendar: this.ownerCalendar,
      ...(this.recipientCalendar !== undefined && { recipientCalendar: this.recipientCalendar }),
      record: { fields: this.fields },
    };
  }

  /** Applies one event at `now`; returns whether it changed anything. */
  private deliver(event: EnrollmentEvent, closeNote = ''): boolean {
    const before = this.state;
    const [state, effects] = advance(this.input.definition, before, event, this.context());
    this.state = state;
    this.closeNote = closeNote;
    for (const effect of effects) this.record(effect);
    this.closeNote = '';
    return state !== before;
  }

  private nextCandidate(): Candidate | undefined {
    const candidates: Candidate[] = [];
    const s = this.state;
    const stepId = s.stepId;
    if (s.status === 'active' && stepId !== null) {
      if (s.phase === 'sending' && s.due !== null) {
        const seq = s.seq;
        candidates.push({
          at: s.due,
          rank: 0,
          deliver: () => this.deliver({ type: 'email_sent', stepId, seq, at: this.now }),
        });
      }
      if (s.phase === 'open') candidates.push(this.sellerAction(stepId, s.seq));
      if (s.phase === 'waiting') {
        const entry = this.actions.get(stepId);
        if (entry !== undefined && !entry.used && entry.action.skip === true) {
          const seq = s.seq;
          candidates.push({
            at: Math.max(this.enteredAt, this.timeOf(entry.action, this.enteredAt)),
            rank: 2,
            deliver: () => {
              entry.used = true;
              this.deliver({ type: 'wait_skipped', stepId, seq }, 'scripted skip');
            },
          });
        }
      }
      if (s.dueAt !== null)
        candidates.push({ at: s.dueAt, rank: 3, deliver: () => this.deliver({ type: 'tick' }) });
    }
    for (const pending of this.signals) {
      if (pending.done) continue;
      const at = this.signalTime(pending.signal);
      if (at === undefined) continue;
      candidates.push({ at: Math.max(at, this.now), rank: 1, deliver: () => this.signal(pending, at) });
    }
    let best: Candidate | undefined;
    for (const c of candidates) {
      if (best === undefined || c.at < best.at || (c.at === best.at && c.rank < best.rank)) best = c;
    }
    return best;
  }

  /** The open step's scripted completion or skip, or by default its completion as soon as it opens. */
  private sellerAction(stepId: string, seq: number): Candidate {
    const entry = this.actions.get(stepId);
    if (entry === undefined || entry.used) {
      return {
        at: this.openedAt,
        rank: 2,
        deliver: () =>
          this.deliver({ type: 'step_completed', stepId, seq }, 'done when it opened (no action scripted)'),
      };
    }
    const { action } = entry;
    return {
      at: Math.max(this.openedAt, this.timeOf(action, this.openedAt)),
      rank: 2,
      deliver: () => {
        entry.used = true;
        if (action.skip === true) {
          this.deliver({ type: 'step_skipped', stepId, seq, actorId: 'script' }, 'scripted skip');
          return;
        }
        this.deliver(
          {
            type: 'step_completed',
            stepId,
            seq,
            actorId: 'script',
            ...(action.outcome !== undefined && { outcome: action.outcome }),
            ...(action.notes !== undefined && { notes: action.notes }),
          },
          action.notes === undefined ? 'scripted' : `scripted: ${action.notes}`,
        );
      },
    };
  }

  private timeOf(time: ScriptedAction | ScriptedSignal, base: number): number {
    if ('after' in time && time.after !== undefined)
      return addWait(this.ownerCalendar, base, time.after, { skipNonWorkingDays: false });
    if ('at' in time && time.at !== undefined) return time.at;
    return base;
  }

  /** A signal's instant; undefined while it is relative to an email that hasn't been sent yet. */
  private signalTime(signal: ScriptedSignal): number | undefined {
    if ('at' in signal) return signal.at;
    if (signal.stepId === undefined) return this.timeOf(signal, this.input.start);
    const sent = this.sentAt.get(signal.stepId);
    return sent === undefined ? undefined : this.timeOf(signal, sent);
  }

  private signal(pending: { signal: ScriptedSignal; done: boolean }, at: number): void {
    pending.done = true;
    const { type, stepId } = pending.signal;
    const label = stepId === undefined ? type : `${type} on ${stepId}`;
    if (stepId !== undefined && isEmailType(this.steps.get(stepId))) {
      // Engagement can only follow a message: the real engine matches it to a sent one.
      const sent = this.sentAt.get(stepId);
      if (sent === undefined || sent > at) {
        this.push(this.now, stepId, 'ignored', `${label}: ${stepId} was not sent yet`, { signal: type });
        return;
      }
    }
    const row = this.push(this.now, stepId ?? null, 'signal', label, { signal: type });
    const changed = this.deliver({
      type: 'signal',
      signal: type,
      at,
      ...(stepId !== undefined && { stepId }),
    });
    if (!changed) row.detail += ' (no effect: nothing waits for it)';
  }

  private record(effect: Effect): void {
    switch (effect.type) {
      case 'step.entered': {
        this.enteredAt = effect.proposedDueAt;
        const step = this.steps.get(effect.stepId);
        this.push(effect.proposedDueAt, effect.stepId, 'entered', this.enteredDetail(step, effect), {
          dueAt: effect.dueAt,
        });
        return;
      }
      case 'step.opened':
        this.openedAt = effect.at;
        this.push(effect.at, effect.stepId, 'opened', 'in the work list');
        return;
      case 'step.closed': {
        const step = this.steps.get(effect.stepId);
        // The note explains the event's own step: the first one it closes.
        const note = this.closeNote;
        this.closeNote = '';
        const withNote = (text: string) => [text, note].filter((t) => t !== '').join('; ');
        if (effect.state === 'completed' && isEmailType(step)) this.sentAt.set(effect.stepId, effect.at);
        if (effect.branch !== undefined && step?.type === 'condition') {
          const target = effect.branch === 'yes' ? step.yes : step.no;
          this.push(effect.at, effect.stepId, 'branch', `${effect.branch} → ${target ?? 'end'}`, {
            branch: effect.branch,
          });
          return;
        }
        if (effect.state === 'completed') {
          const event: TimelineEvent = step?.type === 'automated_email' ? 'sent' : 'completed';
          const what =
            step?.type === 'update_field'
              ? `${step.field} = ${JSON.stringify(step.value)}`
              : effect.outcome !== undefined
                ? `outcome ${effect.outcome}`
                : '';
          this.push(effect.at, effect.stepId, event, withNote(what), {
            ...(effect.outcome !== undefined && { outcome: effect.outcome }),
          });
          return;
        }
        this.push(effect.at, effect.stepId, effect.state, withNote(effect.reason ?? ''));
        return;
      }
      case 'step.snoozed':
        this.push(this.now, effect.stepId, 'snoozed', `until ${this.ownerTime(effect.until)}`);
        return;
      case 'step.rescheduled':
        this.push(this.now, effect.stepId, 'rescheduled', `due ${this.ownerTime(effect.dueAt)}`);
        return;
      case 'field.update':
        this.fields[effect.field] = effect.value;
        return;
      case 'advance.start':
        this.advancedTo = effect.sequenceId;
        return;
      case 'enrollment.ended': {
        const detail =
          effect.reason === 'advanced_to_other_sequence' && this.advancedTo !== null
            ? `${effect.reason} → ${this.advancedTo}`
            : effect.reason;
        this.push(effect.at, this.state.stepId, 'ended', detail, { endReason: effect.reason });
        return;
      }
      case 'enrollment.error':
        this.push(this.now, effect.stepId, 'error', effect.message);
        return;
      case 'email.queue':
      case 'email.cancel':
      case 'email.hold':
      case 'email.release':
      case 'stats.increment':
        return;
      default:
        effect satisfies never;
    }
  }

  private enteredDetail(step: Step | undefined, effect: Extract<Effect, { type: 'step.entered' }>): string {
    const moved = effect.dueAt > effect.proposedDueAt;
    const due = this.ownerTime(effect.dueAt);
    if (step === undefined) return effect.stepType;
    switch (step.type) {
      case 'email':
      case 'phone_call':
      case 'task':
      case 'linkedin_research':
      case 'linkedin_get_introduced':
      case 'linkedin_connect':
      case 'linkedin_inmail':
        return moved ? `${step.type}, due ${due} (${MANUAL_TIMING_NOTE})` : `${step.type}, due now`;
      case 'automated_email':
        return moved ? `automated_email, sends ${due} (next sending window)` : 'automated_email, sends now';
      case 'wait':
        return `wait ${step.duration}, until ${due}`;
      case 'condition':
        return moved
          ? `condition, decides by ${due} (within ${step.within ?? '?'})`
          : 'condition, decides now';
      case 'update_field':
        return 'update_field';
      case 'advance_to_sequence':
        return `advance_to_sequence ${step.sequenceId}`;
      default:
        step satisfies never;
        return effect.stepType;
    }
  }

  /** Scripted things that never happened: the enrollment ended first, or took the other branch. */
  private reportUnused(): void {
    const end = this.timeline.at(-1)?.at ?? this.now;
    for (const { signal, done } of this.signals) {
      if (done) continue;
      const label = signal.stepId === undefined ? signal.type : `${signal.type} on ${signal.stepId}`;
      const why =
        signal.stepId !== undefined && !('at' in signal) && !this.sentAt.has(signal.stepId)
          ? `${signal.stepId} was never sent`
          : 'the enrollment had ended';
      this.push(end, signal.stepId ?? null, 'ignored', `${label}: ${why}`, { signal: signal.type });
    }
    for (const [stepId, { used }] of this.actions) {
      if (!used) this.push(end, stepId, 'ignored', `scripted action on ${stepId}: the step never needed it`);
    }
  }

  private push(
    at: number,
    stepId: string | null,
    event: TimelineEvent,
    detail: string,
    extra: Partial<TimelineEntry> = {},
  ): TimelineEntry {
    const step = stepId === null ? undefined : this.steps.get(stepId);
    const entry: TimelineEntry = {
      at,
      utc: DateTime.fromMillis(at, { zone: 'utc' }).toISO({ suppressMilliseconds: true }) ?? String(at),
      ownerTime: this.ownerTime(at),
      stepId,
      stepName: step?.name ?? null,
      stepType: step?.type ?? null,
      event,
      detail,
      ...extra,
    };
    this.timeline.push(entry);
    return entry;
  }

  private ownerTime(at: number): string {
    return (
      DateTime.fromMillis(at, { zone: this.ownerCalendar.timezone }).toISO({ suppressMilliseconds: true }) ??
      String(at)
    );
  }
}

function isEmailType(step: Step | undefined): boolean {
  return step?.type === 'email' || step?.type === 'automated_email';
}
