// Property tests of the transition function on random small definitions and random event sequences.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALWAYS_OPEN, DEFAULT_WEEKLY_HOURS, type WorkingCalendar } from './calendar.js';
import {
  CALL_OUTCOMES,
  type Condition,
  EMAIL_SIGNALS,
  type SequenceDefinition,
  type Step,
  type StepType,
  testsSignal,
} from './definition.js';
import {
  type Effect,
  type EnrollmentEvent,
  type EnrollmentState,
  isEnded,
  newEnrollmentState,
  type TransitionContext,
} from './enrollment.js';
import { at, DAY, HOUR, sequence } from './test-support/transition-driver.js';
import { advance } from './transition.js';

const T0 = at('2026-03-06T14:00:00Z');
const NEW_YORK: WorkingCalendar = {
  timezone: 'America/New_York',
  weeklyHours: DEFAULT_WEEKLY_HOURS,
  timeOff: [],
};
const DURATIONS = ['PT30M', 'PT1H', 'PT24H', 'P1D', 'P2D'];

const stepSpec = fc.record({
  hasNext: fc.boolean(),
  next: fc.nat(),
  yes: fc.nat(),
  no: fc.nat(),
  duration: fc.constantFrom(...DURATIONS),
  within: fc.constantFrom(...DURATIONS),
  signal: fc.constantFrom(...EMAIL_SIGNALS),
  moveOnSignal: fc.boolean(),
  pick: fc.nat(),
  shape: fc.constantFrom('single', 'any', 'all', 'field', 'outcome'),
});
type StepSpec = typeof stepSpec extends fc.Arbitrary<infer T> ? T : never;

const MANUAL_KINDS: StepType[] = ['email', 'phone_call', 'task', 'linkedin_connect'];
const AUTOMATIC_KINDS: StepType[] = [
  'automated_email',
  'wait',
  'condition',
  'update_field',
  'advance_to_sequence',
];

/** Steps s0..s(n-1) in topological order: every edge points forward, so the graph is acyclic. */
function build(kinds: StepType[], specs: StepSpec[], automaticOnly: boolean): SequenceDefinition {
  const n = kinds.length;
  const later = (i: number, k: number) => (i < n - 1 ? `s${i + 1 + (k % (n - 1 - i))}` : undefined);
  const steps: Step[] = kinds.map((type, i) => {
    const spec = specs[i] as StepSpec;
    const id = `s${i}`;
    const next = spec.hasNext ? later(i, spec.next) : undefined;
    const withNext = next === undefined ? {} : { next };
    switch (type) {
      case 'wait':
        return { id, type, duration: spec.duration, ...withNext };
      case 'update_field':
        return { id, type, field: 'status', value: `v${i}`, ...withNext };
      case 'advance_to_sequence':
        return { id, type, sequenceId: 'other' };
      case 'condition': {
        const emails = kinds
          .slice(0, i)
          .flatMap((k, j) => (k === 'email' || k === 'automated_email' ? [`s${j}`] : []));
        const calls = kinds.slice(0, i).flatMap((k, j) => (k === 'phone_call' ? [`s${j}`] : []));
        const signal: Condition | undefined =
          emails.length > 0
            ? { signal: spec.signal, step: emails[spec.pick % emails.length] as string }
            : undefined;
        const field: Condition = { field: 'hot', op: 'eq', value: true };
        let ifc: Condition = signal ?? field;
        if (spec.shape === 'any' && signal) ifc = { any: [signal, field] };
        if (spec.shape === 'all' && signal) ifc = { all: [signal, field] };
        if (spec.shape === 'field') ifc = field;
        if (spec.shape === 'outcome' && calls.length > 0 && !automaticOnly)
          ifc = { step: calls[spec.pick % calls.length] as string, outcome: ['answered'] };
        const yes = later(i, spec.yes);
        const no = later(i, spec.no);
        return {
          id,
          type,
          if: ifc,
          within: spec.within,
          moveOnSignal: spec.moveOnSignal,
          ...(yes !== undefined && { yes }),
          ...(no !== undefined && { no }),
        };
      }
      default:
        return { id, type, templateId: `tpl${i}`, ...withNext } as Step;
    }
  });
  return sequence(steps, { exitOnReply: specs[0]?.moveOnSignal ?? false });
}

const definitionArb = (automaticOnly: boolean) =>
  fc
    .array(fc.constantFrom(...(automaticOnly ? AUTOMATIC_KINDS : [...MANUAL_KINDS, ...AUTOMATIC_KINDS])), {
      minLength: 1,
      maxLength: 7,
    })
    .chain((kinds) =>
      fc
        .array(stepSpec, { minLength: kinds.length, maxLength: kinds.length })
        .map((specs) => build(kinds, specs, automaticOnly)),
    );

const EVENT_KINDS = [
  'tick',
  'tick',
  'tick',
  'step_completed',
  'step_skipped',
  'snoozed',
  'wait_skipped',
  'signal',
  'email_sent',
  'email_failed',
  'email_suppressed',
  'pause',
  'resume',
  'disconnect',
  'record_fields_changed',
  'start',
] as const;

const eventSpec = fc.record({
  kind: fc.constantFrom(...EVENT_KINDS),
  dt: fc.integer({ min: 0, max: 3 * DAY }),
  current: fc.boolean(),
  pick: fc.nat(),
  signal: fc.constantFrom(
    'email_opened',
    'email_clicked',
    'email_replied',
    'email_attachment_opened',
    'email_bounced',
    'email_unsubscribed',
    'linkedin_connection_accepted',
  ),
  outcome: fc.constantFrom(...CALL_OUTCOMES),
  permanent: fc.boolean(),
  twice: fc.boolean(),
  hot: fc.boolean(),
});
type EventSpec = typeof eventSpec extends fc.Arbitrary<infer T> ? T : never;

function toEvent(
  spec: EventSpec,
  def: SequenceDefinition,
  state: EnrollmentState,
  now: number,
): EnrollmentEvent {
  const stepId =
    spec.current && state.stepId !== null
      ? state.stepId
      : (def.steps[spec.pick % def.steps.length]?.id ?? 'x');
  switch (spec.kind) {
    case 'tick':
      return { type: 'tick' };
    case 'step_completed':
      return { type: 'step_completed', stepId, outcome: spec.outcome };
    case 'step_skipped':
      return { type: 'step_skipped', stepId };
    case 'snoozed':
      return { type: 'snoozed', stepId, until: now + (spec.pick % 48) * HOUR };
    case 'wait_skipped':
      return { type: 'wait_skipped', stepId };
    case 'signal':
      return { type: 'signal', signal: spec.signal, stepId, at: now - (spec.pick % 5) * HOUR };
    case 'email_sent':
      return { type: 'email_sent', stepId, at: now };
    case 'email_failed':
      return { type: 'email_failed', stepId, permanent: spec.permanent, reason: 'x' };
    case 'email_suppressed':
      return { type: 'email_suppressed', stepId };
    case 'disconnect':
      return { type: 'disconnect', reason: 'user_disconnected' };
    default:
      return { type: spec.kind };
  }
}

describe('advance, on random definitions and events', () => {
  it('never throws, never re-enters a seq, opens nothing early, is final once ended and idempotent on repeats; without moveOnSignal a signal condition takes yes only at its deadline', () => {
    fc.assert(
      fc.property(
        definitionArb(false),
        fc.array(eventSpec, { maxLength: 40 }),
        fc.boolean(),
        (def, specs, ny) => {
          const owner = ny ? NEW_YORK : ALWAYS_OPEN;
          let fields: Record<string, unknown> = {};
          const ctx = (now: number): TransitionContext => ({ now, ownerCalendar: owner, record: { fields } });
          let state = newEnrollmentState();
          let now = T0;
          const seqs = new Set<number>();
          const dueBySeq = new Map<number, number>();
          const check = (effects: Effect[], at: number) => {
            for (const e of effects) {
              if (e.type === 'step.entered') {
                expect(seqs.has(e.seq)).toBe(false);
                seqs.add(e.seq);
                dueBySeq.set(e.seq, e.dueAt);
              }
              if (e.type === 'step.snoozed') dueBySeq.set(e.seq, e.until);
              if (e.type === 'step.rescheduled') dueBySeq.set(e.seq, e.dueAt);
              if (e.type === 'step.opened') {
                const due = dueBySeq.get(e.seq) as number;
                expect(e.at).toBeGreaterThanOrEqual(due);
                expect(at).toBeGreaterThanOrEqual(due);
              }
              // An early decision is only ever a certain `no` (e.g. a skipped email), unless moveOnSignal.
              if (e.type !== 'step.closed' || e.branch !== 'yes') continue;
              const step = def.steps.find((x) => x.id === e.stepId);
              if (step?.type === 'condition' && step.moveOnSignal !== true && testsSignal(step.if))
                expect(e.at).toBeGreaterThanOrEqual(dueBySeq.get(e.seq) as number);
            }
          };
          const deliver = (event: EnrollmentEvent) => {
            const before = state;
            const [next, effects] = advance(def, state, event, ctx(now));
            if (isEnded(before)) {
              expect(next).toBe(before);
              expect(effects).toEqual([]);
            }
            check(effects, now);
            // an event that applied lets everything due by now happen
            if (next !== before && next.dueAt !== null) expect(next.dueAt).toBeGreaterThan(now);
            if (next === before) expect(effects).toEqual([]);
            expect(JSON.parse(JSON.stringify(next))).toEqual(next);
            state = next;
          };
          deliver({ type: 'start' });
          for (const spec of specs) {
            now += spec.dt;
            if (spec.kind === 'record_fields_changed') fields = { hot: spec.hot };
            const event = toEvent(spec, def, state, now);
            deliver(event);
            if (spec.twice) {
              const settled = state;
              const [again, effects] = advance(def, settled, event, ctx(now));
              expect(effects).toEqual([]);
              expect(again).toBe(settled);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('ticking the clock forward ends every enrollment whose steps are all automatic', () => {
    fc.assert(
      fc.property(definitionArb(true), fc.boolean(), fc.boolean(), (def, ny, hot) => {
        const owner = ny ? NEW_YORK : ALWAYS_OPEN;
        // Each round moves past any deadline a step can set (waits and `within` of at most 2 days, sending windows).
        const late = (round: number) => T0 + (round + 1) * 5 * DAY;
        const ctx = (now: number): TransitionContext => ({
          now,
          ownerCalendar: owner,
          record: { fields: { hot } },
        });
        let [state] = advance(def, newEnrollmentState(), { type: 'start' }, ctx(T0));
        for (let round = 0; round < 2 * def.steps.length + 2 && !isEnded(state); round++) {
          // the outbox sends a queued email; otherwise the scheduler ticks
          const event: EnrollmentEvent =
            state.phase === 'sending' && state.stepId !== null
              ? { type: 'email_sent', stepId: state.stepId, at: late(round) }
              : { type: 'tick' };
          [state] = advance(def, state, event, ctx(late(round)));
        }
        expect(isEnded(state)).toBe(true);
        expect(state.dueAt).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});
