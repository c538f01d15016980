// The engine end to end on both dialects, driven by a manual clock: runDue across days, seller actions
// and signals through applyEvents, the outbox written exactly once, the version fence, leases,
// advance_to_sequence, update_field, sequence-wide disconnects and the step counters.
import { expect, it } from 'vitest';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { applyClaimed, applyEvents, disconnectSequenceEnrollments } from './apply-events.js';
import { connectRecords } from './connect.js';
import { emailKey } from './enrollment-commit.js';
import { runDue } from './scheduler.js';
import {
  activeSequence,
  afterRecordsRead,
  aUser,
  DAY,
  definition,
  engineDeps,
  HOUR,
  someRecords,
  statsOf,
  T0,
} from './test-support/engine-world.js';
import { countOf, rawQuery } from './test-support/raw-db.js';

/** An advance's target, and a sequence that advances to it after one task. */
const NEXT_TASK = definition([{ id: 'n1', type: 'task', name: 'Next' }]);
const advancingTo = (to: string) =>
  definition([
    { id: 't1', type: 'task', name: 'Qualify', next: 'x1' },
    { id: 'x1', type: 'advance_to_sequence', sequenceId: to },
  ]);

const W = { batchSize: 50, leaseOwner: 'test' };

/** email → replied within P2D? yes: call; no: wait P1D → automated email → mark the lead nurtured. */
const FOLLOW_UP = definition([
  { id: 'e1', type: 'email', name: 'Introduce yourself', templateId: 'tpl_intro', next: 'c1' },
  {
    id: 'c1',
    type: 'condition',
    if: { signal: 'email_replied', step: 'e1' },
    within: 'P2D',
    yes: 'p1',
    no: 'w1',
  },
  { id: 'p1', type: 'phone_call', name: 'Book the meeting' },
  { id: 'w1', type: 'wait', duration: 'P1D', next: 'a1' },
  { id: 'a1', type: 'automated_email', templateId: 'tpl_nudge', next: 'u1' },
  { id: 'u1', type: 'update_field', field: 'status', value: 'nurture' },
]);

async function world(t: Parameters<Parameters<typeof forEachDialect>[1]>[0], def = FOLLOW_UP, count = 2) {
  const deps = engineDeps(t.store());
  const owner = await aUser(deps.store, 'admin');
  const sequenceId = await activeSequence(deps.store, owner.id, def);
  const recordIds = await someRecords(deps.store, owner.id, count);
  const connected = await connectRecords(deps, {
    sequenceId,
    recordIds,
    actor: { id: owner.id, role: 'admin' },
  });
  const ids = connected.enrolled.map((e) => e.enrollmentId);
  return { deps, owner, sequenceId, recordIds, ids };
}

async function history(deps: ReturnType<typeof engineDeps>, id: string) {
  return (await deps.store.enrollments.listSteps(id)).map(
    (s) => `${s.stepId}:${s.state}${s.outcome ? `:${s.outcome}` : ''}`,
  );
}

forEachDialect('engine scheduler', (t) => {
  it('runs a follow-up sequence across days on both branches of the condition', async () => {
    const { deps, sequenceId, recordIds, ids } = await world(t);
    const [replied, silent] = ids as [string, string];
    // Monday 09:00: the intro email is open in the work list; the seller sends it.
    expect(await history(deps, replied)).toEqual(['e1:open']);
    const done = await applyEvents(
      deps,
      ids.map((enrollmentId) => ({
        enrollmentId,
        event: { type: 'step_completed', stepId: 'e1', actorId: 'usr_x' },
      })),
    );
    expect(done.applied).toBe(2);
    // Tuesday: one lead replies. Nothing else is due until Wednesday 09:00.
    deps.clock.advance(DAY);
    expect(await runDue(deps, W)).toBe(0);
    await applyEvents(deps, [
      {
        enrollmentId: replied,
        event: { type: 'signal', signal: 'email_replied', stepId: 'e1', at: deps.clock.now() },
      },
    ]);
    deps.clock.advance(DAY);
    expect(await runDue(deps, W)).toBe(2);
    expect(await history(deps, replied)).toEqual(['e1:completed', 'c1:completed:yes', 'p1:open']);
    expect(await history(deps, silent)).toEqual(['e1:completed', 'c1:completed:no', 'w1:waiting']);
    // The call is answered: the replied lead's enrollment completes.
    await applyEvents(deps, [
      {
        enrollmentId: replied,
        event: { type: 'step_completed', stepId: 'p1', outcome: 'answered', notes: 'booked' },
      },
    ]);
    expect(await deps.store.enrollments.get(replied)).toMatchObject({
      status: 'completed',
      endReason: 'completed',
    });
    // Thursday 09:00: the wait ends, the automated email is queued (sending window: now).
    deps.clock.advance(DAY);
    expect(await runDue(deps, W)).toBe(1);
    expect(await history(deps, silent)).toEqual([
      'e1:completed',
      'c1:completed:no',
      'w1:completed',
      'a1:waiting',
    ]);
    const outbox = await rawQuery<{ idempotency_key: string; status: string; available_at: number }>(
      t,
      'SELECT idempotency_key, status, available_at FROM outbox',
    );
    expect(outbox).toEqual([
      { idempotency_key: emailKey(silent, 4), status: 'pending', available_at: T0 + 3 * DAY },
    ]);
    // The sender reports it sent: the field update runs and the enrollment completes.
    await applyEvents(deps, [
      { enrollmentId: silent, event: { type: 'email_sent', stepId: 'a1', at: deps.clock.now() } },
    ]);
    expect(await history(deps, silent)).toEqual([
      'e1:completed',
      'c1:completed:no',
      'w1:completed',
      'a1:completed',
      'u1:completed',
    ]);
    expect((await deps.store.records.get(recordIds[1] as string))?.fields).toEqual({ status: 'nurture' });
    expect((await deps.store.records.get(recordIds[0] as string))?.fields).toEqual({});
    expect(await statsOf(deps.store, sequenceId)).toEqual({
      '/enrolled': 2,
      '/ended:completed': 2,
      'e1/reached': 2,
      'e1/completed': 2,
      'c1/reached': 2,
      'c1/completed': 2,
      'c1/yes': 1,
      'c1/no': 1,
      'p1/reached': 1,
      'p1/completed': 1,
      'p1/outcome:answered': 1,
      'w1/reached': 1,
      'w1/completed': 1,
      'a1/reached': 1,
      'a1/completed': 1,
      'a1/email_sent': 1,
      'u1/reached': 1,
      'u1/completed': 1,
    });
  });

  it('claims enrollments due at the same instant in the order they were created (due time, then id)', async () => {
    const def = definition([
      { id: 'w1', type: 'wait', duration: 'PT1H', next: 't1' },
      { id: 't1', type: 'task', name: 'Follow up' },
    ]);
    const { deps, ids } = await world(t, def, 40);
    deps.clock.advance(HOUR);
    const now = deps.clock.now();
    const claimed = await deps.store.engine.claimDue(now, 100, 'w', now + 30_000);
    expect(claimed.map((e) => e.id)).toEqual([...ids].sort());
    expect([...ids].sort()).toEqual(ids);
  });

  it('queues an automated email exactly once, whatever is retried', async () => {
    const def = definition([
      { id: 'w1', type: 'wait', duration: 'PT1H', next: 'a1' },
      { id: 'a1', type: 'automated_email', templateId: 'tpl' },
    ]);
    const { deps, ids } = await world(t, def, 3);
    deps.clock.advance(HOUR);
    const now = deps.clock.now();
    const claimed = await deps.store.engine.claimDue(now, 10, 'w', now + 30_000);
    expect(claimed).toHaveLength(3);
    expect(await applyClaimed(deps, claimed, now)).toEqual({ written: 3, stale: 0 });
    // The same batch again (a retry after a lost reply): the fence refuses all of it.
    expect(await applyClaimed(deps, claimed, now)).toEqual({ written: 0, stale: 3 });
    // The same tick again through applyEvents: it no longer applies.
    const again = await applyEvents(
      deps,
      ids.map((enrollmentId) => ({ enrollmentId, event: { type: 'tick' } })),
    );
    expect(again.unchanged).toBe(3);
    expect(await runDue(deps, W)).toBe(0);
    expect(await countOf(t, 'SELECT COUNT(*) AS n FROM outbox')).toBe(3);
    expect(await countOf(t, `SELECT COUNT(*) AS n FROM enrollment_steps WHERE step_id = 'a1'`)).toBe(3);
    // A disconnect drops the still-pending message.
    await applyEvents(deps, [
      { enrollmentId: ids[0] as string, event: { type: 'disconnect', reason: 'user_disconnected' } },
    ]);
    expect(await countOf(t, `SELECT COUNT(*) AS n FROM outbox WHERE status = 'dropped'`)).toBe(1);
  });

  it('a write whose version moved changes nothing: not the row, its history, outbox or counters', async () => {
    const def = definition([
      { id: 'w1', type: 'wait', duration: 'PT1H', next: 'a1' },
      { id: 'a1', type: 'automated_email', templateId: 'tpl' },
    ]);
    const { deps, sequenceId, ids } = await world(t, def, 1);
    const id = ids[0] as string;
    deps.clock.advance(HOUR);
    const now = deps.clock.now();
    const claimed = await deps.store.engine.claimDue(now, 10, 'slow-worker', now + 30_000);
    // Meanwhile a seller pauses the enrollment (a version bump the slow worker did not see).
    expect((await applyEvents(deps, [{ enrollmentId: id, event: { type: 'pause' } }])).applied).toBe(1);
    const before = await statsOf(deps.store, sequenceId);
    expect(await applyClaimed(deps, claimed, now)).toEqual({ written: 0, stale: 1 });
    expect(await deps.store.enrollments.get(id)).toMatchObject({ status: 'paused', currentStepId: 'w1' });
    expect(await history(deps, id)).toEqual(['w1:waiting']);
    expect(await countOf(t, 'SELECT COUNT(*) AS n FROM outbox')).toBe(0);
    expect(await statsOf(deps.store, sequenceId)).toEqual(before);
    // expectedVersion: a caller with an old view is told `stale`, never silently re-applied.
    const stale = await applyEvents(deps, [
      { enrollmentId: id, event: { type: 'resume' }, expectedVersion: 0 },
    ]);
    expect(stale.results[0]?.outcome).toBe('stale');
    const unknown = await applyEvents(deps, [{ enrollmentId: 'enr_nope', event: { type: 'resume' } }]);
    expect(unknown.notFound).toBe(1);
  });

  it('a claimed but abandoned batch is picked up after its lease expires, never before', async () => {
    const def = definition([
      { id: 'w1', type: 'wait', duration: 'PT1H', next: 't1' },
      { id: 't1', type: 'task', name: 'Follow up' },
    ]);
    const { deps, ids } = await world(t, def, 4);
    deps.clock.advance(HOUR);
    const now = deps.clock.now();
    expect(await deps.store.engine.claimDue(now, 3, 'crashed', now + 30_000)).toHaveLength(3);
    expect(await runDue(deps, W)).toBe(1); // only the unclaimed one
    deps.clock.advance(29_999);
    expect(await runDue(deps, W)).toBe(0);
    deps.clock.advance(2);
    expect(await runDue(deps, W)).toBe(3);
    for (const id of ids) expect(await history(deps, id)).toEqual(['w1:completed', 't1:open']);
    expect(await deps.store.engine.nextDueAt()).toBeNull();
  });

  it('advance_to_sequence starts nothing for a record deleted between its read and the commit', async () => {
    const deps = engineDeps(t.store());
    const owner = await aUser(deps.store, 'admin');
    const target = await activeSequence(deps.store, owner.id, NEXT_TASK);
    const advancing = await activeSequence(deps.store, owner.id, advancingTo(target));
    const [kept, doomed] = (await someRecords(deps.store, owner.id, 2)) as [string, string];
    const actor = { id: owner.id, role: 'admin' as const };
    const { enrolled } = await connectRecords(deps, {
      sequenceId: advancing,
      recordIds: [kept, doomed],
      actor,
    });
    // The deletion's first transaction (the soft delete) commits right after the advance read the record,
    // before the advance commits; its second (ending the record's running enrollments) has not run yet.
    let reads = 0;
    const racing = afterRecordsRead(deps, async (ids) => {
      if (ids.length === 1 && ids[0] === doomed && ++reads === 1)
        expect(await deps.store.records.softDelete(doomed, T0 + 1)).toBe(true);
    });
    await applyEvents(
      racing,
      enrolled.map(({ enrollmentId }) => ({
        enrollmentId,
        event: { type: 'step_completed', stepId: 't1' } as const,
      })),
    );
    expect(reads).toBe(1);
    expect(await deps.store.enrollments.listRunningForRecord(doomed)).toEqual([]);
    expect(await countOf(t, `SELECT COUNT(*) AS n FROM enrollments WHERE record_id = '${doomed}'`)).toBe(1);
    const [next] = await deps.store.enrollments.listRunningForRecord(kept);
    expect(next).toMatchObject({ sequenceId: target, status: 'active' });
  });

  it('advance_to_sequence ends this enrollment and starts the target in the same transaction', async () => {
    const deps = engineDeps(t.store());
    const owner = await aUser(deps.store, 'admin');
    const target = await activeSequence(deps.store, owner.id, NEXT_TASK);
    const inactive = await activeSequence(deps.store, owner.id, NEXT_TASK);
    await deps.store.sequences.update(inactive, { status: 'inactive' }, T0);
    const toActive = await activeSequence(deps.store, owner.id, advancingTo(target));
    const toInactive = await activeSequence(deps.store, owner.id, advancingTo(inactive));
    const [r1, r2] = await someRecords(deps.store, owner.id, 2);
    const actor = { id: owner.id, role: 'admin' as const };
    const a = (await connectRecords(deps, { sequenceId: toActive, recordIds: [r1 as string], actor }))
      .enrolled[0];
    const b = (await connectRecords(deps, { sequenceId: toInactive, recordIds: [r2 as string], actor }))
      .enrolled[0];
    await applyEvents(deps, [
      { enrollmentId: a?.enrollmentId as string, event: { type: 'step_completed', stepId: 't1' } },
      { enrollmentId: b?.enrollmentId as string, event: { type: 'step_completed', stepId: 't1' } },
    ]);
    expect(await deps.store.enrollments.get(a?.enrollmentId as string)).toMatchObject({
      status: 'completed',
      endReason: 'advanced_to_other_sequence',
    });
    const [next] = await deps.store.enrollments.listRunningForRecord(r1 as string);
    expect(next).toMatchObject({
      sequenceId: target,
      sequenceVersion: 1,
      currentStepId: 'n1',
      status: 'active',
    });
    expect(await history(deps, next?.id as string)).toEqual(['n1:open']);
    // The inactive target: the enrollment ends anyway, and the audit log says why.
    expect(await deps.store.enrollments.get(b?.enrollmentId as string)).toMatchObject({
      endReason: 'advanced_to_other_sequence',
    });
    expect(await deps.store.enrollments.listRunningForRecord(r2 as string)).toEqual([]);
    const audit = await deps.store.audit.list({
      subject: { type: 'enrollment', id: b?.enrollmentId as string },
    });
    expect(audit.items).toMatchObject([
      {
        action: 'enrollment.advance_failed',
        data: { targetSequenceId: inactive, reason: 'sequence_not_active' },
      },
    ]);
    expect(await statsOf(deps.store, target)).toMatchObject({ '/enrolled': 1 });
  });

  it('disconnectSequenceEnrollments ends every running enrollment, in batches', async () => {
    const def = definition([
      { id: 'w1', type: 'wait', duration: 'P3D', next: 't1' },
      { id: 't1', type: 'task', name: 'Call' },
    ]);
    const { deps, sequenceId, ids } = await world(t, def, 1_203);
    await applyEvents(deps, [{ enrollmentId: ids[0] as string, event: { type: 'pause' } }]);
    expect(await disconnectSequenceEnrollments(deps, sequenceId, 'sequence_deactivated')).toBe(1_203);
    expect(await deps.store.enrollments.get(ids[0] as string)).toMatchObject({
      status: 'disconnected',
      endReason: 'sequence_deactivated',
    });
    expect(await countOf(t, `SELECT COUNT(*) AS n FROM enrollments WHERE exclusive_slot IS NOT NULL`)).toBe(
      0,
    );
    expect(await history(deps, ids[5] as string)).toEqual(['w1:cancelled:sequence_deactivated']);
    expect(await statsOf(deps.store, sequenceId)).toMatchObject({
      '/ended:sequence_deactivated': 1_203,
      'w1/cancelled': 1_203,
    });
    expect(await deps.store.engine.nextDueAt()).toBeNull();
    expect(await disconnectSequenceEnrollments(deps, sequenceId, 'sequence_deactivated')).toBe(0);
  });

  // Speed is measured by `npm run bench:engine`; this checks a bulk burn-down is exact.
  it('burns down 2,000 enrollments exactly', async () => {
    const def = definition(
      [
        { id: 'w1', type: 'wait', duration: 'PT1H', next: 'w2' },
        { id: 'w2', type: 'wait', duration: 'PT1H', next: 'c1' },
        { id: 'c1', type: 'condition', if: { field: 'status', op: 'is_empty' }, yes: 'w3', no: 't1' },
        { id: 'w3', type: 'wait', duration: 'PT1H', next: 't1' },
        { id: 't1', type: 'task', name: 'Call' },
      ],
      { workingHours: 'none' },
    );
    const deps = engineDeps(t.store());
    const owner = await aUser(deps.store, 'admin');
    const sequenceId = await activeSequence(deps.store, owner.id, def);
    const recordIds = await someRecords(deps.store, owner.id, 2_000);
    let started = performance.now();
    const connected = await connectRecords(deps, {
      sequenceId,
      recordIds,
      actor: { id: owner.id, role: 'admin' },
    });
    const connectMs = performance.now() - started;
    expect(connected.enrolled).toHaveLength(2_000);
    let transitions = 0;
    started = performance.now();
    for (let hour = 0; hour < 3; hour++) {
      deps.clock.advance(HOUR);
      transitions += await runDue(deps, { batchSize: 500, leaseOwner: 'bench' });
    }
    const ms = performance.now() - started;
    console.log(
      `[${t.dialect}] connect 2,000: ${connectMs.toFixed(0)} ms; burn-down ${transitions} transitions in ${ms.toFixed(0)} ms = ${Math.round((transitions / ms) * 1000)} transitions/s`,
    );
    expect(transitions).toBe(6_000);
    expect(
      await countOf(t, `SELECT COUNT(*) AS n FROM enrollment_steps WHERE step_id = 't1' AND state = 'open'`),
    ).toBe(2_000);
    expect(await statsOf(deps.store, sequenceId)).toMatchObject({ 'c1/yes': 2_000, 'w3/completed': 2_000 });
  }, 180_000);
});
