// Test support for the transition suites: a tiny driver that feeds events at explicit instants.
import { ALWAYS_OPEN, type WorkingCalendar } from '../calendar.js';
import {
  DEFAULT_SEQUENCE_OPTIONS,
  type SequenceDefinition,
  type SequenceOptions,
  type Step,
} from '../definition.js';
import {
  type Effect,
  type EnrollmentEvent,
  type EnrollmentState,
  newEnrollmentState,
  type TransitionContext,
} from '../enrollment.js';
import { advance } from '../transition.js';

export const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad instant ${iso}`);
  return ms;
};
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function sequence(steps: Step[], options: Partial<SequenceOptions> = {}): SequenceDefinition {
  return { start: steps[0]?.id ?? '', options: { ...DEFAULT_SEQUENCE_OPTIONS, ...options }, steps };
}

export interface DriverOptions {
  owner?: WorkingCalendar;
  recipient?: WorkingCalendar;
  fields?: Record<string, unknown>;
}

/** Feeds events one by one, keeps the state and the whole effect log. */
export class Driver {
  state: EnrollmentState = newEnrollmentState();
  readonly log: Effect[] = [];
  fields: Record<string, unknown>;

  constructor(
    readonly definition: SequenceDefinition,
    readonly options: DriverOptions = {},
  ) {
    this.fields = options.fields ?? {};
  }

  context(now: number): TransitionContext {
    return {
      now,
      ownerCalendar: this.options.owner ?? ALWAYS_OPEN,
      ...(this.options.recipient !== undefined && { recipientCalendar: this.options.recipient }),
      record: { fields: this.fields },
    };
  }

  send(event: EnrollmentEvent, now: number): Effect[] {
    const [state, effects] = advance(this.definition, this.state, event, this.context(now));
    this.state = state;
    this.log.push(...effects);
    return effects;
  }

  /** Ticks at the state's dueAt (or `now` if later) — what the engine's scheduler does. */
  tick(now?: number): Effect[] {
    const due = this.state.dueAt;
    if (due === null) throw new Error('nothing is due');
    return this.send({ type: 'tick' }, Math.max(due, now ?? due));
  }

  ofType<T extends Effect['type']>(type: T, effects: Effect[] = this.log): Extract<Effect, { type: T }>[] {
    return effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
  }

  /** The step ids entered so far, in order. */
  path(): string[] {
    return this.ofType('step.entered').map((e) => e.stepId);
  }
}
