// A user's calendar changed through the HTTP API (PATCH /api/users/{id} by an administrator, PATCH
// /api/users/me by the seller) moves the manual steps waiting for their working hours, on both stores:
// the work list and GET /api/enrollments/{id} show the new due time, and the scheduler opens the step then.
import { expect, it } from 'vitest';
import { connectRecords } from '../engine/connect.js';
import { WEEKDAYS, type Weekday, type WorkingHours } from '../engine/ports/store.js';
import { runDue } from '../engine/scheduler.js';
import { activeSequence, aUser, definition, someRecords } from '../engine/test-support/engine-world.js';
import { type DialectTest, forEachDialect } from '../storage/test-support/dialects.js';
import { createApiToken } from './auth/api-tokens.js';
import { startDialectServer } from './test-support/dialect-server.js';

/** Monday 23 November 2026, 19:00 in New York: after hours, so a task waits for Tuesday. */
const MONDAY_EVENING = '2026-11-24T00:00:00.000Z';
const TUESDAY_9_NY = '2026-11-24T14:00:00.000Z';
const TUESDAY_10_NY = '2026-11-24T15:00:00.000Z';
const WEDNESDAY_9_NY = '2026-11-25T14:00:00.000Z';

const hours = (from: string, to: string, off: readonly Weekday[] = []): WorkingHours =>
  Object.fromEntries(
    WEEKDAYS.map((d) => [d, d === 'sat' || d === 'sun' || off.includes(d) ? [] : [[from, to]]]),
  ) as WorkingHours;

async function world(t: DialectTest) {
  const { app, deps, clock } = await startDialectServer(t);
  clock.set(Date.parse(MONDAY_EVENING));
  const seller = await aUser(deps.store, 'salesperson', {
    timezone: 'America/New_York',
    workingHours: hours('09:00', '17:00'),
  });
  const admin = await aUser(deps.store, 'admin');
  const tokens = {
    seller: (await createApiToken(deps, seller.id, 'seller')).token,
    admin: (await createApiToken(deps, admin.id, 'admin')).token,
  };
  const call = (who: keyof typeof tokens, method: 'GET' | 'PATCH' | 'POST', url: string, payload?: object) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[who]}` },
      ...(payload === undefined ? {} : { payload }),
    });
  const sequenceId = await activeSequence(
    deps.store,
    admin.id,
    definition([{ id: 't1', type: 'task', name: 'Research' }]),
  );
  const [recordId] = (await someRecords(deps.store, seller.id, 1)) as [string];
  const connected = await connectRecords(deps, {
    sequenceId,
    recordIds: [recordId],
    actor: { id: seller.id, role: 'salesperson' },
  });
  const enrollmentId = connected.enrolled[0]?.enrollmentId as string;
  clock.advance(60_000);
  /** The task as the seller's work list and the enrollment's API view show it. */
  const seen = async () => {
    const work = await call('seller', 'GET', '/api/worklist?when=all');
    const enrollment = await call('seller', 'GET', `/api/enrollments/${enrollmentId}`);
    expect(work.statusCode).toBe(200);
    expect(enrollment.statusCode).toBe(200);
    const [item] = work.json().items;
    return { work: [item.state, item.dueAt], enrollment: enrollment.json().dueAt };
  };
  return { app, deps, clock, seller, call, seen };
}

forEachDialect('users: calendar changes move scheduled steps', (t) => {
  it('PATCH /api/users/{id} with later hours: the work list and the enrollment show the new time', async () => {
    const w = await world(t);
    expect(await w.seen()).toEqual({ work: ['waiting', TUESDAY_9_NY], enrollment: TUESDAY_9_NY });
    const patched = await w.call('admin', 'PATCH', `/api/users/${w.seller.id}`, {
      workingHours: hours('10:00', '18:00'),
    });
    expect(patched.statusCode).toBe(200);
    expect(await w.seen()).toEqual({ work: ['waiting', TUESDAY_10_NY], enrollment: TUESDAY_10_NY });

    // The scheduler at the old time: still waiting; at the new one it opens.
    const runAt = async (iso: string) => {
      w.clock.set(Date.parse(iso));
      return runDue(w.deps, { batchSize: 100, leaseOwner: 'test' });
    };
    expect(await runAt(TUESDAY_9_NY)).toBe(0);
    expect(await w.seen()).toEqual({ work: ['waiting', TUESDAY_10_NY], enrollment: TUESDAY_10_NY });
    expect(await runAt(TUESDAY_10_NY)).toBe(1);
    expect((await w.seen()).work).toEqual(['open', TUESDAY_10_NY]);
  });

  it('PATCH /api/users/me with Tuesday off: the task moves to Wednesday', async () => {
    const w = await world(t);
    const patched = await w.call('seller', 'PATCH', '/api/users/me', {
      workingHours: hours('09:00', '17:00', ['tue']),
    });
    expect(patched.statusCode).toBe(200);
    expect(await w.seen()).toEqual({ work: ['waiting', WEDNESDAY_9_NY], enrollment: WEDNESDAY_9_NY });
  });

  it('changes only the days a PATCH names; a new user takes the default for the days left out', async () => {
    const w = await world(t);
    const nineToFive = [['09:00', '17:00']];
    const byAdmin = await w.call('admin', 'PATCH', `/api/users/${w.seller.id}`, {
      workingHours: { fri: [['08:00', '12:00']] },
    });
    expect(byAdmin.statusCode).toBe(200);
    const afterAdmin = {
      mon: nineToFive,
      tue: nineToFive,
      wed: nineToFive,
      thu: nineToFive,
      fri: [['08:00', '12:00']],
      sat: [],
      sun: [],
    };
    expect(byAdmin.json().workingHours).toEqual(afterAdmin);
    // An explicit [] is a day off: Tuesday off moves the task to Wednesday; Monday and Friday stay.
    const bySeller = await w.call('seller', 'PATCH', '/api/users/me', {
      workingHours: { tue: [], sat: [['10:00', '12:00']] },
    });
    expect(bySeller.statusCode).toBe(200);
    expect(bySeller.json().workingHours).toEqual({ ...afterAdmin, tue: [], sat: [['10:00', '12:00']] });
    expect(await w.seen()).toEqual({ work: ['waiting', WEDNESDAY_9_NY], enrollment: WEDNESDAY_9_NY });
    expect((await w.call('seller', 'GET', '/api/users/me')).json().workingHours).toEqual({
      ...afterAdmin,
      tue: [],
      sat: [['10:00', '12:00']],
    });

    // A change that leaves no working day is refused, checked against the stored week; nothing changes.
    const emptied = await w.call('seller', 'PATCH', '/api/users/me', {
      timezone: 'Europe/Paris',
      workingHours: { mon: [], wed: [], thu: [], fri: [], sat: [] },
    });
    expect(emptied.statusCode).toBe(400);
    expect(emptied.json().errors).toEqual([
      expect.objectContaining({ code: 'invalid_working_hours', path: '/workingHours' }),
    ]);
    expect((await w.call('seller', 'GET', '/api/users/me')).json()).toMatchObject({
      timezone: 'America/New_York',
      workingHours: { ...afterAdmin, tue: [], sat: [['10:00', '12:00']] },
    });

    const created = await w.call('admin', 'POST', '/api/users', {
      email: 'partial.week@example.com',
      name: 'Partial Week',
      role: 'salesperson',
      workingHours: { mon: [['10:00', '16:00']], tue: [] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().workingHours).toEqual({
      mon: [['10:00', '16:00']],
      tue: [],
      wed: [['08:00', '17:00']],
      thu: [['08:00', '17:00']],
      fri: [['08:00', '17:00']],
      sat: [],
      sun: [],
    });
    const noDay = await w.call('admin', 'POST', '/api/users', {
      email: 'no.day@example.com',
      name: 'No Day',
      role: 'salesperson',
      workingHours: { mon: [], tue: [], wed: [], thu: [], fri: [] },
    });
    expect(noDay.statusCode).toBe(400);
    expect(noDay.json().errors).toEqual([
      expect.objectContaining({ code: 'invalid_working_hours', path: '/workingHours' }),
    ]);
  });

  it('keeps time off between 1970 and 2100 (a step pushed to year 10000 broke every answer), merged', async () => {
    const w = await world(t);
    const endless = await w.call('seller', 'PATCH', '/api/users/me', {
      timeOff: [{ start: '2026-11-24T00:00:00Z', end: '9999-12-31T23:59:59Z' }],
    });
    expect(endless.statusCode).toBe(400);
    expect(endless.json().errors).toEqual([
      expect.objectContaining({ code: 'invalid_time_off', path: '/timeOff/0' }),
    ]);
    expect(await w.seen()).toEqual({ work: ['waiting', TUESDAY_9_NY], enrollment: TUESDAY_9_NY });

    // Overlapping and repeated periods are stored as one, in time order.
    const overlapping = await w.call('seller', 'PATCH', '/api/users/me', {
      timeOff: [
        { start: '2026-12-03T00:00:00Z', end: '2026-12-08T00:00:00Z' },
        { start: '2026-12-01T00:00:00Z', end: '2026-12-05T00:00:00Z' },
        { start: '2026-12-01T00:00:00Z', end: '2026-12-05T00:00:00Z' },
        { start: '2027-01-04T00:00:00Z', end: '2027-01-05T00:00:00Z' },
      ],
    });
    expect(overlapping.statusCode).toBe(200);
    expect(overlapping.json().timeOff).toEqual([
      { start: '2026-12-01T00:00:00.000Z', end: '2026-12-08T00:00:00.000Z' },
      { start: '2027-01-04T00:00:00.000Z', end: '2027-01-05T00:00:00.000Z' },
    ]);
  });
});
