// The read side on both dialects: the work list's windows in the owner's time zone, its keyset pages,
// paused enrollments left out; a record's up-next; an enrollment's history; a sequence's connected records.
import { expect, it } from 'vitest';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { applyEvents } from './apply-events.js';
import { connectRecords } from './connect.js';
import { getEnrollment, listSequenceEnrollments, upNext } from './enrollment-views.js';
import { runDue } from './scheduler.js';
import { snoozeStep } from './seller-actions.js';
import {
  activeSequence,
  aUser,
  DAY,
  definition,
  engineDeps,
  HOUR,
  nextId,
  someRecords,
  T0,
} from './test-support/engine-world.js';
import { listWorklist, type WorklistWhen } from './worklist.js';

const CALL_THEN_TASK = definition([
  { id: 'c1', type: 'phone_call', name: 'Call', description: 'Ask for a meeting', next: 't1' },
  { id: 't1', type: 'task', name: 'Send the deck' },
]);
const FIELD_WAIT_CALL = definition([
  { id: 'f1', type: 'update_field', field: 'stage', value: 'working', next: 'w1' },
  { id: 'w1', type: 'wait', duration: 'P2D', next: 'c1' },
  { id: 'c1', type: 'phone_call', name: 'Call' },
]);

forEachDialect('work list and enrollment views', (t) => {
  it('splits overdue, today and upcoming in the owner’s zone, and pages by due time', async () => {
    // 09:00 UTC on Monday is 20:00 in Sydney: "today" there ends at 13:00 UTC.
    const deps = engineDeps(t.store());
    const seller = await aUser(deps.store, 'salesperson', {
      timezone: 'Australia/Sydney',
      workingHours: {
        mon: [['00:00', '24:00']],
        tue: [['00:00', '24:00']],
        wed: [['00:00', '24:00']],
        thu: [['00:00', '24:00']],
        fri: [['00:00', '24:00']],
        sat: [['00:00', '24:00']],
        sun: [['00:00', '24:00']],
      },
    });
    const actor = { id: seller.id, role: seller.role };
    const seq = await activeSequence(deps.store, seller.id, CALL_THEN_TASK);
    const records = await someRecords(deps.store, seller.id, 5);
    await connectRecords(deps, { sequenceId: seq, recordIds: records, actor });

    const ids = async (when: WorklistWhen) =>
      (await listWorklist(deps, actor, { when, limit: 50, cursor: null })).items.map((i) => i.id);
    expect(await ids('today')).toHaveLength(5);
    expect(await ids('overdue')).toEqual([]);
    expect(await ids('upcoming')).toEqual([]);

    const page = await listWorklist(deps, actor, { when: 'all', limit: 2, cursor: null });
    expect(page.items[0]).toMatchObject({
      step: {
        id: 'c1',
        type: 'phone_call',
        name: 'Call',
        description: 'Ask for a meeting',
        templateId: null,
      },
      record: { name: 'Record', type: 'lead' },
      state: 'open',
      dueAt: T0,
    });
    const seen = page.items.map((i) => i.id);
    let cursor = page.nextCursor;
    while (cursor !== null) {
      const next = await listWorklist(deps, actor, { when: 'all', limit: 2, cursor });
      seen.push(...next.items.map((i) => i.id));
      cursor = next.nextCursor;
    }
    expect(new Set(seen).size).toBe(5);
    expect(seen).toEqual([...seen].sort());

    // Five hours later it is Tuesday 01:00 in Sydney: Monday's steps are overdue.
    deps.clock.advance(5 * HOUR);
    expect(await ids('overdue')).toHaveLength(5);
    expect(await ids('today')).toEqual([]);

    // A paused enrollment's open step leaves the list; a snoozed one is upcoming.
    const [first, second] = page.items;
    await applyEvents(deps, [
      { enrollmentId: first?.enrollmentId as string, event: { type: 'pause' } },
      {
        enrollmentId: second?.enrollmentId as string,
        event: { type: 'snoozed', stepId: 'c1', until: T0 + 3 * DAY },
      },
    ]);
    expect(await ids('all')).not.toContain(first?.id);
    const upcoming = (await listWorklist(deps, actor, { when: 'upcoming', limit: 50, cursor: null })).items;
    expect(upcoming).toEqual([
      expect.objectContaining({ id: second?.id, state: 'waiting', dueAt: T0 + 3 * DAY }),
    ]);
  });

  it('starts tomorrow at its own midnight when today’s midnight did not exist (DST at 00:00)', async () => {
    // Sunday 2027-09-05 in Santiago starts at 01:00 (UTC-4 → UTC-3 at midnight); Monday starts at 00:00.
    // At noon on Sunday, a call placed at Monday 00:30 (its working hours' start) is upcoming, not today.
    const noonSunday = Date.parse('2027-09-05T15:00:00Z');
    const deps = engineDeps(t.store(), {}, noonSunday);
    const seller = await aUser(deps.store, 'salesperson', {
      timezone: 'America/Santiago',
      workingHours: {
        mon: [['00:30', '17:00']],
        tue: [],
        wed: [],
        thu: [],
        fri: [],
        sat: [],
        sun: [],
      },
    });
    const actor = { id: seller.id, role: seller.role };
    const seq = await activeSequence(deps.store, seller.id, CALL_THEN_TASK);
    await connectRecords(deps, {
      sequenceId: seq,
      recordIds: await someRecords(deps.store, seller.id, 1),
      actor,
    });
    const dueAts = async (when: WorklistWhen) =>
      (await listWorklist(deps, actor, { when, limit: 50, cursor: null })).items.map((i) => i.dueAt);
    const mondayHalfPastMidnight = Date.parse('2027-09-06T03:30:00Z');
    expect(await dueAts('all')).toEqual([mondayHalfPastMidnight]);
    expect(await dueAts('today')).toEqual([]);
    expect(await dueAts('upcoming')).toEqual([mondayHalfPastMidnight]);
    // On Monday at 00:10 it is today (Monday began at 00:00, 03:00 UTC).
    deps.clock.set(Date.parse('2027-09-06T03:10:00Z'));
    expect(await dueAts('today')).toEqual([mondayHalfPastMidnight]);
    expect(await dueAts('upcoming')).toEqual([]);
  });

  it('carries the record’s email, phone and LinkedIn profile in the work list and up-next', async () => {
    const deps = engineDeps(t.store());
    const seller = await aUser(deps.store, 'salesperson');
    const actor = { id: seller.id, role: seller.role };
    const seq = await activeSequence(deps.store, seller.id, CALL_THEN_TASK);
    const [reachable, bare] = (
      await deps.store.records.upsertMany(
        [
          {
            id: nextId('rec'),
            type: 'lead',
            name: 'Ada Lovelace',
            ownerId: seller.id,
            email: 'ada@example.test',
            phone: '+44 20 7946 0000',
            linkedinUrl: 'https://www.linkedin.com/in/ada',
          },
          { id: nextId('rec'), type: 'lead', name: 'Bare Record', ownerId: seller.id },
        ],
        T0,
      )
    ).map((r) => (r.outcome === 'error' ? r.message : r.id));
    await connectRecords(deps, { sequenceId: seq, recordIds: [reachable, bare] as string[], actor });

    const { items } = await listWorklist(deps, actor, { when: 'all', limit: 50, cursor: null });
    const recordOf = (id: string | undefined) => items.find((i) => i.record.id === id)?.record;
    expect(recordOf(reachable)).toEqual({
      id: reachable,
      name: 'Ada Lovelace',
      type: 'lead',
      email: 'ada@example.test',
      phone: '+44 20 7946 0000',
      linkedinUrl: 'https://www.linkedin.com/in/ada',
    });
    expect(recordOf(bare)).toEqual({
      id: bare,
      name: 'Bare Record',
      type: 'lead',
      email: null,
      phone: null,
      linkedinUrl: null,
    });
    expect((await upNext(deps, actor, reachable as string))[0]?.record).toEqual(recordOf(reachable));
  });

  it('tells a snoozed step from a scheduled one, through a second snooze, until it opens', async () => {
    // Working hours 08:00–17:00 UTC: connected at 06:00, the call is scheduled to open at 08:00.
    const deps = engineDeps(t.store(), {}, T0 - 3 * HOUR);
    const seller = await aUser(deps.store, 'salesperson');
    const actor = { id: seller.id, role: seller.role };
    const seq = await activeSequence(deps.store, seller.id, CALL_THEN_TASK);
    await connectRecords(deps, {
      sequenceId: seq,
      recordIds: await someRecords(deps.store, seller.id, 2),
      actor,
    });
    const all = async () => (await listWorklist(deps, actor, { when: 'all', limit: 50, cursor: null })).items;
    const [first, second] = await all();
    expect([first?.state, first?.snoozedAt, second?.snoozedAt]).toEqual(['waiting', null, null]);

    const snoozedAt = deps.clock.now();
    await snoozeStep(deps, actor, first?.id as string, { until: T0 + DAY });
    deps.clock.advance(HOUR);
    await snoozeStep(deps, actor, second?.id as string, { until: T0 + 2 * DAY });
    await snoozeStep(deps, actor, second?.id as string, { until: T0 + DAY + HOUR });
    expect(await all()).toEqual([
      expect.objectContaining({ id: first?.id, state: 'waiting', dueAt: T0 + DAY, snoozedAt }),
      expect.objectContaining({ id: second?.id, dueAt: T0 + DAY + HOUR, snoozedAt: snoozedAt + HOUR }),
    ]);
    expect(await upNext(deps, actor, first?.record.id as string)).toEqual([
      expect.objectContaining({ id: first?.id, snoozedAt }),
    ]);

    // Opened at the chosen time, it still says when it was snoozed.
    deps.clock.set(T0 + DAY);
    await runDue(deps, { batchSize: 10, leaseOwner: 'test' });
    expect((await all())[0]).toMatchObject({ id: first?.id, state: 'open', snoozedAt });
  });

  it('lets managers read an owner’s list and refuses a seller another’s', async () => {
    const deps = engineDeps(t.store());
    const seller = await aUser(deps.store, 'salesperson');
    const other = await aUser(deps.store, 'salesperson');
    const manager = await aUser(deps.store, 'sales_manager');
    const seq = await activeSequence(deps.store, seller.id, CALL_THEN_TASK);
    await connectRecords(deps, {
      sequenceId: seq,
      recordIds: await someRecords(deps.store, seller.id, 2),
      actor: { id: manager.id, role: manager.role },
    });
    const query = { when: 'today' as const, limit: 50, cursor: null };
    expect(
      (await listWorklist(deps, { id: manager.id, role: manager.role }, { ...query, ownerId: seller.id }))
        .items,
    ).toHaveLength(2);
    expect((await listWorklist(deps, { id: other.id, role: other.role }, query)).items).toEqual([]);
    await expect(
      listWorklist(deps, { id: other.id, role: other.role }, { ...query, ownerId: seller.id }),
    ).rejects.toMatchObject({ status: 403 });
    // An unknown owner is a mistake for every `when`, not an empty list.
    for (const when of ['all', 'today'] as const)
      await expect(
        listWorklist(deps, { id: manager.id, role: manager.role }, { ...query, when, ownerId: 'usr_nope' }),
      ).rejects.toMatchObject({ status: 400, errors: [{ code: 'owner_not_found', path: '/ownerId' }] });
  });

  it('shows up-next, the history and the connected records through a wait', async () => {
    const deps = engineDeps(t.store());
    const seller = await aUser(deps.store, 'salesperson');
    const actor = { id: seller.id, role: seller.role };
    const seq = await activeSequence(deps.store, seller.id, FIELD_WAIT_CALL);
    const [record] = await someRecords(deps.store, seller.id, 1);
    const { enrolled } = await connectRecords(deps, {
      sequenceId: seq,
      recordIds: [record as string],
      actor,
    });
    const enrollmentId = enrolled[0]?.enrollmentId as string;

    expect(await upNext(deps, actor, record as string)).toEqual([
      expect.objectContaining({
        step: expect.objectContaining({ id: 'w1', type: 'wait' }),
        dueAt: T0 + 2 * DAY,
      }),
    ]);
    // The /metrics figures: the wait is in the backlog once it falls due, and nothing is in the outbox.
    expect(await deps.store.operations.dueBacklog(T0)).toBe(0);
    expect(await deps.store.operations.dueBacklog(T0 + 2 * DAY)).toBe(1);
    expect(await deps.store.operations.outboxDepth()).toEqual({
      pending: 0,
      sending: 0,
      failed: 0,
      send_unknown: 0,
    });
    deps.clock.advance(2 * DAY);
    await runDue(deps, { batchSize: 100, leaseOwner: 'test' });
    expect(await upNext(deps, actor, record as string)).toEqual([
      expect.objectContaining({ step: expect.objectContaining({ id: 'c1', name: 'Call' }), state: 'open' }),
    ]);

    const detail = await getEnrollment(deps, actor, enrollmentId);
    expect(detail).toMatchObject({ status: 'active', currentStepId: 'c1', sequenceVersion: 1 });
    expect(detail.history.map((h) => [h.stepId, h.state])).toEqual([
      ['f1', 'completed'],
      ['w1', 'completed'],
      ['c1', 'open'],
    ]);
    const stranger = await aUser(deps.store, 'salesperson');
    await expect(
      getEnrollment(deps, { id: stranger.id, role: 'salesperson' }, enrollmentId),
    ).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      upNext(deps, { id: stranger.id, role: 'salesperson' }, record as string),
    ).rejects.toMatchObject({
      status: 404,
    });

    const connected = await listSequenceEnrollments(deps, seq, { limit: 50, cursor: null });
    expect(connected.items).toEqual([
      expect.objectContaining({
        enrollmentId,
        record: { id: record, name: 'Record', type: 'lead' },
        currentStep: { id: 'c1', name: 'Call', type: 'phone_call' },
        daysElapsed: 2,
      }),
    ]);
    await expect(
      listSequenceEnrollments(deps, 'seq_nope', { limit: 50, cursor: null }),
    ).rejects.toMatchObject({
      status: 404,
    });
  });
});
