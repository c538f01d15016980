// Scheduled manual steps follow their owner's calendar, on both dialects: a change of working hours, days
// off or time zone (updateUser), or a new owner (changeRecordOwner, a bulk upsert), places a step the
// calendar placed again, as the engine placed it when the step was entered; a snoozed step keeps the
// seller's time, `workingHours: none` has nothing to move, other owners' steps stay, and the scheduler
// opens the step at its new time.
import { expect, it } from 'vitest';
import type { SequenceDefinition } from '../domain/definition.js';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { connectRecords } from './connect.js';
import { stepRowId } from './enrollment-commit.js';
import { getEnrollment } from './enrollment-views.js';
import { updateUser } from './owner-calendar.js';
import type { WorkingHours } from './ports/store.js';
import { changeRecordOwner } from './record-lifecycle.js';
import { upsertRecordBatch } from './records-upsert.js';
import { runDue } from './scheduler.js';
import { type EngineActor, pauseEnrollment, resumeEnrollment, snoozeStep } from './seller-actions.js';
import {
  activeSequence,
  aUser,
  definition,
  engineDeps,
  HOUR,
  someRecords,
} from './test-support/engine-world.js';
import { listWorklist } from './worklist.js';

const MINUTE = 60_000;
/** Monday 23 November 2026, 19:00 in New York (EST, UTC−5): after the owner's hours, so a task waits. */
const MONDAY_EVENING = Date.UTC(2026, 10, 24, 0, 0);
/** Tuesday 09:00 in New York: where the task is placed first. */
const TUESDAY_9_NY = Date.UTC(2026, 10, 24, 14, 0);
const TUESDAY_10_NY = Date.UTC(2026, 10, 24, 15, 0);
const WEDNESDAY_9_NY = Date.UTC(2026, 10, 25, 14, 0);
const THURSDAY_9_NY = Date.UTC(2026, 10, 26, 14, 0);

function weekdays(from: string, to: string, off: readonly string[] = []): WorkingHours {
  const day = (d: string): [string, string][] => (off.includes(d) ? [] : [[from, to]]);
  return {
    mon: day('mon'),
    tue: day('tue'),
    wed: day('wed'),
    thu: day('thu'),
    fri: day('fri'),
    sat: [],
    sun: [],
  };
}

const NINE_TO_FIVE = weekdays('09:00', '17:00');
const NEW_YORK = { timezone: 'America/New_York', workingHours: NINE_TO_FIVE };

const TASK = definition([{ id: 't1', type: 'task', name: 'Research' }]);

type DialectTestOf = Parameters<Parameters<typeof forEachDialect>[1]>[0];

async function world(t: DialectTestOf) {
  const deps = engineDeps(t.store(), {}, MONDAY_EVENING);
  const actor = (user: { id: string; role: EngineActor['role'] }): EngineActor => ({
    id: user.id,
    role: user.role,
  });
  const alice = actor(await aUser(deps.store, 'salesperson', NEW_YORK));
  const manager = actor(await aUser(deps.store, 'sales_manager'));
  /** Connects a new record of `owner` (default alice) to a new sequence of `def`; returns the enrollment id. */
  const enroll = async (
    def: SequenceDefinition = TASK,
    owner: EngineActor = alice,
    record: { timezone?: string } = {},
  ): Promise<{ enrollmentId: string; recordId: string }> => {
    const sequenceId = await activeSequence(deps.store, manager.id, def);
    const [recordId] = (await someRecords(deps.store, owner.id, 1, 'lead', record)) as [string];
    const connected = await connectRecords(deps, { sequenceId, recordIds: [recordId], actor: owner });
    const enrollmentId = connected.enrolled[0]?.enrollmentId as string;
    expect(enrollmentId).toBeDefined();
    return { enrollmentId, recordId };
  };
  /** The enrollment's due time as the scheduler (its row), the history row and the API's `dueAt` see it. */
  const dues = async (enrollmentId: string) => {
    const [loaded] = await deps.store.engine.load([enrollmentId]);
    const steps = await deps.store.enrollments.listSteps(enrollmentId);
    const detail = await getEnrollment(deps, manager, enrollmentId);
    return {
      phase: loaded?.state.phase,
      row: loaded?.state.dueAt,
      history: steps.at(-1)?.dueAt,
      api: detail.dueAt,
    };
  };
  const at = (due: number) => ({ phase: 'scheduled', row: due, history: due, api: due });
  /** The owner's work list as (step row id → [state, dueAt]). */
  const worklist = async (owner: EngineActor) => {
    const page = await listWorklist(deps, manager, {
      when: 'all',
      ownerId: owner.id,
      limit: 100,
      cursor: null,
    });
    return Object.fromEntries(page.items.map((item) => [item.id, [item.state, item.dueAt]]));
  };
  /** Later than the users' creation: their `updatedAt` (the calendar cache's key) moves. */
  deps.clock.set(MONDAY_EVENING + MINUTE);
  return { deps, alice, manager, enroll, dues, at, worklist, actor };
}

forEachDialect('owner calendar', (t) => {
  it('hours moved later: the task opens at the new start, and the scheduler opens it then, not before', async () => {
    const w = await world(t);
    const { enrollmentId } = await w.enroll();
    expect(await w.dues(enrollmentId)).toEqual(w.at(TUESDAY_9_NY));

    await updateUser(w.deps, w.alice.id, { workingHours: weekdays('10:00', '18:00') });
    expect(await w.dues(enrollmentId)).toEqual(w.at(TUESDAY_10_NY));
    expect(await w.worklist(w.alice)).toEqual({ [stepRowId(enrollmentId, 1)]: ['waiting', TUESDAY_10_NY] });

    // The old time passes: nothing is due; the new one opens it, at that time.
    w.deps.clock.set(TUESDAY_9_NY);
    expect(await runDue(w.deps, { batchSize: 100, leaseOwner: 'test' })).toBe(0);
    expect((await w.dues(enrollmentId)).phase).toBe('scheduled');
    w.deps.clock.set(TUESDAY_10_NY);
    expect(await runDue(w.deps, { batchSize: 100, leaseOwner: 'test' })).toBe(1);
    const [step] = await w.deps.store.enrollments.listSteps(enrollmentId);
    expect(step).toMatchObject({ state: 'open', openedAt: TUESDAY_10_NY, dueAt: TUESDAY_10_NY });
    expect(await w.worklist(w.alice)).toEqual({ [stepRowId(enrollmentId, 1)]: ['open', TUESDAY_10_NY] });
  });

  it('a day turned off (time off, then no hours that weekday) moves the task to the next working day', async () => {
    const w = await world(t);
    const { enrollmentId } = await w.enroll();
    const tuesday = { start: Date.UTC(2026, 10, 24, 5), end: Date.UTC(2026, 10, 25, 5) };
    await updateUser(w.deps, w.alice.id, { timeOff: [tuesday] });
    expect(await w.dues(enrollmentId)).toEqual(w.at(WEDNESDAY_9_NY));

    w.deps.clock.advance(MINUTE);
    await updateUser(w.deps, w.alice.id, { workingHours: weekdays('09:00', '17:00', ['wed']) });
    expect(await w.dues(enrollmentId)).toEqual(w.at(THURSDAY_9_NY));

    // Back to the first calendar: back to the first time (placed again from when it was ready).
    w.deps.clock.advance(MINUTE);
    await updateUser(w.deps, w.alice.id, { timeOff: [], workingHours: NINE_TO_FIVE });
    expect(await w.dues(enrollmentId)).toEqual(w.at(TUESDAY_9_NY));
  });

  it('a time-zone change places the task in the new zone', async () => {
    const w = await world(t);
    const { enrollmentId } = await w.enroll();
    await updateUser(w.deps, w.alice.id, { timezone: 'Europe/Paris' });
    // Ready Tuesday 01:01 in Paris (UTC+1): Tuesday 09:00 there.
    expect(await w.dues(enrollmentId)).toEqual(w.at(Date.UTC(2026, 10, 24, 8, 0)));
  });

  it('a snoozed step keeps the time the seller chose; a placed one of the same owner moves', async () => {
    const w = await world(t);
    const snoozed = await w.enroll();
    const placed = await w.enroll();
    const until = Date.UTC(2026, 10, 24, 14, 30);
    const snooze = await snoozeStep(w.deps, w.alice, stepRowId(snoozed.enrollmentId, 1), { until });
    expect(snooze.applied).toBe(true);

    await updateUser(w.deps, w.alice.id, { workingHours: weekdays('10:00', '18:00') });
    expect(await w.dues(snoozed.enrollmentId)).toEqual(w.at(until));
    expect(await w.dues(placed.enrollmentId)).toEqual(w.at(TUESDAY_10_NY));
  });

  it('workingHours none: its step opened when due, nothing moves; an owner-hours step moves', async () => {
    const w = await world(t);
    const none = await w.enroll(definition(TASK.steps, { workingHours: 'none' }));
    const owner = await w.enroll();
    const [before] = await w.deps.store.enrollments.listSteps(none.enrollmentId);
    expect(before).toMatchObject({ state: 'open', dueAt: w.deps.clock.now() });

    await updateUser(w.deps, w.alice.id, { workingHours: weekdays('10:00', '18:00') });
    expect(await w.deps.store.enrollments.listSteps(none.enrollmentId)).toEqual([before]);
    expect(await w.dues(owner.enrollmentId)).toEqual(w.at(TUESDAY_10_NY));
  });

  it("workingHours recipient: a manual step follows the owner's hours in the owner's zone, as when entered", async () => {
    const w = await world(t);
    const { enrollmentId } = await w.enroll(definition(TASK.steps, { workingHours: 'recipient' }), w.alice, {
      timezone: 'Asia/Tokyo',
    });
    expect(await w.dues(enrollmentId)).toEqual(w.at(TUESDAY_9_NY));
    await updateUser(w.deps, w.alice.id, { workingHours: weekdays('10:00', '18:00') });
    expect(await w.dues(enrollmentId)).toEqual(w.at(TUESDAY_10_NY));
  });

  it("another owner's step stays where it is", async () => {
    const w = await world(t);
    const carol = w.actor(await aUser(w.deps.store, 'salesperson', NEW_YORK));
    const hers = await w.enroll(TASK, carol);
    const alices = await w.enroll();
    await updateUser(w.deps, w.alice.id, { workingHours: weekdays('10:00', '18:00') });
    expect(await w.dues(alices.enrollmentId)).toEqual(w.at(TUESDAY_10_NY));
    expect(await w.dues(hers.enrollmentId)).toEqual(w.at(TUESDAY_9_NY));
    expect(await w.worklist(carol)).toEqual({ [stepRowId(hers.enrollmentId, 1)]: ['waiting', TUESDAY_9_NY] });
  });

  it("an owner change places the task in the new owner's calendar (PATCH and bulk upsert)", async () => {
    const w = await world(t);
    const london = { timezone: 'Europe/London', workingHours: NINE_TO_FIVE };
    const bob = w.actor(await aUser(w.deps.store, 'salesperson', london));
    const patched = await w.enroll();
    await changeRecordOwner(w.deps, w.manager, patched.recordId, bob.id);
    // Ready Monday 19:01 in New York = Tuesday 00:01 in London → Tuesday 09:00 in London (UTC).
    const tuesday9London = Date.UTC(2026, 10, 24, 9, 0);
    expect(await w.dues(patched.enrollmentId)).toEqual(w.at(tuesday9London));
    expect(await w.worklist(bob)).toEqual({
      [stepRowId(patched.enrollmentId, 1)]: ['waiting', tuesday9London],
    });

    const upserted = await w.enroll();
    const record = await w.deps.store.records.get(upserted.recordId);
    await w.deps.store.records.update(upserted.recordId, { externalId: 'crm-1' }, w.deps.clock.now());
    const [result] = await upsertRecordBatch(w.deps, w.manager, [
      {
        id: 'rec_unused',
        type: 'lead',
        name: record?.name ?? 'Record',
        externalId: 'crm-1',
        ownerId: bob.id,
      },
    ]);
    expect(result).toMatchObject({
      outcome: 'updated',
      ownerChange: { enrollmentIds: [upserted.enrollmentId] },
    });
    expect(await w.dues(upserted.enrollmentId)).toEqual(w.at(tuesday9London));
  });

  it('a step the new calendar would have opened already opens now, never in the past', async () => {
    const w = await world(t);
    const { enrollmentId } = await w.enroll();
    // Monday 19:01, when it was ready, is inside 09:00–20:00: it opens at the change, not back then.
    w.deps.clock.advance(HOUR);
    const now = w.deps.clock.now();
    await updateUser(w.deps, w.alice.id, { workingHours: weekdays('09:00', '20:00') });
    const [step] = await w.deps.store.enrollments.listSteps(enrollmentId);
    expect(step).toMatchObject({ state: 'open', dueAt: now, openedAt: now });
    expect((await w.dues(enrollmentId)).phase).toBe('open');
  });

  it('a paused enrollment is left to its resume, which places the step in the calendar of that time', async () => {
    const w = await world(t);
    const { enrollmentId } = await w.enroll();
    await pauseEnrollment(w.deps, w.alice, enrollmentId);
    await updateUser(w.deps, w.alice.id, { workingHours: weekdays('12:00', '18:00') });
    const [paused] = await w.deps.store.engine.load([enrollmentId]);
    expect(paused?.state).toMatchObject({
      status: 'paused',
      due: TUESDAY_9_NY,
      readyAt: MONDAY_EVENING + MINUTE,
    });
    w.deps.clock.advance(HOUR);
    await resumeEnrollment(w.deps, w.alice, enrollmentId);
    // Ready since before the pause, the step opens at the next working instant from the resume, in the
    // new hours: Tuesday 12:00 (and it is ready from the resume on, for a later calendar change).
    const noon = Date.UTC(2026, 10, 24, 17, 0);
    expect(await w.dues(enrollmentId)).toEqual(w.at(noon));
    const [resumed] = await w.deps.store.engine.load([enrollmentId]);
    expect(resumed?.state.readyAt).toBe(w.deps.clock.now());
  });
});
