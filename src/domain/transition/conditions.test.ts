import { describe, expect, it } from 'vitest';
import { ALWAYS_OPEN, DEFAULT_WEEKLY_HOURS, type WorkingCalendar, withTimeZone } from '../calendar.js';
import type { Condition, ConditionStep, Step } from '../definition.js';
import { newEnrollmentState } from '../enrollment.js';
import { at, DAY, Driver, HOUR, sequence } from '../test-support/transition-driver.js';
import { advance } from '../transition.js';
import { evaluate } from './conditions.js';

const T0 = at('2026-03-02T09:00:00Z'); // a Monday

const NEW_YORK: WorkingCalendar = {
  timezone: 'America/New_York',
  weeklyHours: DEFAULT_WEEKLY_HOURS,
  timeOff: [],
};

function cond(ifc: Condition, extra: Partial<Omit<ConditionStep, 'id' | 'type' | 'if'>> = {}): ConditionStep {
  return { id: 'c1', type: 'condition', if: ifc, within: 'P2D', yes: 'y', no: 'n', ...extra };
}
const leaves: Step[] = [
  { id: 'y', type: 'task' },
  { id: 'n', type: 'task' },
];
const replied: Condition = { signal: 'email_replied', step: 'e1' };

/** e1 (manual email) → c1 → y | n, with e1 completed at T0 + 1h so c1 is reached then. */
function emailThen(c: ConditionStep, fields: Record<string, unknown> = {}): Driver {
  const d = new Driver(sequence([{ id: 'e1', type: 'email', next: 'c1' }, c, ...leaves]), { fields });
  d.send({ type: 'start' }, T0);
  return d;
}
const REACHED = T0 + HOUR;
const DEADLINE = REACHED + 2 * DAY;
const branch = (d: Driver) => d.ofType('step.closed').find((e) => e.stepId === 'c1')?.branch;

describe('signal conditions', () => {
  it('by default take yes only when within has passed, if the signal came', () => {
    const d = emailThen(cond(replied));
    d.send({ type: 'step_completed', stepId: 'e1' }, REACHED);
    expect(d.state).toMatchObject({ stepId: 'c1', phase: 'awaiting_signal', dueAt: DEADLINE });
    d.send({ type: 'signal', signal: 'email_replied', stepId: 'e1', at: REACHED + HOUR }, REACHED + HOUR);
    expect(d.state).toMatchObject({
      stepId: 'c1',
      dueAt: DEADLINE,
      facts: { e1: { replied: REACHED + HOUR } },
    });
    const s = d.state;
    expect(d.send({ type: 'tick' }, DEADLINE - 1)).toEqual([]);
    expect(d.state).toBe(s);
    d.tick();
    expect(branch(d)).toBe('yes');
    expect(d.state).toMatchObject({ stepId: 'y', phase: 'open' });
    expect(d.ofType('step.entered').at(-1)?.proposedDueAt).toBe(DEADLINE);
  });

  it('take no at the deadline without the signal; a signal dated after the deadline does not count', () => {
    const d = emailThen(cond(replied));
    d.send({ type: 'step_completed', stepId: 'e1' }, REACHED);
    // the worker is late: the reply (after the deadline) arrives before the tick
    d.send({ type: 'signal', signal: 'email_replied', stepId: 'e1', at: DEADLINE + 1 }, DEADLINE + 2);
    expect(branch(d)).toBe('no');
    expect(d.state.stepId).toBe('n');
  });

  it('moveOnSignal takes yes as soon as the signal arrives', () => {
    const d = emailThen(cond(replied, { moveOnSignal: true }));
    d.send({ type: 'step_completed', stepId: 'e1' }, REACHED);
    d.send({ type: 'signal', signal: 'email_opened', stepId: 'e1', at: REACHED + 1 }, REACHED + 1);
    expect(d.state.stepId).toBe('c1');
    d.send({ type: 'signal', signal: 'email_replied', stepId: 'e1', at: REACHED + HOUR }, REACHED + HOUR);
    expect(branch(d)).toBe('yes');
    expect(d.ofType('step.entered').at(-1)).toMatchObject({ stepId: 'y', proposedDueAt: REACHED + HOUR });
  });

  it('see a signal that came before the condition was reached', () => {
    const def = sequence([
      { id: 'a1', type: 'automated_email', next: 'w1' },
      { id: 'w1', type: 'wait', duration: 'P1D', next: 'c1' },
      cond({ signal: 'email_opened', step: 'a1' }, { moveOnSignal: true }),
      ...leaves,
    ]);
    const d = new Driver(def);
    d.send({ type: 'start' }, T0);
    d.send({ type: 'email_sent', stepId: 'a1', at: T0 }, T0);
    d.send({ type: 'signal', signal: 'email_opened', stepId: 'a1', at: T0 + HOUR }, T0 + HOUR);
    d.tick();
    expect(branch(d)).toBe('yes');
    expect(d.ofType('step.closed').find((e) => e.stepId === 'c1')?.at).toBe(T0 + DAY);
  });

  it('a skipped email takes no at once, by default as with moveOnSignal: it can never be replied to', () => {
    const d = emailThen(cond(replied));
    d.send({ type: 'step_skipped', stepId: 'e1' }, REACHED);
    expect(branch(d)).toBe('no');
    expect(d.ofType('step.closed').find((e) => e.stepId === 'c1')?.at).toBe(REACHED);
    expect(d.state).toMatchObject({ stepId: 'n', phase: 'open' });

    const m = emailThen(cond(replied, { moveOnSignal: true }));
    m.send({ type: 'step_skipped', stepId: 'e1' }, REACHED);
    expect(branch(m)).toBe('no');
    expect(m.state.stepId).toBe('n');
  });

  it('a skipped email reached later (a wait between) takes no when the condition is reached', () => {
    const d = new Driver(
      sequence([
        { id: 'e1', type: 'email', next: 'w1' },
        { id: 'w1', type: 'wait', duration: 'P1D', next: 'c1' },
        cond({ signal: 'email_opened', step: 'e1' }),
        ...leaves,
      ]),
    );
    d.send({ type: 'start' }, T0);
    d.send({ type: 'step_skipped', stepId: 'e1' }, REACHED);
    expect(d.state.stepId).toBe('w1');
    d.tick();
    expect(branch(d)).toBe('no');
    expect(d.ofType('step.closed').find((e) => e.stepId === 'c1')?.at).toBe(REACHED + DAY);
  });

  it.each([
    ['failed for good', { type: 'email_failed', stepId: 'a1', permanent: true, reason: '550' }],
    ['suppressed', { type: 'email_suppressed', stepId: 'a1' }],
  ] as const)('an automated email %s takes no at once (nothing was sent)', (_, event) => {
    const d = new Driver(
      sequence([
        { id: 'a1', type: 'automated_email', next: 'c1' },
        cond({ signal: 'email_clicked', step: 'a1' }),
        ...leaves,
      ]),
    );
    d.send({ type: 'start' }, T0);
    d.send(event, T0 + 1);
    expect(branch(d)).toBe('no');
    expect(d.state).toMatchObject({ stepId: 'n', phase: 'open' });
  });

  it('an automated email that failed while paused takes no when the enrollment resumes', () => {
    const d = new Driver(
      sequence([
        { id: 'a1', type: 'automated_email', next: 'c1' },
        cond({ signal: 'email_replied', step: 'a1' }),
        ...leaves,
      ]),
    );
    d.send({ type: 'start' }, T0);
    d.send({ type: 'pause' }, T0 + 1);
    d.send({ type: 'email_failed', stepId: 'a1', permanent: true, reason: '550' }, T0 + 2);
    expect(branch(d)).toBeUndefined();
    d.send({ type: 'resume' }, T0 + HOUR);
    expect(branch(d)).toBe('no');
  });

  it('a sent email still waits for the deadline by default (a reply may come)', () => {
    const d = emailThen(cond(replied));
    d.send({ type: 'step_completed', stepId: 'e1' }, REACHED);
    expect(d.state).toMatchObject({ stepId: 'c1', phase: 'awaiting_signal', dueAt: DEADLINE });
  });

  it('a permanently failed automated email counts as not replied', () => {
    const d = new Driver(
      sequence([
        { id: 'a1', type: 'automated_email', next: 'c1' },
        cond({ signal: 'email_replied', step: 'a1' }, { moveOnSignal: true }),
        ...leaves,
      ]),
    );
    d.send({ type: 'start' }, T0);
    d.send({ type: 'email_failed', stepId: 'a1', permanent: true, reason: '550' }, T0 + 1);
    expect(branch(d)).toBe('no');
  });

  it('a repeated signal is harmless', () => {
    const d = emailThen(cond(replied));
    d.send({ type: 'step_completed', stepId: 'e1' }, REACHED);
    const signal = { type: 'signal', signal: 'email_replied', stepId: 'e1', at: REACHED + 5 } as const;
    d.send(signal, REACHED + 5);
    const s = d.state;
    expect(d.send(signal, REACHED + 6)).toEqual([]);
    expect(d.state).toBe(s);
  });
});

describe('outcome and field conditions decide when reached', () => {
  const callThen = (c: ConditionStep) => {
    const d = new Driver(sequence([{ id: 'p1', type: 'phone_call', next: 'c1' }, c, ...leaves]));
    d.send({ type: 'start' }, T0);
    return d;
  };
  const answered = cond({ step: 'p1', outcome: ['answered'] });

  it('an answered call takes yes at once, another outcome no', () => {
    const d = callThen(answered);
    d.send({ type: 'step_completed', stepId: 'p1', outcome: 'answered' }, REACHED);
    expect(branch(d)).toBe('yes');
    expect(d.state).toMatchObject({ stepId: 'y', phase: 'open', facts: { p1: { outcome: 'answered' } } });
    const e = callThen(answered);
    e.send({ type: 'step_completed', stepId: 'p1', outcome: 'no_answer' }, REACHED);
    expect(branch(e)).toBe('no');
  });

  it('a skipped call takes no', () => {
    const d = callThen(answered);
    d.send({ type: 'step_skipped', stepId: 'p1' }, REACHED);
    expect(branch(d)).toBe('no');
  });

  it('a field condition reads the record when reached', () => {
    const d = emailThen(cond({ field: 'rating', op: 'gte', value: 3 }), { rating: '4' });
    d.send({ type: 'step_completed', stepId: 'e1' }, REACHED);
    expect(branch(d)).toBe('yes');
  });

  it('a condition whose branch is missing completes the enrollment', () => {
    const d = callThen(cond({ step: 'p1', outcome: ['answered'] }, { yes: undefined as never }));
    d.send({ type: 'step_completed', stepId: 'p1', outcome: 'answered' }, REACHED);
    expect(d.state).toMatchObject({ status: 'completed', endReason: 'completed' });
  });
});

describe('all / any', () => {
  const hot = { field: 'hot', op: 'eq', value: true } as const;

  it('any: with moveOnSignal a true part decides yes at once; by default it still waits', () => {
    const m = emailThen(cond({ any: [replied, hot] }, { moveOnSignal: true }), { hot: true });
    m.send({ type: 'step_completed', stepId: 'e1' }, REACHED);
    expect(branch(m)).toBe('yes');

    const d = emailThen(cond({ any: [replied, hot] }), { hot: true });
    d.send({ type: 'step_completed', stepId: 'e1' }, REACHED);
    expect(d.state).toMatchObject({ stepId: 'c1', dueAt: DEADLINE });
    d.tick();
    expect(branch(d)).toBe('yes');
  });

  it('all: with moveOnSignal a false field waits (the record may change), a skipped email decides no at once', () => {
    // The field is false when the condition is reached; it is true by the time the reply comes.
    const m = emailThen(cond({ all: [replied, hot] }, { moveOnSignal: true }), { hot: false });
    m.send({ type: 'step_completed', stepId: 'e1' }, REACHED);
    expect(m.state.stepId).toBe('c1');
    m.fields = { hot: true };
    m.send({ type: 'signal', signal: 'email_replied', stepId: 'e1', at: REACHED + 1 }, REACHED + 1);
    expect(branch(m)).toBe('yes');

    // Still false at the deadline: no, then.
    const f = emailThen(cond({ all: [replied, hot] }, { moveOnSignal: true }), { hot: false });
    f.send({ type: 'step_completed', stepId: 'e1' }, REACHED);
    f.send({ type: 'signal', signal: 'email_replied', stepId: 'e1', at: REACHED + 1 }, REACHED + 1);
    expect(f.state.stepId).toBe('c1');
    f.send({ type: 'tick' }, DEADLINE);
    expect(branch(f)).toBe('no');

    // A skipped email can never be replied to: certain, so no at once.
    const k = emailThen(cond({ all: [replied, hot] }, { moveOnSignal: true }), { hot: true });
    k.send({ type: 'step_skipped', stepId: 'e1' }, REACHED);
    expect(branch(k)).toBe('no');

    const d = emailThen(cond({ all: [replied, hot] }, { moveOnSignal: true }), { hot: true });
    d.send({ type: 'step_completed', stepId: 'e1' }, REACHED);
    expect(d.state.stepId).toBe('c1');
    d.send({ type: 'signal', signal: 'email_replied', stepId: 'e1', at: REACHED + 1 }, REACHED + 1);
    expect(branch(d)).toBe('yes');
  });

  it('by default all: a skipped email decides no at once; any: waits while another part can become true', () => {
    const two = (c: ConditionStep) =>
      new Driver(
        sequence([
          { id: 'e1', type: 'email', next: 'e2' },
          { id: 'e2', type: 'email', next: 'c1' },
          c,
          ...leaves,
        ]),
        { fields: { hot: false } },
      );
    const opened2: Condition = { signal: 'email_opened', step: 'e2' };

    const all = two(cond({ all: [replied, opened2] }));
    all.send({ type: 'start' }, T0);
    all.send({ type: 'step_skipped', stepId: 'e1' }, REACHED);
    all.send({ type: 'step_completed', stepId: 'e2' }, REACHED + 1);
    expect(branch(all)).toBe('no');

    // e2 was sent: it may still be opened, so `any` waits, and takes yes at the deadline if it is.
    const any = two(cond({ any: [replied, opened2] }));
    any.send({ type: 'start' }, T0);
    any.send({ type: 'step_skipped', stepId: 'e1' }, REACHED);
    any.send({ type: 'step_completed', stepId: 'e2' }, REACHED + 1);
    expect(any.state).toMatchObject({ stepId: 'c1', phase: 'awaiting_signal' });
    any.send({ type: 'signal', signal: 'email_opened', stepId: 'e2', at: REACHED + 2 }, REACHED + 2);
    expect(any.state.stepId).toBe('c1');
    any.tick();
    expect(branch(any)).toBe('yes');

    // Both emails skipped: no part can become true.
    const none = two(cond({ any: [replied, opened2] }));
    none.send({ type: 'start' }, T0);
    none.send({ type: 'step_skipped', stepId: 'e1' }, REACHED);
    none.send({ type: 'step_skipped', stepId: 'e2' }, REACHED + 1);
    expect(branch(none)).toBe('no');

    // A field part may still change before the deadline: `any` of it and a skipped email waits.
    const field = two(cond({ any: [replied, hot] }));
    field.send({ type: 'start' }, T0);
    field.send({ type: 'step_skipped', stepId: 'e1' }, REACHED);
    field.send({ type: 'step_skipped', stepId: 'e2' }, REACHED + 1);
    expect(field.state.stepId).toBe('c1');
    field.fields = { hot: true };
    field.tick();
    expect(branch(field)).toBe('yes');
  });

  it('by default a certain no reads the stored signal facts first (onSignalFactsRead)', () => {
    let reads = 0;
    const def = sequence([{ id: 'e1', type: 'email', next: 'c1' }, cond(replied), ...leaves]);
    const ctx = (now: number) => ({
      now,
      ownerCalendar: ALWAYS_OPEN,
      onSignalFactsRead: () => {
        reads++;
      },
    });
    let [state] = advance(def, newEnrollmentState(), { type: 'start' }, ctx(T0));
    [state] = advance(def, state, { type: 'step_completed', stepId: 'e1' }, ctx(REACHED));
    // A sent email: nothing certain, nothing read before the deadline.
    expect(reads).toBe(0);
    expect(state.stepId).toBe('c1');

    let [skipped] = advance(def, newEnrollmentState(), { type: 'start' }, ctx(T0));
    [skipped] = advance(def, skipped, { type: 'step_skipped', stepId: 'e1' }, ctx(REACHED));
    expect(reads).toBe(1);
    expect(skipped.stepId).toBe('n');
  });

  it('record_fields_changed lets a waiting moveOnSignal condition decide', () => {
    const d = emailThen(cond({ any: [replied, hot] }, { moveOnSignal: true }), { hot: false });
    d.send({ type: 'step_completed', stepId: 'e1' }, REACHED);
    const s = d.state;
    expect(d.send({ type: 'record_fields_changed' }, REACHED + 1)).toEqual([]);
    expect(d.state).toBe(s);
    d.fields = { hot: true };
    d.send({ type: 'record_fields_changed' }, REACHED + 2);
    expect(branch(d)).toBe('yes');
  });
});

describe('field operators', () => {
  // What the condition decides when it decides (a pending part is false then).
  const check = (fields: Record<string, unknown>, c: Condition) =>
    evaluate(c, { facts: {}, fields, asOf: 0 }) === true;
  it.each([
    [{ s: 'Qualified' }, { field: 's', op: 'eq', value: 'qualified' }, true],
    [{ s: 'Qualified' }, { field: 's', op: 'neq', value: 'qualified' }, false],
    [{ n: 10 }, { field: 'n', op: 'gt', value: 9 }, true],
    [{ n: '10' }, { field: 'n', op: 'lt', value: 9 }, false],
    [{ d: '2026-01-02' }, { field: 'd', op: 'lte', value: '2026-01-02' }, true],
    [{ t: 'Big Corp' }, { field: 't', op: 'contains', value: 'corp' }, true],
    [{ t: ['a', 'b'] }, { field: 't', op: 'not_contains', value: 'c' }, true],
    [{ t: '  ' }, { field: 't', op: 'is_empty' }, true],
    [{}, { field: 't', op: 'is_not_empty' }, false],
    [{}, { field: 't', op: 'gt', value: 1 }, false],
  ] as [Record<string, unknown>, Condition, boolean][])('%j %j → %s', (fields, c, expected) => {
    expect(check(fields, c)).toBe(expected);
  });
});

describe('working time and DST', () => {
  const followUp = (duration: string, options = {}) =>
    sequence(
      [
        { id: 't1', type: 'task', next: 'w1' },
        { id: 'w1', type: 'wait', duration, next: 't2' },
        { id: 't2', type: 'task' },
      ],
      options,
    );
  const FRIDAY = at('2026-03-06T15:00:00Z'); // 10:00 EST
  const SATURDAY_NOON = at('2026-03-07T17:00:00Z'); // 12:00 EST, the day before DST starts

  it('P1D is one calendar day in the owner zone (23 h across spring-forward), PT24H exactly 24 h', () => {
    const waitEnd = (duration: string, owner: WorkingCalendar) => {
      const d = new Driver(followUp(duration), { owner });
      d.send({ type: 'start' }, FRIDAY);
      d.send({ type: 'step_completed', stepId: 't1' }, SATURDAY_NOON);
      return d.state.dueAt;
    };
    expect(waitEnd('P1D', NEW_YORK)).toBe(at('2026-03-08T16:00:00Z')); // 12:00 EDT
    expect(waitEnd('PT24H', NEW_YORK)).toBe(at('2026-03-08T17:00:00Z')); // 13:00 EDT
    expect(waitEnd('P1D', ALWAYS_OPEN)).toBe(SATURDAY_NOON + DAY);
  });

  it('a manual step after the wait opens at the start of the owner next working period', () => {
    const d = new Driver(followUp('P1D'), { owner: NEW_YORK });
    d.send({ type: 'start' }, FRIDAY);
    d.send({ type: 'step_completed', stepId: 't1' }, SATURDAY_NOON);
    d.tick();
    const monday8 = at('2026-03-09T12:00:00Z'); // 08:00 EDT
    expect(d.ofType('step.entered').at(-1)).toMatchObject({
      stepId: 't2',
      proposedDueAt: at('2026-03-08T16:00:00Z'),
      dueAt: monday8,
    });
    expect(d.state).toMatchObject({ phase: 'scheduled', dueAt: monday8 });
    expect(d.send({ type: 'tick' }, monday8 - 1)).toEqual([]);
    d.tick();
    expect(d.ofType('step.opened').at(-1)).toMatchObject({ stepId: 't2', at: monday8 });
  });

  it('skipNonWorkingDays counts only working days', () => {
    const d = new Driver(followUp('P1D', { skipNonWorkingDays: true }), { owner: NEW_YORK });
    d.send({ type: 'start' }, FRIDAY);
    d.send({ type: 'step_completed', stepId: 't1' }, FRIDAY);
    expect(d.state.dueAt).toBe(at('2026-03-09T14:00:00Z')); // Monday 10:00 EDT
  });

  it('automated emails go out in the owner window, the recipient window, or at once', () => {
    const sendAt = (workingHours: 'owner' | 'recipient' | 'none') => {
      const d = new Driver(
        sequence(
          [
            { id: 't1', type: 'task', next: 'a1' },
            { id: 'a1', type: 'automated_email' },
          ],
          { workingHours },
        ),
        { owner: NEW_YORK, recipient: withTimeZone(NEW_YORK, 'Europe/London') },
      );
      d.send({ type: 'start' }, FRIDAY);
      d.send({ type: 'step_completed', stepId: 't1' }, SATURDAY_NOON);
      return d.ofType('email.queue')[0]?.sendAt;
    };
    expect(sendAt('owner')).toBe(at('2026-03-09T12:00:00Z')); // Monday 08:00 New York (EDT)
    expect(sendAt('recipient')).toBe(at('2026-03-09T08:00:00Z')); // Monday 08:00 London (GMT)
    expect(sendAt('none')).toBe(SATURDAY_NOON);
  });

  it('resume: a manual step that was only waiting for working time opens at the next working instant', () => {
    const d = new Driver(followUp('PT1H'), { owner: NEW_YORK });
    d.send({ type: 'start' }, FRIDAY);
    d.send({ type: 'step_completed', stepId: 't1' }, at('2026-03-06T21:30:00Z')); // Fri 16:30 EST
    d.tick(); // wait ends 17:30 → t2 scheduled Monday 08:00 EDT
    expect(d.state.dueAt).toBe(at('2026-03-09T12:00:00Z'));
    // Paused and resumed over the weekend: Monday 08:00 still (the pause took no working time from it).
    d.send({ type: 'pause' }, at('2026-03-07T15:00:00Z'));
    d.send({ type: 'resume' }, at('2026-03-07T19:00:00Z'));
    expect(d.state.dueAt).toBe(at('2026-03-09T12:00:00Z'));

    // Paused over Monday morning, resumed Monday 21:00 EDT: Tuesday 08:00, not Monday + the whole pause.
    const late = new Driver(followUp('PT1H'), { owner: NEW_YORK });
    late.send({ type: 'start' }, FRIDAY);
    late.send({ type: 'step_completed', stepId: 't1' }, at('2026-03-06T21:30:00Z'));
    late.tick();
    late.send({ type: 'pause' }, at('2026-03-07T15:00:00Z'));
    late.send({ type: 'resume' }, at('2026-03-10T01:00:00Z'));
    expect(late.state.dueAt).toBe(at('2026-03-10T12:00:00Z'));
    expect(late.ofType('step.rescheduled').at(-1)).toMatchObject({
      stepId: 't2',
      dueAt: at('2026-03-10T12:00:00Z'),
    });
  });

  it('resume: a wait ends later by the paused time; a snoozed step keeps its time shifted by the pause', () => {
    const w = new Driver(followUp('P2D'), { owner: ALWAYS_OPEN });
    w.send({ type: 'start' }, T0);
    w.send({ type: 'step_completed', stepId: 't1' }, T0);
    expect(w.state.dueAt).toBe(T0 + 2 * DAY);
    w.send({ type: 'pause' }, T0 + DAY);
    w.send({ type: 'resume' }, T0 + 3 * DAY);
    expect(w.state.dueAt).toBe(T0 + 4 * DAY);

    const z = new Driver(followUp('PT1H'), { owner: ALWAYS_OPEN });
    z.send({ type: 'start' }, T0);
    z.send({ type: 'snoozed', stepId: 't1', until: T0 + 5 * HOUR }, T0);
    z.send({ type: 'pause' }, T0 + HOUR);
    z.send({ type: 'resume' }, T0 + 3 * HOUR);
    expect(z.state.dueAt).toBe(T0 + 7 * HOUR);
  });
});

describe('a realistic sequence, every branch', () => {
  // email → replied within P2D? yes: call / no: wait P2D → automated email → opened within P3D? yes: task / no: disqualify
  const def = sequence(
    [
      { id: 'intro', type: 'email', templateId: 'tpl_intro', next: 'replied' },
      {
        id: 'replied',
        type: 'condition',
        if: { signal: 'email_replied', step: 'intro' },
        within: 'P2D',
        yes: 'book',
        no: 'pause2d',
      },
      { id: 'book', type: 'phone_call', name: 'Call to book the meeting' },
      { id: 'pause2d', type: 'wait', duration: 'P2D', next: 'nudge' },
      { id: 'nudge', type: 'automated_email', templateId: 'tpl_nudge', next: 'opened' },
      {
        id: 'opened',
        type: 'condition',
        if: { signal: 'email_opened', step: 'nudge' },
        within: 'P3D',
        yes: 'research',
        no: 'disqualify',
      },
      { id: 'research', type: 'task', name: 'Research the account' },
      { id: 'disqualify', type: 'update_field', field: 'status', value: 'disqualified' },
    ],
    { workingHours: 'owner' },
  );
  const START = at('2026-03-02T14:00:00Z'); // Monday 09:00 EST

  const begin = () => {
    const d = new Driver(def, { owner: NEW_YORK });
    d.send({ type: 'start' }, START);
    // completed Wednesday 17:00 EST, at the end of the working day
    d.send({ type: 'step_completed', stepId: 'intro', actorId: 'u1' }, at('2026-03-04T22:00:00Z'));
    return d;
  };

  it('reply → call → completed', () => {
    const d = begin();
    const reply = at('2026-03-05T10:00:00Z');
    d.send({ type: 'signal', signal: 'email_replied', stepId: 'intro', at: reply }, reply);
    expect(d.state.stepId).toBe('replied');
    d.tick(); // Friday 17:00 EST: yes → the call opens Monday 08:00 EDT
    expect(d.state).toMatchObject({ stepId: 'book', phase: 'scheduled', dueAt: at('2026-03-09T12:00:00Z') });
    d.tick();
    d.send({ type: 'step_completed', stepId: 'book', outcome: 'answered' }, at('2026-03-09T15:00:00Z'));
    expect(d.path()).toEqual(['intro', 'replied', 'book']);
    expect(d.state).toMatchObject({ status: 'completed', endReason: 'completed' });
  });

  const toNudge = () => {
    const d = begin();
    d.tick(); // no reply within P2D → wait
    // Friday 17:00 EST + P2D = Sunday 17:00 EDT (DST began that morning)
    expect(d.state).toMatchObject({ stepId: 'pause2d', dueAt: at('2026-03-08T21:00:00Z') });
    d.tick(); // Sunday → automated email, sent in the window: Monday 08:00 EDT
    const queued = d.ofType('email.queue')[0];
    expect(queued).toMatchObject({
      stepId: 'nudge',
      seq: 4,
      templateId: 'tpl_nudge',
      sendAt: at('2026-03-09T12:00:00Z'),
    });
    d.send(
      { type: 'email_sent', stepId: 'nudge', at: at('2026-03-09T12:00:05Z') },
      at('2026-03-09T12:00:06Z'),
    );
    expect(d.state).toMatchObject({ stepId: 'opened', dueAt: at('2026-03-12T12:00:05Z') });
    return d;
  };

  it('no reply → wait → automated email → opened → task', () => {
    const d = toNudge();
    d.send(
      { type: 'signal', signal: 'email_opened', stepId: 'nudge', at: at('2026-03-10T13:00:00Z') },
      at('2026-03-10T13:00:00Z'),
    );
    d.tick();
    expect(d.state).toMatchObject({ stepId: 'research', phase: 'open' });
    d.send({ type: 'step_completed', stepId: 'research' }, at('2026-03-12T15:00:00Z'));
    expect(d.path()).toEqual(['intro', 'replied', 'pause2d', 'nudge', 'opened', 'research']);
    expect(d.state.status).toBe('completed');
  });

  it('no reply → wait → automated email → not opened → disqualified', () => {
    const d = toNudge();
    d.tick();
    expect(d.path()).toEqual(['intro', 'replied', 'pause2d', 'nudge', 'opened', 'disqualify']);
    expect(d.ofType('field.update')).toEqual([
      { type: 'field.update', stepId: 'disqualify', seq: 6, field: 'status', value: 'disqualified' },
    ]);
    expect(d.state).toMatchObject({ status: 'completed', endReason: 'completed', dueAt: null });
    const seqs = d.ofType('step.entered').map((e) => e.seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('a field condition after update_field', () => {
  // s1 → u1 sets tier → c1 tests tier: the engine loaded the record before the transition and writes the
  // field after it, so the condition must read what u1 wrote.
  const tierIsGold: Condition = { field: 'tier', op: 'eq', value: 'gold' };
  const updateThenTest = (ifc: Condition) =>
    sequence([
      { id: 's1', type: 'task', next: 'u1' },
      { id: 'u1', type: 'update_field', field: 'tier', value: 'gold', next: 'c1' },
      { id: 'c1', type: 'condition', if: ifc, yes: 'y', no: 'n' },
      ...leaves,
    ]);

  it('reads the value the update wrote, in the same transition', () => {
    const d = new Driver(updateThenTest(tierIsGold), { fields: { tier: 'silver', size: 10 } });
    d.send({ type: 'start' }, T0);
    d.send({ type: 'step_completed', stepId: 's1' }, REACHED);
    expect(branch(d)).toBe('yes');
    expect(d.ofType('field.update')).toMatchObject([{ field: 'tier', value: 'gold' }]);
  });

  it('reads the other fields from the record', () => {
    const d = new Driver(updateThenTest({ all: [tierIsGold, { field: 'size', op: 'gt', value: 50 }] }), {
      fields: { tier: 'silver', size: 10 },
    });
    d.send({ type: 'start' }, T0);
    d.send({ type: 'step_completed', stepId: 's1' }, REACHED);
    expect(branch(d)).toBe('no');
  });

  it('a record without fields: the written one is there', () => {
    const d = new Driver(updateThenTest(tierIsGold));
    d.send({ type: 'start' }, T0);
    d.send({ type: 'step_completed', stepId: 's1' }, REACHED);
    expect(branch(d)).toBe('yes');
  });
});
