// Seller actions on both dialects: each action through applyEvents, who may act, repeats answering the
// current state, actions on steps that are not open (or not current) refused with 409, snooze limits.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { disconnectRecords } from './apply-events.js';
import { connectRecords } from './connect.js';
import { stepRowId } from './enrollment-commit.js';
import { BadRequestError, ConflictError, NotFoundError } from './errors.js';
import { OUTBOX_STATUSES } from './ports/store.js';
import { runDue } from './scheduler.js';
import {
  completeStep,
  type EngineActor,
  markEmailSent,
  pauseEnrollment,
  resumeEnrollment,
  skipStep,
  skipWait,
  snoozeStep,
} from './seller-actions.js';
import { suppress } from './suppression.js';
import {
  activeSequence,
  aUser,
  DAY,
  definition,
  engineDeps,
  HOUR,
  someRecords,
  statsOf,
  T0,
} from './test-support/engine-world.js';
import { rawQuery } from './test-support/raw-db.js';

const CALL_TASK_WAIT_EMAIL = definition([
  { id: 'p1', type: 'phone_call', name: 'Call', next: 't1' },
  { id: 't1', type: 'task', name: 'Research', next: 'w1' },
  { id: 'w1', type: 'wait', duration: 'P2D', next: 'e1' },
  { id: 'e1', type: 'email', name: 'Write', templateId: 'tpl_1' },
]);

/** `connectAt`: when the record is connected (default T0, a Monday at 09:00 UTC, inside working hours). */
async function world(t: Parameters<Parameters<typeof forEachDialect>[1]>[0], connectAt?: number) {
  const deps = engineDeps(t.store());
  if (connectAt !== undefined) deps.clock.set(connectAt);
  const seller = await aUser(deps.store, 'salesperson');
  const other = await aUser(deps.store, 'salesperson');
  const manager = await aUser(deps.store, 'sales_manager');
  const sequenceId = await activeSequence(deps.store, manager.id, CALL_TASK_WAIT_EMAIL);
  const [recordId] = await someRecords(deps.store, seller.id, 1);
  const connected = await connectRecords(deps, {
    sequenceId,
    recordIds: [recordId as string],
    actor: { id: seller.id, role: 'salesperson' },
  });
  const enrollmentId = connected.enrolled[0]?.enrollmentId as string;
  const as = (user: { id: string; role: EngineActor['role'] }): EngineActor => ({
    id: user.id,
    role: user.role,
  });
  return {
    deps,
    sequenceId,
    enrollmentId,
    recordId: recordId as string,
    seller: as(seller),
    other: as(other),
    manager: as(manager),
    step: (seq: number) => stepRowId(enrollmentId, seq),
  };
}

async function history(deps: ReturnType<typeof engineDeps>, id: string) {
  return (await deps.store.enrollments.listSteps(id)).map(
    (s) => `${s.stepId}:${s.state}${s.outcome ? `:${s.outcome}` : ''}`,
  );
}

forEachDialect('seller actions', (t) => {
  it('complete with a call outcome, skip, skip a wait, send a manual email: each moves the sequence on', async () => {
    const w = await world(t);
    const done = await completeStep(w.deps, w.seller, w.step(1), { outcome: 'answered', notes: 'Booked' });
    expect(done).toMatchObject({ enrollmentId: w.enrollmentId, applied: true });
    expect(done.state).toMatchObject({ status: 'active', stepId: 't1', phase: 'open', seq: 2 });
    const [call] = await w.deps.store.enrollments.listSteps(w.enrollmentId);
    expect(call).toMatchObject({
      state: 'completed',
      outcome: 'answered',
      notes: 'Booked',
      actorId: w.seller.id,
    });

    expect((await skipStep(w.deps, w.seller, w.step(2))).state).toMatchObject({
      stepId: 'w1',
      phase: 'waiting',
    });
    expect((await skipWait(w.deps, w.seller, w.step(3))).state).toMatchObject({
      stepId: 'e1',
      phase: 'open',
    });
    const sent = await markEmailSent(w.deps, w.seller, w.step(4), { at: T0 });
    expect(sent.state).toMatchObject({ status: 'completed', endReason: 'completed' });
    expect(await history(w.deps, w.enrollmentId)).toEqual([
      'p1:completed:answered',
      't1:skipped',
      'w1:skipped',
      'e1:completed',
    ]);
    // Each step a seller closed names them, the sent email too.
    const steps = await w.deps.store.enrollments.listSteps(w.enrollmentId);
    expect(steps.map((s) => [s.stepId, s.actorId])).toEqual([
      ['p1', w.seller.id],
      ['t1', w.seller.id],
      ['w1', w.seller.id],
      ['e1', w.seller.id],
    ]);
    expect(await statsOf(w.deps.store, w.sequenceId)).toMatchObject({
      'p1/outcome:answered': 1,
      't1/skipped': 1,
      'e1/completed': 1,
    });
    const audit = await w.deps.store.audit.list({ subject: { type: 'enrollment_step', id: w.step(1) } });
    expect(audit.items).toMatchObject([
      { actorId: w.seller.id, action: 'enrollment_step.completed', data: { outcome: 'answered' } },
    ]);
  });

  it("refuses to send from a deleted template (nothing could go out), and sends the seller's own text", async () => {
    const w = await world(t);
    await completeStep(w.deps, w.seller, w.step(1), { outcome: 'answered' });
    await skipStep(w.deps, w.seller, w.step(2));
    await skipWait(w.deps, w.seller, w.step(3));
    // e1 names tpl_1, which this store does not have (as after a deletion by an earlier release).
    const refused = await markEmailSent(w.deps, w.seller, w.step(4), { send: {} }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConflictError);
    expect(refused).toMatchObject({ code: 'template_not_found' });
    expect(
      (await markEmailSent(w.deps, w.seller, w.step(4), { send: { subject: 'Hi' } }).catch((e) => e)).code,
    ).toBe('template_not_found');
    expect(await history(w.deps, w.enrollmentId)).toContain('e1:open');
    await w.deps.store.records.update(w.recordId, { email: 'lead@example.com' }, T0);
    const sent = await markEmailSent(w.deps, w.seller, w.step(4), { send: { subject: 'Hi', body: 'Hello' } });
    expect(sent.state).toMatchObject({ status: 'completed' });
  });

  it('refuses to send to a record without an address or with a suppressed one (the step stays open to skip); a repeat of a send stays 200', async () => {
    const w = await world(t);
    await completeStep(w.deps, w.seller, w.step(1), { outcome: 'answered' });
    await skipStep(w.deps, w.seller, w.step(2));
    await skipWait(w.deps, w.seller, w.step(3));
    const text = { send: { subject: 'Hi', body: 'Hello' } };
    const noAddress = await markEmailSent(w.deps, w.seller, w.step(4), text).catch((e: unknown) => e);
    expect(noAddress).toBeInstanceOf(ConflictError);
    expect(noAddress).toMatchObject({ code: 'conflict', message: expect.stringMatching(/no email address/) });

    await w.deps.store.records.update(w.recordId, { email: 'Lead@Example.com' }, T0);
    await suppress(w.deps, { email: 'lead@example.com', reason: 'unsubscribed' });
    const suppressed = await markEmailSent(w.deps, w.seller, w.step(4), text).catch((e: unknown) => e);
    expect(suppressed).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/Lead@Example\.com unsubscribed/),
    });
    expect(await history(w.deps, w.enrollmentId)).toContain('e1:open');
    expect(await rawQuery(t, 'SELECT id FROM outbox')).toEqual([]);
    // Sent elsewhere and only recorded (no `send`): nothing goes out, so nothing to refuse.
    expect((await skipStep(w.deps, w.seller, w.step(4))).state).toMatchObject({ status: 'completed' });

    // A send that went out stays the idempotent 200 it was, even once the address is gone.
    const v = await world(t);
    await completeStep(v.deps, v.seller, v.step(1), { outcome: 'answered' });
    await skipStep(v.deps, v.seller, v.step(2));
    await skipWait(v.deps, v.seller, v.step(3));
    await v.deps.store.records.update(v.recordId, { email: 'other@example.com' }, T0);
    expect((await markEmailSent(v.deps, v.seller, v.step(4), text)).applied).toBe(true);
    await v.deps.store.records.update(v.recordId, { email: null }, T0);
    expect(await markEmailSent(v.deps, v.seller, v.step(4), text)).toMatchObject({ applied: false });
  });

  it('a repeat of an action already done answers the current state; other actions on it conflict', async () => {
    const w = await world(t);
    const first = await completeStep(w.deps, w.seller, w.step(1), { outcome: 'no_answer' });
    const again = await completeStep(w.deps, w.seller, w.step(1), { outcome: 'no_answer' });
    expect(again).toMatchObject({ applied: false, version: first.version });
    expect(again.state).toEqual(first.state);
    expect(await completeStep(w.deps, w.seller, w.step(1))).toMatchObject({ applied: false });
    // Another outcome is not a repeat: it would be silently dropped, so it conflicts.
    await expect(completeStep(w.deps, w.seller, w.step(1), { outcome: 'answered' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('no longer the current step'),
    });
    await expect(skipStep(w.deps, w.seller, w.step(1))).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('no longer the current step'),
    });

    await skipStep(w.deps, w.seller, w.step(2));
    expect((await skipStep(w.deps, w.seller, w.step(2))).applied).toBe(false);
    await expect(completeStep(w.deps, w.seller, w.step(2))).rejects.toBeInstanceOf(ConflictError);

    await skipWait(w.deps, w.seller, w.step(3));
    expect((await skipWait(w.deps, w.seller, w.step(3))).applied).toBe(false);
    await markEmailSent(w.deps, w.seller, w.step(4));
    expect((await markEmailSent(w.deps, w.seller, w.step(4))).applied).toBe(false);
    // Only one audit entry per action that applied.
    const audit = await w.deps.store.audit.list({ subject: { type: 'enrollment_step', id: w.step(1) } });
    expect(audit.items).toHaveLength(1);
  });

  it('a repeat committed by someone else while the action reads its step answers 200, not a 409', async () => {
    const w = await world(t);
    // The manager's complete lands right after this action read the step row, before anything else.
    let armed = true;
    const getMany = w.deps.store.stepInstances.getMany.bind(w.deps.store.stepInstances);
    const racing = {
      ...w.deps,
      store: {
        ...w.deps.store,
        stepInstances: {
          ...w.deps.store.stepInstances,
          getMany: async (ids: readonly string[]) => {
            const read = await getMany(ids);
            if (armed) {
              armed = false;
              await completeStep(w.deps, w.manager, w.step(1));
            }
            return read;
          },
        },
      },
    };
    const answer = await completeStep(racing, w.seller, w.step(1));
    expect(answer).toMatchObject({ applied: false, state: { stepId: 't1' } });
    expect(await history(w.deps, w.enrollmentId)).toEqual(['p1:completed', 't1:open']);
  });

  it('a send after the email step was completed without it is a 409: the email would never go out', async () => {
    const w = await world(t);
    await completeStep(w.deps, w.seller, w.step(1), { outcome: 'answered' });
    await skipStep(w.deps, w.seller, w.step(2));
    await skipWait(w.deps, w.seller, w.step(3));
    await w.deps.store.records.update(w.recordId, { email: 'lead@example.com' }, T0);
    // Marked done in one tab (or recorded as sent elsewhere), then Send in another.
    await completeStep(w.deps, w.manager, w.step(4));
    const text = { send: { subject: 'Hi', body: 'Hello' } };
    await expect(markEmailSent(w.deps, w.seller, w.step(4), text)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining("Can't send step e1"),
    });
    expect(await rawQuery(t, 'SELECT id FROM outbox')).toEqual([]);
    // Recording it as sent elsewhere (no `send`) is still a repeat.
    expect(await markEmailSent(w.deps, w.seller, w.step(4))).toMatchObject({ applied: false });
  });

  it('refuses actions that do not fit the step: outcome on a task, skip-wait on a call, send on a task', async () => {
    const w = await world(t);
    await expect(
      completeStep(w.deps, w.seller, w.step(1), { outcome: 'maybe' as 'answered' }),
    ).rejects.toMatchObject({ code: 'bad_request', errors: [{ code: 'invalid_outcome' }] });
    await expect(skipWait(w.deps, w.seller, w.step(1))).rejects.toMatchObject({
      code: 'conflict',
      message: 'Step p1 is a phone_call, not a wait.',
    });
    await completeStep(w.deps, w.seller, w.step(1));
    const outcomeOnTask = completeStep(w.deps, w.seller, w.step(2), { outcome: 'answered' });
    await expect(outcomeOnTask).rejects.toBeInstanceOf(BadRequestError);
    await expect(outcomeOnTask).rejects.toMatchObject({ errors: [{ code: 'outcome_not_allowed' }] });
    await expect(markEmailSent(w.deps, w.seller, w.step(2))).rejects.toBeInstanceOf(ConflictError);
    await completeStep(w.deps, w.seller, w.step(2));
    // The wait is not an activity: it cannot be completed.
    await expect(completeStep(w.deps, w.seller, w.step(3))).rejects.toMatchObject({ code: 'conflict' });
  });

  it('a salesperson acts only on their records (404 otherwise); managers on any', async () => {
    const w = await world(t);
    await expect(completeStep(w.deps, w.other, w.step(1))).rejects.toBeInstanceOf(NotFoundError);
    await expect(pauseEnrollment(w.deps, w.other, w.enrollmentId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(completeStep(w.deps, w.seller, 'not-a-step')).rejects.toBeInstanceOf(NotFoundError);
    await expect(completeStep(w.deps, w.seller, stepRowId('enr_missing', 1))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(pauseEnrollment(w.deps, w.seller, 'enr_missing')).rejects.toBeInstanceOf(NotFoundError);
    expect((await completeStep(w.deps, w.manager, w.step(1))).applied).toBe(true);
    expect((await pauseEnrollment(w.deps, w.manager, w.enrollmentId)).state.status).toBe('paused');
  });

  it('snoozes an open step into the future, at most 30 days; it opens again at that time', async () => {
    const w = await world(t);
    await expect(snoozeStep(w.deps, w.seller, w.step(1), { until: T0 })).rejects.toMatchObject({
      code: 'bad_request',
      errors: [{ code: 'snooze_in_past' }],
    });
    await expect(snoozeStep(w.deps, w.seller, w.step(1), { until: T0 + 30 * DAY + 1 })).rejects.toMatchObject(
      {
        errors: [{ code: 'snooze_too_far' }],
      },
    );
    const until = T0 + 2 * DAY + 3 * HOUR;
    const snoozed = await snoozeStep(w.deps, w.seller, w.step(1), { until });
    expect(snoozed.state).toMatchObject({ stepId: 'p1', phase: 'scheduled', due: until, dueAt: until });
    expect((await w.deps.store.stepInstances.getMany([w.step(1)]))[0]).toMatchObject({
      state: 'waiting',
      dueAt: until,
    });
    expect((await snoozeStep(w.deps, w.seller, w.step(1), { until })).applied).toBe(false);
    // Snoozed again: a later time, then an earlier one; it opens at the last one chosen.
    expect((await snoozeStep(w.deps, w.seller, w.step(1), { until: until + HOUR })).applied).toBe(true);
    expect((await snoozeStep(w.deps, w.seller, w.step(1), { until })).state).toMatchObject({
      phase: 'scheduled',
      due: until,
    });
    expect((await w.deps.store.stepInstances.getMany([w.step(1)]))[0]?.dueAt).toBe(until);

    w.deps.clock.set(until);
    await runDue(w.deps, { batchSize: 10, leaseOwner: 'test' });
    expect((await w.deps.store.stepInstances.getMany([w.step(1)]))[0]?.state).toBe('open');
    expect((await completeStep(w.deps, w.seller, w.step(1))).applied).toBe(true);
    // Exactly 30 days is allowed.
    expect((await snoozeStep(w.deps, w.seller, w.step(2), { until: until + 30 * DAY })).applied).toBe(true);
  });

  it('a seller works ahead: a snoozed call is logged before its time and the next step follows', async () => {
    const w = await world(t);
    const until = T0 + DAY;
    await snoozeStep(w.deps, w.seller, w.step(1), { until });
    w.deps.clock.set(T0 + HOUR);
    const done = await completeStep(w.deps, w.seller, w.step(1), { outcome: 'answered' });
    expect(done).toMatchObject({ applied: true, state: { stepId: 't1', seq: 2, phase: 'open' } });
    const [call] = await w.deps.store.stepInstances.getMany([w.step(1)]);
    // Opened at T0 (it was open when snoozed), closed an hour later, a day before the snooze's end.
    expect(call).toMatchObject({
      state: 'completed',
      outcome: 'answered',
      openedAt: T0,
      completedAt: T0 + HOUR,
    });
    // A repeat is done already; skipping the next one ahead of its time works the same way.
    expect((await completeStep(w.deps, w.seller, w.step(1), { outcome: 'answered' })).applied).toBe(false);
    await snoozeStep(w.deps, w.seller, w.step(2), { until });
    expect((await skipStep(w.deps, w.seller, w.step(2))).state).toMatchObject({
      stepId: 'w1',
      phase: 'waiting',
    });
    expect(await history(w.deps, w.enrollmentId)).toEqual([
      'p1:completed:answered',
      't1:skipped',
      'w1:waiting',
    ]);
    // Due at the snooze's end, nothing happens to the closed steps.
    w.deps.clock.set(until);
    await runDue(w.deps, { batchSize: 10, leaseOwner: 'test' });
    expect(await history(w.deps, w.enrollmentId)).toEqual([
      'p1:completed:answered',
      't1:skipped',
      'w1:waiting',
    ]);
  });

  it('a step reached outside working hours is worked at once: the seller need not wait for Monday', async () => {
    const saturday = T0 + 5 * DAY; // the owner works Monday to Friday, 08:00–17:00 UTC
    const w = await world(t, saturday);
    const [call] = await w.deps.store.stepInstances.getMany([w.step(1)]);
    expect(call).toMatchObject({ state: 'waiting', dueAt: T0 + 7 * DAY - HOUR }); // Monday 08:00
    const done = await completeStep(w.deps, w.seller, w.step(1), { outcome: 'no_answer' });
    expect(done).toMatchObject({ applied: true, state: { stepId: 't1', phase: 'scheduled' } });
    expect((await w.deps.store.stepInstances.getMany([w.step(1)]))[0]).toMatchObject({
      state: 'completed',
      openedAt: null,
      completedAt: saturday,
    });
    expect(await statsOf(w.deps.store, w.sequenceId)).toMatchObject({ 'p1/reached': 1, 'p1/completed': 1 });
    // Monday comes: the call stays done, and the task after it opens.
    w.deps.clock.set(T0 + 7 * DAY - HOUR);
    await runDue(w.deps, { batchSize: 10, leaseOwner: 'test' });
    expect(await history(w.deps, w.enrollmentId)).toEqual(['p1:completed:no_answer', 't1:open']);
  });

  it('pauses and resumes; a repeat is idempotent; steps of a paused enrollment wait; an ended one conflicts', async () => {
    const w = await world(t);
    const paused = await pauseEnrollment(w.deps, w.seller, w.enrollmentId);
    expect(paused).toMatchObject({ applied: true, state: { status: 'paused' } });
    expect(await pauseEnrollment(w.deps, w.seller, w.enrollmentId)).toMatchObject({
      applied: false,
      version: paused.version,
    });
    await expect(completeStep(w.deps, w.seller, w.step(1))).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('paused'),
    });
    w.deps.clock.advance(HOUR);
    expect(await resumeEnrollment(w.deps, w.seller, w.enrollmentId)).toMatchObject({
      applied: true,
      state: { status: 'active' },
    });
    expect((await resumeEnrollment(w.deps, w.seller, w.enrollmentId)).applied).toBe(false);
    const audit = await w.deps.store.audit.list({ subject: { type: 'enrollment', id: w.enrollmentId } });
    expect(audit.items.map((a) => a.action).sort()).toEqual(['enrollment.paused', 'enrollment.resumed']);

    await completeStep(w.deps, w.seller, w.step(1));
    await completeStep(w.deps, w.seller, w.step(2));
    await skipWait(w.deps, w.seller, w.step(3));
    await markEmailSent(w.deps, w.seller, w.step(4));
    await expect(pauseEnrollment(w.deps, w.seller, w.enrollmentId)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('ended'),
    });
    await expect(resumeEnrollment(w.deps, w.seller, w.enrollmentId)).rejects.toBeInstanceOf(ConflictError);
  });

  it('pause holds a queued automated email; resume releases it; an end drops it', async () => {
    const deps = engineDeps(t.store());
    const seller = await aUser(deps.store, 'salesperson');
    const sequenceId = await activeSequence(
      deps.store,
      seller.id,
      definition(
        [
          { id: 'a1', type: 'automated_email', templateId: 'tpl_1', next: 't1' },
          { id: 't1', type: 'task', name: 'Call' },
        ],
        { workingHours: 'none' },
      ),
    );
    const recordIds = await someRecords(deps.store, seller.id, 2);
    const actor: EngineActor = { id: seller.id, role: 'salesperson' };
    const { enrolled } = await connectRecords(deps, { sequenceId, recordIds, actor });
    const [first, second] = enrolled.map((e) => e.enrollmentId) as [string, string];
    const outboxOf = async (enrollmentId: string) => {
      for (const status of OUTBOX_STATUSES) {
        const rows = await deps.store.outbox.listByStatus(status, { limit: 100 });
        const row = rows.items.find((r) => r.idempotencyKey === `${enrollmentId}:1`);
        if (row !== undefined) return row;
      }
      return undefined;
    };
    const claimable = async () =>
      (
        await deps.store.outbox.claimDue('email', deps.clock.now() + 365 * DAY, 10, deps.clock.now() + HOUR)
      ).map((row) => row.idempotencyKey);
    expect((await outboxOf(first))?.status).toBe('pending');

    await pauseEnrollment(deps, actor, first);
    await pauseEnrollment(deps, actor, second);
    expect((await outboxOf(first))?.status).toBe('held');
    deps.clock.advance(DAY);
    // Only what is not held may be taken by the sender (none here: both are paused).
    expect(await claimable()).toEqual([]);

    await resumeEnrollment(deps, actor, first);
    expect(await outboxOf(first)).toMatchObject({ status: 'pending', availableAt: deps.clock.now() });
    // The history says when it goes out now, not the time it was first due.
    expect((await deps.store.enrollments.listSteps(first))[0]?.dueAt).toBe(deps.clock.now());
    expect(await claimable()).toEqual([`${first}:1`]);
    expect((await deps.store.enrollments.get(first))?.status).toBe('active');

    // Paused before migration 0015 (the row left pending, as the code before it did): the migration holds it.
    await pauseEnrollment(deps, actor, first);
    await rawQuery(t, `UPDATE outbox SET status = 'pending' WHERE idempotency_key = '${first}:1'`);
    const file = new URL(`../storage/${t.dialect}/migrations/0015_outbox_held.sql`, import.meta.url);
    const holdPaused = readFileSync(file, 'utf8').split('-- Enrollments paused before this migration')[1];
    await rawQuery(t, `-- ${holdPaused}`);
    expect((await outboxOf(first))?.status).toBe('held');
    await resumeEnrollment(deps, actor, first);
    expect((await outboxOf(first))?.status).toBe('pending');

    // Disconnected while paused: the held email is dropped, never sent.
    await disconnectRecords(deps, { sequenceId, recordIds: [recordIds[1] as string], actorId: seller.id });
    expect((await outboxOf(second))?.status).toBe('dropped');
  });
});
