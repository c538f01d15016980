import { describe, expect, it } from 'vitest';
import { ALWAYS_OPEN, DEFAULT_WEEKLY_HOURS, type WorkingCalendar } from './calendar.js';
import type { Step } from './definition.js';
import { newEnrollmentState } from './enrollment.js';
import { at, DAY, Driver, HOUR, sequence } from './test-support/transition-driver.js';
import { advance } from './transition.js';

const T0 = at('2026-03-02T09:00:00Z'); // a Monday

const email = (id: string, next?: string): Step => ({
  id,
  type: 'email',
  templateId: `tpl_${id}`,
  ...(next !== undefined && { next }),
});
const auto = (id: string, next?: string): Step => ({
  id,
  type: 'automated_email',
  templateId: `tpl_${id}`,
  ...(next !== undefined && { next }),
});
const call = (id: string, next?: string): Step => ({
  id,
  type: 'phone_call',
  ...(next !== undefined && { next }),
});
const task = (id: string, next?: string): Step => ({ id, type: 'task', ...(next !== undefined && { next }) });
const wait = (id: string, duration: string, next?: string): Step => ({
  id,
  type: 'wait',
  duration,
  ...(next !== undefined && { next }),
});
const field = (id: string, name: string, value: string, next?: string): Step => ({
  id,
  type: 'update_field',
  field: name,
  value,
  ...(next !== undefined && { next }),
});

describe('start and manual activities', () => {
  it('enters the first step and opens it at once inside working time', () => {
    const d = new Driver(sequence([call('c1', 't1'), task('t1')]));
    const effects = d.send({ type: 'start' }, T0);
    expect(effects).toEqual([
      { type: 'step.entered', stepId: 'c1', stepType: 'phone_call', seq: 1, proposedDueAt: T0, dueAt: T0 },
      { type: 'stats.increment', stepId: 'c1', counter: 'reached' },
      { type: 'step.opened', stepId: 'c1', seq: 1, at: T0, dueAt: T0 },
    ]);
    expect(d.state).toMatchObject({ status: 'active', stepId: 'c1', phase: 'open', seq: 1, dueAt: null });
  });

  it('outside working time a manual step waits for the next working instant, unless workingHours is none', () => {
    const saturday = T0 + 5 * DAY + HOUR; // Saturday 10:00 UTC
    const hours = { owner: { timezone: 'UTC', weeklyHours: DEFAULT_WEEKLY_HOURS, timeOff: [] } }; // Mon–Fri 08–17
    const owner = new Driver(sequence([call('c1')]), hours);
    owner.send({ type: 'start' }, saturday);
    expect(owner.state).toMatchObject({ stepId: 'c1', phase: 'scheduled', dueAt: T0 + 7 * DAY - HOUR });
    const none = new Driver(sequence([call('c1')], { workingHours: 'none' }), hours);
    none.send({ type: 'start' }, saturday);
    expect(none.state).toMatchObject({ stepId: 'c1', phase: 'open' });
    expect(none.ofType('step.opened')[0]).toMatchObject({ at: saturday, dueAt: saturday });
  });

  it('ignores a second start', () => {
    const d = new Driver(sequence([call('c1')]));
    d.send({ type: 'start' }, T0);
    const before = d.state;
    expect(d.send({ type: 'start' }, T0 + 1)).toEqual([]);
    expect(d.state).toBe(before);
  });

  it('completes with outcome and notes, then moves on', () => {
    const d = new Driver(sequence([call('c1', 't1'), task('t1')]));
    d.send({ type: 'start' }, T0);
    const effects = d.send(
      { type: 'step_completed', stepId: 'c1', outcome: 'answered', notes: 'booked', actorId: 'u1' },
      T0 + HOUR,
    );
    expect(effects).toContainEqual({
      type: 'step.closed',
      stepId: 'c1',
      seq: 1,
      state: 'completed',
      at: T0 + HOUR,
      outcome: 'answered',
      notes: 'booked',
      actorId: 'u1',
    });
    expect(effects).toContainEqual({ type: 'stats.increment', stepId: 'c1', counter: 'outcome:answered' });
    expect(d.state).toMatchObject({ stepId: 't1', phase: 'open', seq: 2 });
  });

  it('returns the same state for a step that is not open, a stale seq, or a repeat', () => {
    const d = new Driver(sequence([call('c1', 't1'), task('t1')]));
    d.send({ type: 'start' }, T0);
    const s1 = d.state;
    expect(advance(d.definition, s1, { type: 'step_completed', stepId: 't1' }, d.context(T0))).toEqual([
      s1,
      [],
    ]);
    expect(
      advance(d.definition, s1, { type: 'step_completed', stepId: 'c1', seq: 7 }, d.context(T0))[0],
    ).toBe(s1);
    d.send({ type: 'step_completed', stepId: 'c1' }, T0 + 1);
    const s2 = d.state;
    expect(d.send({ type: 'step_completed', stepId: 'c1' }, T0 + 2)).toEqual([]);
    expect(d.state).toBe(s2);
  });

  it('reaching the end completes the enrollment', () => {
    const d = new Driver(sequence([task('t1')]));
    d.send({ type: 'start' }, T0);
    const effects = d.send({ type: 'step_completed', stepId: 't1' }, T0 + HOUR);
    expect(effects.at(-1)).toEqual({ type: 'enrollment.ended', reason: 'completed', at: T0 + HOUR });
    expect(d.state).toMatchObject({ status: 'completed', endReason: 'completed', dueAt: null, phase: null });
  });

  it('snooze takes the step off the work list until the chosen time, then reopens it', () => {
    const d = new Driver(sequence([task('t1')]));
    d.send({ type: 'start' }, T0);
    const until = T0 + 3 * HOUR;
    expect(d.send({ type: 'snoozed', stepId: 't1', until }, T0 + HOUR)).toEqual([
      { type: 'step.snoozed', stepId: 't1', seq: 1, until },
    ]);
    expect(d.state).toMatchObject({ phase: 'scheduled', dueAt: until });
    // a tick before the time changes nothing
    const snoozed = d.state;
    expect(d.send({ type: 'tick' }, until - 1)).toEqual([]);
    expect(d.state).toBe(snoozed);
    expect(d.send({ type: 'tick' }, until)).toEqual([
      { type: 'step.opened', stepId: 't1', seq: 1, at: until, dueAt: until },
    ]);
    // snoozing into the past does not apply
    expect(d.send({ type: 'snoozed', stepId: 't1', until: until - 1 }, until)).toEqual([]);
  });

  it('a seller works ahead: a step not yet open (snoozed, or waiting for working hours) is completed, skipped or sent before its time', () => {
    // Snoozed, then completed: it closes without opening and the sequence moves on from now.
    const snoozed = new Driver(sequence([task('t1', 't2'), task('t2')]));
    snoozed.send({ type: 'start' }, T0);
    snoozed.send({ type: 'snoozed', stepId: 't1', until: T0 + 3 * HOUR }, T0 + HOUR);
    const done = snoozed.send({ type: 'step_completed', stepId: 't1', seq: 1 }, T0 + 2 * HOUR);
    expect(done.filter((e) => e.type === 'step.opened' && e.stepId === 't1')).toEqual([]);
    expect(done).toContainEqual(
      expect.objectContaining({ type: 'step.closed', stepId: 't1', state: 'completed', at: T0 + 2 * HOUR }),
    );
    expect(snoozed.state).toMatchObject({ stepId: 't2', phase: 'open', seq: 2 });
    // A repeat changes nothing.
    expect(snoozed.send({ type: 'step_completed', stepId: 't1', seq: 1 }, T0 + 2 * HOUR)).toEqual([]);

    // Reached on a Saturday, it waits for Monday 08:00; the seller calls now and the call is done.
    const saturday = T0 + 5 * DAY + HOUR;
    const hours = { owner: { timezone: 'UTC', weeklyHours: DEFAULT_WEEKLY_HOURS, timeOff: [] } };
    const weekend = new Driver(sequence([call('c1', 't1'), task('t1')]), hours);
    weekend.send({ type: 'start' }, saturday);
    expect(weekend.state).toMatchObject({ stepId: 'c1', phase: 'scheduled' });
    weekend.send({ type: 'step_completed', stepId: 'c1', seq: 1, outcome: 'answered' }, saturday + HOUR);
    expect(weekend.state).toMatchObject({ stepId: 't1', phase: 'scheduled', seq: 2 });
    expect(weekend.log).toContainEqual(
      expect.objectContaining({ type: 'stats.increment', stepId: 'c1', counter: 'outcome:answered' }),
    );

    // Skipped ahead of time.
    const skipped = new Driver(sequence([task('t1', 't2'), task('t2')]), hours);
    skipped.send({ type: 'start' }, saturday);
    skipped.send({ type: 'step_skipped', stepId: 't1', seq: 1 }, saturday);
    expect(skipped.log).toContainEqual(
      expect.objectContaining({ type: 'step.closed', stepId: 't1', state: 'skipped' }),
    );
    expect(skipped.state).toMatchObject({ stepId: 't2', seq: 2 });

    // A manual email sent ahead of time: queued now, the step completed.
    const sent = new Driver(sequence([email('e1', 't1'), task('t1')]), hours);
    sent.send({ type: 'start' }, saturday);
    const mailed = sent.send({ type: 'email_sent', stepId: 'e1', seq: 1, at: saturday, send: {} }, saturday);
    expect(mailed).toContainEqual(
      expect.objectContaining({ type: 'email.queue', stepId: 'e1', sendAt: saturday }),
    );
    expect(sent.state).toMatchObject({ stepId: 't1', seq: 2 });
  });
});

describe('automated email', () => {
  it('queues at once inside the window, completes on email_sent and moves on', () => {
    const d = new Driver(sequence([auto('a1', 't1'), task('t1')]));
    const effects = d.send({ type: 'start' }, T0);
    expect(effects).toContainEqual({
      type: 'email.queue',
      stepId: 'a1',
      seq: 1,
      templateId: 'tpl_a1',
      sendAt: T0,
    });
    expect(d.state).toMatchObject({ phase: 'sending', dueAt: null });
    expect(d.send({ type: 'email_sent', stepId: 'a1', at: T0 + 5_000 }, T0 + 6_000)).toContainEqual({
      type: 'step.closed',
      stepId: 'a1',
      seq: 1,
      state: 'completed',
      at: T0 + 5_000,
    });
    expect(d.ofType('step.entered').at(-1)).toMatchObject({ stepId: 't1', proposedDueAt: T0 + 5_000 });
    expect(d.send({ type: 'email_sent', stepId: 'a1', at: T0 + 5_000 }, T0 + 7_000)).toEqual([]);
  });

  it('a permanent failure fails the step and moves on; a temporary one changes nothing', () => {
    const d = new Driver(sequence([auto('a1', 't1'), task('t1')]));
    d.send({ type: 'start' }, T0);
    const s = d.state;
    expect(d.send({ type: 'email_failed', stepId: 'a1', permanent: false, reason: '451' }, T0)).toEqual([]);
    expect(d.state).toBe(s);
    const effects = d.send(
      { type: 'email_failed', stepId: 'a1', permanent: true, reason: '550 no such user' },
      T0 + 1,
    );
    expect(effects).toContainEqual({
      type: 'step.closed',
      stepId: 'a1',
      seq: 1,
      state: 'failed',
      at: T0 + 1,
      reason: '550 no such user',
    });
    expect(d.state).toMatchObject({ stepId: 't1', phase: 'open' });
  });

  it('a suppressed email is skipped with reason suppressed', () => {
    const d = new Driver(sequence([auto('a1', 't1'), task('t1')]));
    d.send({ type: 'start' }, T0);
    expect(d.send({ type: 'email_suppressed', stepId: 'a1' }, T0 + 1)).toContainEqual({
      type: 'step.closed',
      stepId: 'a1',
      seq: 1,
      state: 'skipped',
      at: T0 + 1,
      reason: 'suppressed',
    });
    expect(d.state.stepId).toBe('t1');
  });

  it('a manual email step sent from the mailbox completes', () => {
    const d = new Driver(sequence([email('e1', 't1'), task('t1')]));
    d.send({ type: 'start' }, T0);
    d.send({ type: 'email_sent', stepId: 'e1', at: T0 + 10 }, T0 + 10);
    expect(d.state.stepId).toBe('t1');
  });
});

describe('commands and chains', () => {
  it('passes several steps in one call: update_field → automated email', () => {
    const d = new Driver(
      sequence([
        field('f1', 'status', 'contacted', 'a1'),
        auto('a1', 'w1'),
        wait('w1', 'P1D', 't1'),
        task('t1'),
      ]),
    );
    const effects = d.send({ type: 'start' }, T0);
    expect(effects.map((e) => e.type)).toEqual([
      'step.entered',
      'stats.increment',
      'field.update',
      'step.closed',
      'stats.increment',
      'step.entered',
      'stats.increment',
      'email.queue',
    ]);
    expect(effects).toContainEqual({
      type: 'field.update',
      stepId: 'f1',
      seq: 1,
      field: 'status',
      value: 'contacted',
    });
    d.send({ type: 'email_sent', stepId: 'a1', at: T0 }, T0);
    expect(d.state).toMatchObject({ stepId: 'w1', phase: 'waiting', seq: 3, dueAt: T0 + DAY });
  });

  it('advance_to_sequence starts the target and ends this enrollment', () => {
    const d = new Driver(
      sequence([task('t1', 'adv'), { id: 'adv', type: 'advance_to_sequence', sequenceId: 'seq_2' }]),
    );
    d.send({ type: 'start' }, T0);
    const effects = d.send({ type: 'step_completed', stepId: 't1' }, T0 + 1);
    expect(effects).toContainEqual({ type: 'advance.start', sequenceId: 'seq_2' });
    expect(effects.at(-1)).toEqual({
      type: 'enrollment.ended',
      reason: 'advanced_to_other_sequence',
      at: T0 + 1,
    });
    expect(d.state).toMatchObject({ status: 'completed', endReason: 'advanced_to_other_sequence' });
  });

  it('a reference to a missing step stops the enrollment with status error', () => {
    const d = new Driver(sequence([task('t1', 'nope')]));
    d.send({ type: 'start' }, T0);
    const effects = d.send({ type: 'step_completed', stepId: 't1' }, T0);
    expect(effects.at(-1)).toEqual({
      type: 'enrollment.error',
      message: 'step nope does not exist',
      stepId: 'nope',
    });
    expect(d.state).toMatchObject({ status: 'error', dueAt: null });
  });

  it('a runaway loop of instant steps stops with status error instead of spinning', () => {
    const d = new Driver(sequence([field('f1', 'a', 'x', 'f2'), field('f2', 'b', 'y', 'f1')]));
    d.send({ type: 'start' }, T0);
    expect(d.state.status).toBe('error');
    expect(d.ofType('field.update').length).toBeLessThanOrEqual(3);
  });
});

describe('wait', () => {
  it('holds until its end; a tick before it does nothing; wait_skipped ends it now', () => {
    const d = new Driver(
      sequence([
        task('t1', 'w1'),
        wait('w1', 'PT4H', 't2'),
        task('t2', 'w2'),
        wait('w2', 'P2D', 't3'),
        task('t3'),
      ]),
    );
    d.send({ type: 'start' }, T0);
    d.send({ type: 'step_completed', stepId: 't1' }, T0);
    expect(d.state).toMatchObject({ stepId: 'w1', phase: 'waiting', dueAt: T0 + 4 * HOUR });
    const waiting = d.state;
    expect(d.send({ type: 'tick' }, T0 + 4 * HOUR - 1)).toEqual([]);
    expect(d.state).toBe(waiting);
    d.tick();
    expect(d.state).toMatchObject({ stepId: 't2', phase: 'open' });
    d.send({ type: 'step_completed', stepId: 't2' }, T0 + 5 * HOUR);
    expect(d.send({ type: 'wait_skipped', stepId: 't2' }, T0 + 6 * HOUR)).toEqual([]);
    const effects = d.send({ type: 'wait_skipped', stepId: 'w2' }, T0 + 6 * HOUR);
    expect(effects).toContainEqual({
      type: 'step.closed',
      stepId: 'w2',
      seq: 4,
      state: 'skipped',
      at: T0 + 6 * HOUR,
    });
    expect(d.state).toMatchObject({ stepId: 't3', phase: 'open' });
  });

  it('a late tick catches up: each step happens at its own due time, never before', () => {
    const d = new Driver(
      sequence(
        [task('t1', 'w1'), wait('w1', 'P1D', 'a1'), auto('a1', 'w2'), wait('w2', 'P1D', 't2'), task('t2')],
        { workingHours: 'none' },
      ),
    );
    d.send({ type: 'start' }, T0);
    d.send({ type: 'step_completed', stepId: 't1' }, T0);
    d.send({ type: 'tick' }, T0 + 10 * DAY);
    expect(d.ofType('email.queue')[0]?.sendAt).toBe(T0 + DAY);
    expect(d.state).toMatchObject({ stepId: 'a1', phase: 'sending' });
    d.send({ type: 'email_sent', stepId: 'a1', at: T0 + 10 * DAY }, T0 + 10 * DAY);
    expect(d.state).toMatchObject({ stepId: 'w2', dueAt: T0 + 11 * DAY });
  });

  it('weeks are 7 days; a duration the validator refuses (never in an active sequence) is no wait', () => {
    for (const [duration, length] of [
      ['P1W', 7 * DAY],
      ['P1DT12H', 36 * HOUR],
      ['P1M', 0],
      ['P1.5D', 0],
      ['soon', 0],
    ] as const) {
      const d = new Driver(sequence([task('t1', 'w1'), wait('w1', duration, 't2'), task('t2')]));
      d.send({ type: 'start' }, T0);
      d.send({ type: 'step_completed', stepId: 't1' }, T0);
      const entered = d.ofType('step.entered').find((e) => e.stepId === 'w1');
      expect(entered?.dueAt, duration).toBe(T0 + length);
    }
  });
});

describe('exit criteria and signals', () => {
  it('exitOnReply: a reply to any email ends with exit_on_reply and cancels the open step', () => {
    const d = new Driver(sequence([email('e1', 't1'), task('t1')], { exitOnReply: true }));
    d.send({ type: 'start' }, T0);
    d.send({ type: 'step_completed', stepId: 'e1' }, T0 + 1);
    const effects = d.send({ type: 'signal', signal: 'email_replied', stepId: 'e1', at: T0 + 2 }, T0 + 3);
    expect(effects).toEqual([
      { type: 'step.closed', stepId: 't1', seq: 2, state: 'cancelled', at: T0 + 3, reason: 'exit_on_reply' },
      { type: 'stats.increment', stepId: 't1', counter: 'cancelled' },
      { type: 'enrollment.ended', reason: 'exit_on_reply', at: T0 + 3 },
    ]);
    expect(d.state).toMatchObject({ status: 'disconnected', endReason: 'exit_on_reply' });
  });

  it('without exitOnReply a reply is only recorded, and only when a condition needs it', () => {
    const d = new Driver(sequence([email('e1', 't1'), task('t1')]));
    d.send({ type: 'start' }, T0);
    const s = d.state;
    expect(d.send({ type: 'signal', signal: 'email_replied', stepId: 'e1', at: T0 }, T0)).toEqual([]);
    expect(d.state).toBe(s);
  });

  it('bounce and unsubscribe end the enrollment and drop a queued email', () => {
    for (const [signal, reason] of [
      ['email_bounced', 'bounced'],
      ['email_unsubscribed', 'unsubscribed'],
    ] as const) {
      const d = new Driver(sequence([auto('a1', 't1'), task('t1')]));
      d.send({ type: 'start' }, T0);
      const effects = d.send({ type: 'signal', signal, at: T0 }, T0 + 1);
      expect(effects[0]).toEqual({ type: 'email.cancel', stepId: 'a1', seq: 1 });
      expect(d.state).toMatchObject({ status: 'disconnected', endReason: reason });
    }
  });

  it('an ended enrollment ignores everything', () => {
    const d = new Driver(sequence([task('t1')]));
    d.send({ type: 'start' }, T0);
    d.send({ type: 'disconnect', reason: 'user_disconnected' }, T0 + 1);
    expect(d.state).toMatchObject({ status: 'disconnected', endReason: 'user_disconnected' });
    const ended = d.state;
    for (const event of [
      { type: 'signal', signal: 'email_bounced', at: T0 },
      { type: 'resume' },
      { type: 'tick' },
      { type: 'disconnect', reason: 'record_deleted' },
      { type: 'step_completed', stepId: 't1' },
    ] as const) {
      expect(d.send(event, T0 + DAY)).toEqual([]);
      expect(d.state).toBe(ended);
    }
  });

  it('a click proves an open: a condition on the email being opened takes yes when only a click came', () => {
    const d = new Driver(
      sequence([
        email('e1', 'c1'),
        {
          id: 'c1',
          type: 'condition',
          if: { signal: 'email_opened', step: 'e1' },
          within: 'P1D',
          moveOnSignal: true,
          yes: 't1',
          no: 't2',
        },
        task('t1'),
        task('t2'),
      ]),
    );
    d.send({ type: 'start' }, T0);
    d.send({ type: 'step_completed', stepId: 'e1' }, T0);
    d.send({ type: 'signal', signal: 'email_clicked', stepId: 'e1', at: T0 + HOUR }, T0 + HOUR);
    expect(d.state).toMatchObject({ stepId: 't1', phase: 'open' });
    expect(d.state.facts.e1).toMatchObject({ clicked: T0 + HOUR, opened: T0 + HOUR });
  });

  it('signals for steps that are not emails of this sequence do not apply', () => {
    const d = new Driver(
      sequence(
        [
          email('e1', 'c1'),
          {
            id: 'c1',
            type: 'condition',
            if: { signal: 'email_opened', step: 'e1' },
            within: 'P1D',
            yes: 't1',
          },
          task('t1'),
        ],
        { exitOnReply: true },
      ),
    );
    d.send({ type: 'start' }, T0);
    const s = d.state;
    expect(d.send({ type: 'signal', signal: 'email_replied', stepId: 't1', at: T0 }, T0)).toEqual([]);
    expect(d.send({ type: 'signal', signal: 'linkedin_connection_accepted', at: T0 }, T0)).toEqual([]);
    expect(d.state).toBe(s);
  });
});

describe('pause and resume', () => {
  it('a paused enrollment has no dueAt; resume shifts the wait end by the paused time', () => {
    const d = new Driver(sequence([task('t1', 'w1'), wait('w1', 'P2D', 't2'), task('t2')]));
    d.send({ type: 'start' }, T0);
    d.send({ type: 'step_completed', stepId: 't1' }, T0);
    d.send({ type: 'pause' }, T0 + DAY);
    expect(d.state).toMatchObject({ status: 'paused', dueAt: null, pausedAt: T0 + DAY });
    const paused = d.state;
    expect(d.send({ type: 'tick' }, T0 + 5 * DAY)).toEqual([]);
    expect(d.send({ type: 'pause' }, T0 + 5 * DAY)).toEqual([]);
    expect(d.send({ type: 'wait_skipped', stepId: 'w1' }, T0 + 5 * DAY)).toEqual([]);
    expect(d.state).toBe(paused);
    expect(d.send({ type: 'resume' }, T0 + 4 * DAY)).toEqual([
      { type: 'step.rescheduled', stepId: 'w1', seq: 2, dueAt: T0 + 5 * DAY },
    ]);
    expect(d.state).toMatchObject({ status: 'active', dueAt: T0 + 5 * DAY, pausedAt: null });
    expect(d.send({ type: 'resume' }, T0 + 4 * DAY)).toEqual([]);
  });

  it('an open step stays open; its due time shifts; seller actions wait for resume', () => {
    const d = new Driver(sequence([task('t1')]));
    d.send({ type: 'start' }, T0);
    d.send({ type: 'pause' }, T0 + HOUR);
    expect(d.send({ type: 'step_completed', stepId: 't1' }, T0 + 2 * HOUR)).toEqual([]);
    expect(d.send({ type: 'resume' }, T0 + 3 * HOUR)).toEqual([
      { type: 'step.rescheduled', stepId: 't1', seq: 1, dueAt: T0 + 2 * HOUR },
    ]);
    expect(d.state.phase).toBe('open');
  });

  it('an email sent during the pause completes its step; the sequence moves on at resume', () => {
    const d = new Driver(sequence([auto('a1', 't1'), task('t1')]));
    d.send({ type: 'start' }, T0);
    d.send({ type: 'pause' }, T0 + 1);
    d.send({ type: 'email_sent', stepId: 'a1', at: T0 + 2 }, T0 + 2);
    expect(d.state).toMatchObject({ status: 'paused', phase: 'done', stepId: 'a1' });
    d.send({ type: 'resume' }, T0 + DAY);
    expect(d.state).toMatchObject({ status: 'active', phase: 'open', stepId: 't1' });
    expect(d.ofType('step.entered').at(-1)?.proposedDueAt).toBe(T0 + DAY);
  });

  it('a queued automated email is held while paused and goes out at the next sending instant after resume', () => {
    const UTC_HOURS: WorkingCalendar = { timezone: 'UTC', weeklyHours: DEFAULT_WEEKLY_HOURS, timeOff: [] };
    // Entered Friday 18:00 UTC, after hours: queued for Monday 08:00.
    const friday = T0 + 4 * DAY + 9 * HOUR;
    const d = new Driver(sequence([auto('a1', 't1'), task('t1')]), { owner: UTC_HOURS });
    d.send({ type: 'start' }, friday);
    expect(d.ofType('email.queue')).toMatchObject([{ stepId: 'a1', seq: 1, sendAt: T0 + 7 * DAY - HOUR }]);
    expect(d.send({ type: 'pause' }, friday + HOUR)).toEqual([{ type: 'email.hold', stepId: 'a1', seq: 1 }]);
    // Resumed Monday 20:00 UTC, past Monday's sending hours: Tuesday 08:00.
    expect(d.send({ type: 'resume' }, T0 + 7 * DAY + 11 * HOUR)).toEqual([
      { type: 'email.release', stepId: 'a1', seq: 1, sendAt: T0 + 8 * DAY - HOUR },
      // The history row says when it goes out now.
      { type: 'step.rescheduled', stepId: 'a1', seq: 1, dueAt: T0 + 8 * DAY - HOUR },
    ]);
    expect(d.state).toMatchObject({ status: 'active', phase: 'sending', stepId: 'a1' });

    // A pause and resume in the same instant release it too, at its own time.
    const e = new Driver(sequence([auto('a1', 't1'), task('t1')]), { owner: UTC_HOURS });
    e.send({ type: 'start' }, friday);
    e.send({ type: 'pause' }, friday + HOUR);
    expect(e.send({ type: 'resume' }, friday + HOUR)).toEqual([
      { type: 'email.release', stepId: 'a1', seq: 1, sendAt: T0 + 7 * DAY - HOUR },
    ]);
  });

  it('disconnect while paused cancels the step', () => {
    const d = new Driver(sequence([task('t1')]));
    d.send({ type: 'start' }, T0);
    d.send({ type: 'pause' }, T0 + 1);
    d.send({ type: 'disconnect', reason: 'sequence_deactivated' }, T0 + 2);
    expect(d.state).toMatchObject({
      status: 'disconnected',
      endReason: 'sequence_deactivated',
      pausedAt: null,
    });
    expect(d.ofType('step.closed').at(-1)).toMatchObject({ stepId: 't1', state: 'cancelled' });
  });
});

describe('calendar changes', () => {
  // T0 + 9 h is Monday 18:00 UTC, after 08:00–17:00: a task entered then waits for Tuesday 08:00.
  const UTC_DEFAULT: WorkingCalendar = { timezone: 'UTC', weeklyHours: DEFAULT_WEEKLY_HOURS, timeOff: [] };
  const LATER: WorkingCalendar = {
    ...UTC_DEFAULT,
    weeklyHours: { ...DEFAULT_WEEKLY_HOURS, tue: [['10:00', '18:00']] },
  };
  const TUESDAY_8 = T0 + DAY - HOUR;
  const TUESDAY_10 = T0 + DAY + HOUR;
  /** The same enrollment driven on in another calendar. */
  const inCalendar = (d: Driver, owner: WorkingCalendar): Driver => {
    const moved = new Driver(d.definition, { owner });
    moved.state = d.state;
    return moved;
  };

  it('places a scheduled step again from when it was ready, with the new calendar', () => {
    const d = new Driver(sequence([task('t1')]), { owner: UTC_DEFAULT });
    d.send({ type: 'start' }, T0 + 9 * HOUR);
    expect(d.state).toMatchObject({ phase: 'scheduled', due: TUESDAY_8, readyAt: T0 + 9 * HOUR });
    const later = inCalendar(d, LATER);
    expect(later.send({ type: 'calendar_changed' }, T0 + 10 * HOUR)).toEqual([
      { type: 'step.rescheduled', stepId: 't1', seq: 1, dueAt: TUESDAY_10 },
    ]);
    expect(later.state).toMatchObject({ phase: 'scheduled', due: TUESDAY_10, dueAt: TUESDAY_10 });
    // The same calendar again changes nothing; the step still opens at its (new) time.
    expect(later.send({ type: 'calendar_changed' }, T0 + 10 * HOUR)).toEqual([]);
    expect(later.tick()).toContainEqual({
      type: 'step.opened',
      stepId: 't1',
      seq: 1,
      at: TUESDAY_10,
      dueAt: TUESDAY_10,
    });
    expect(later.state.readyAt).toBeNull();
  });

  it('leaves a snoozed step, a step already due, an open step and a paused enrollment alone', () => {
    const d = new Driver(sequence([task('t1')]), { owner: UTC_DEFAULT });
    d.send({ type: 'start' }, T0 + 9 * HOUR);
    const snoozed = inCalendar(d, UTC_DEFAULT);
    snoozed.send({ type: 'snoozed', stepId: 't1', until: TUESDAY_8 + 1 }, T0 + 10 * HOUR);
    expect(snoozed.state.readyAt).toBeNull();
    expect(inCalendar(snoozed, LATER).send({ type: 'calendar_changed' }, T0 + 10 * HOUR)).toEqual([]);
    // Due (its tick not yet delivered): the scheduler opens it now, the calendar does not take it back.
    expect(inCalendar(d, LATER).send({ type: 'calendar_changed' }, TUESDAY_8)).toEqual([]);
    const paused = inCalendar(d, UTC_DEFAULT);
    paused.send({ type: 'pause' }, T0 + 10 * HOUR);
    expect(inCalendar(paused, LATER).send({ type: 'calendar_changed' }, T0 + 10 * HOUR)).toEqual([]);
    const open = new Driver(sequence([task('t1')]), { owner: UTC_DEFAULT });
    open.send({ type: 'start' }, T0);
    expect(inCalendar(open, LATER).send({ type: 'calendar_changed' }, T0 + HOUR)).toEqual([]);
  });

  it('opens a step now when the new calendar would have opened it already', () => {
    const d = new Driver(sequence([task('t1')]), { owner: UTC_DEFAULT });
    d.send({ type: 'start' }, T0 + 9 * HOUR);
    const effects = inCalendar(d, ALWAYS_OPEN).send({ type: 'calendar_changed' }, T0 + 11 * HOUR);
    expect(effects).toEqual([
      { type: 'step.rescheduled', stepId: 't1', seq: 1, dueAt: T0 + 11 * HOUR },
      { type: 'step.opened', stepId: 't1', seq: 1, at: T0 + 11 * HOUR, dueAt: T0 + 11 * HOUR },
    ]);
  });
});

describe('newEnrollmentState', () => {
  it('is small and JSON-serialisable', () => {
    const d = new Driver(
      sequence([
        email('e1', 'c1'),
        {
          id: 'c1',
          type: 'condition',
          if: { signal: 'email_replied', step: 'e1' },
          within: 'P2D',
          yes: 't1',
          no: 't1',
        },
        task('t1'),
      ]),
    );
    expect(JSON.parse(JSON.stringify(newEnrollmentState()))).toEqual(newEnrollmentState());
    d.send({ type: 'start' }, T0);
    d.send({ type: 'step_completed', stepId: 'e1' }, T0 + 1);
    d.send({ type: 'signal', signal: 'email_replied', stepId: 'e1', at: T0 + 2 }, T0 + 2);
    const json = JSON.stringify(d.state);
    expect(JSON.parse(json)).toEqual(d.state);
    expect(json.length).toBeLessThan(220);
  });
});
