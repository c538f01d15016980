// Records' life on both dialects: an owner change (changeRecordOwner, a records update, a bulk upsert)
// gives the running enrollments and their unfinished steps to the new owner, finished steps keep theirs;
// deleting a record ends its enrollments with record_deleted.
import { expect, it } from 'vitest';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { connectRecords } from './connect.js';
import type { EngineDeps } from './deps.js';
import { stepRowId } from './enrollment-commit.js';
import { ForbiddenError, NotFoundError } from './errors.js';
import { changeRecordOwner, deleteRecord } from './record-lifecycle.js';
import { upsertRecordBatch } from './records-upsert.js';
import { completeStep, type EngineActor, snoozeStep } from './seller-actions.js';
import {
  activeSequence,
  aUser,
  definition,
  engineDeps,
  HOUR,
  someRecords,
  statsOf,
} from './test-support/engine-world.js';
import { listWorklist } from './worklist.js';

const TWO_TASKS = definition([
  { id: 't1', type: 'task', name: 'Research', next: 't2' },
  { id: 't2', type: 'task', name: 'Follow up' },
]);

async function world(t: Parameters<Parameters<typeof forEachDialect>[1]>[0]) {
  const deps = engineDeps(t.store());
  const as = (user: { id: string; role: EngineActor['role'] }): EngineActor => ({
    id: user.id,
    role: user.role,
  });
  const alice = as(await aUser(deps.store, 'salesperson'));
  const bob = as(await aUser(deps.store, 'salesperson'));
  const manager = as(await aUser(deps.store, 'sales_manager'));
  const sequenceId = await activeSequence(deps.store, manager.id, TWO_TASKS);
  const [recordId] = (await someRecords(deps.store, alice.id, 1)) as [string];
  const connected = await connectRecords(deps, { sequenceId, recordIds: [recordId], actor: alice });
  const enrollmentId = connected.enrolled[0]?.enrollmentId as string;
  return { deps, alice, bob, manager, sequenceId, recordId, enrollmentId };
}

/** The step row ids in a work list (`when` defaults to all). */
async function workIds(
  deps: EngineDeps,
  actor: EngineActor,
  ownerId?: string,
  when: 'overdue' | 'today' | 'upcoming' | 'all' = 'all',
): Promise<string[]> {
  const page = await listWorklist(deps, actor, { when, ownerId, limit: 100, cursor: null });
  return page.items.map((item) => item.id);
}

forEachDialect('record lifecycle', (t) => {
  it('an owner change gives the open step to the new owner, due time kept; the previous one loses it', async () => {
    const w = await world(t);
    const [before] = await w.deps.store.enrollments.listSteps(w.enrollmentId);
    const change = await changeRecordOwner(w.deps, w.manager, w.recordId, w.bob.id);
    expect(change.record.ownerId).toBe(w.bob.id);
    expect(change.enrollmentIds).toEqual([w.enrollmentId]);
    expect((await w.deps.store.enrollments.get(w.enrollmentId))?.ownerId).toBe(w.bob.id);
    const [open] = await w.deps.store.enrollments.listSteps(w.enrollmentId);
    expect(open).toMatchObject({ stepId: 't1', state: 'open', ownerId: w.bob.id, dueAt: before?.dueAt });

    // Alice no longer sees or works it; Bob does, and the next step is his too.
    expect(await workIds(w.deps, w.alice)).toEqual([]);
    expect(await workIds(w.deps, w.bob)).toEqual([stepRowId(w.enrollmentId, 1)]);
    expect(await workIds(w.deps, w.manager, w.bob.id)).toEqual([stepRowId(w.enrollmentId, 1)]);
    await expect(completeStep(w.deps, w.alice, stepRowId(w.enrollmentId, 1))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      snoozeStep(w.deps, w.alice, stepRowId(w.enrollmentId, 1), { until: w.deps.clock.now() + HOUR }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await completeStep(w.deps, w.bob, stepRowId(w.enrollmentId, 1))).applied).toBe(true);
    const steps = await w.deps.store.enrollments.listSteps(w.enrollmentId);
    expect(steps.map((s) => [s.stepId, s.state, s.ownerId])).toEqual([
      ['t1', 'completed', w.bob.id],
      ['t2', 'open', w.bob.id],
    ]);
    const audit = await w.deps.store.audit.list({ subject: { type: 'record', id: w.recordId } });
    expect(audit.items).toMatchObject([
      {
        action: 'record.owner_changed',
        actorId: w.manager.id,
        data: { from: w.alice.id, to: w.bob.id, enrollmentIds: [w.enrollmentId] },
      },
    ]);
  });

  it('finished steps keep their owner, who can no longer act on them; a snoozed step moves', async () => {
    const w = await world(t);
    await completeStep(w.deps, w.alice, stepRowId(w.enrollmentId, 1));
    const snoozedUntil = w.deps.clock.now() + 2 * HOUR;
    await snoozeStep(w.deps, w.alice, stepRowId(w.enrollmentId, 2), { until: snoozedUntil });
    await changeRecordOwner(w.deps, w.manager, w.recordId, w.bob.id);
    const steps = await w.deps.store.enrollments.listSteps(w.enrollmentId);
    expect(steps.map((s) => [s.stepId, s.state, s.ownerId, s.dueAt])).toEqual([
      ['t1', 'completed', w.alice.id, steps[0]?.dueAt],
      ['t2', 'waiting', w.bob.id, snoozedUntil],
    ]);
    // Her own finished row answers 404 too: the record is no longer hers.
    await expect(completeStep(w.deps, w.alice, stepRowId(w.enrollmentId, 1))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await workIds(w.deps, w.bob, undefined, 'all')).toEqual([stepRowId(w.enrollmentId, 2)]);
    expect(await workIds(w.deps, w.alice, undefined, 'all')).toEqual([]);
  });

  it('a records update that names an owner moves the running work in the same way', async () => {
    const w = await world(t);
    const updated = await w.deps.store.records.update(w.recordId, { ownerId: w.bob.id }, w.deps.clock.now());
    expect(updated?.ownerId).toBe(w.bob.id);
    expect((await w.deps.store.enrollments.get(w.enrollmentId))?.ownerId).toBe(w.bob.id);
    const [open] = await w.deps.store.enrollments.listSteps(w.enrollmentId);
    expect(open).toMatchObject({ state: 'open', ownerId: w.bob.id });
  });

  it('a bulk upsert keeps the owner of a row that names none, and moves the record and its steps otherwise', async () => {
    const w = await world(t);
    const withExternalId = await w.deps.store.records.update(
      w.recordId,
      { externalId: 'crm-1' },
      w.deps.clock.now(),
    );
    expect(withExternalId?.externalId).toBe('crm-1');
    const row = { id: 'rec_unused', type: 'lead' as const, name: 'Renamed', externalId: 'crm-1' };

    const kept = await upsertRecordBatch(w.deps, w.manager, [
      { ...row, ownerId: w.manager.id, keepStoredOwner: true },
    ]);
    expect(kept).toEqual([{ index: 0, outcome: 'updated', id: w.recordId }]);
    expect(await w.deps.store.records.get(w.recordId)).toMatchObject({
      name: 'Renamed',
      ownerId: w.alice.id,
    });
    expect((await w.deps.store.enrollments.listSteps(w.enrollmentId))[0]?.ownerId).toBe(w.alice.id);

    const moved = await upsertRecordBatch(w.deps, w.manager, [{ ...row, ownerId: w.bob.id }]);
    expect(moved).toEqual([
      {
        index: 0,
        outcome: 'updated',
        id: w.recordId,
        ownerChange: { from: w.alice.id, to: w.bob.id, enrollmentIds: [w.enrollmentId] },
      },
    ]);
    expect((await w.deps.store.records.get(w.recordId))?.ownerId).toBe(w.bob.id);
    expect((await w.deps.store.enrollments.get(w.enrollmentId))?.ownerId).toBe(w.bob.id);
    expect(await workIds(w.deps, w.bob)).toEqual([stepRowId(w.enrollmentId, 1)]);
    expect(await workIds(w.deps, w.alice)).toEqual([]);
    const audit = await w.deps.store.audit.list({ subject: { type: 'record', id: w.recordId } });
    expect(audit.items).toMatchObject([
      { action: 'record.owner_changed', actorId: w.manager.id, data: { from: w.alice.id, to: w.bob.id } },
    ]);

    // The same owner again changes nothing and is not audited.
    expect(await upsertRecordBatch(w.deps, w.manager, [{ ...row, ownerId: w.bob.id }])).toEqual([
      { index: 0, outcome: 'updated', id: w.recordId },
    ]);
    expect(
      (await w.deps.store.audit.list({ subject: { type: 'record', id: w.recordId } })).items,
    ).toHaveLength(1);
  });

  it('checks who may change an owner and to whom', async () => {
    const w = await world(t);
    await expect(changeRecordOwner(w.deps, w.bob, w.recordId, w.bob.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(changeRecordOwner(w.deps, w.alice, w.recordId, w.bob.id)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(changeRecordOwner(w.deps, w.manager, w.recordId, 'usr_nope')).rejects.toMatchObject({
      code: 'bad_request',
      errors: [{ code: 'owner_not_found' }],
    });
    await expect(changeRecordOwner(w.deps, w.manager, 'rec_nope', w.bob.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    // The same owner: nothing to do.
    expect(await changeRecordOwner(w.deps, w.alice, w.recordId, w.alice.id)).toMatchObject({
      enrollmentIds: [],
    });
  });

  it('deleting a record ends its running enrollments with record_deleted', async () => {
    const w = await world(t);
    await expect(deleteRecord(w.deps, w.bob, w.recordId)).rejects.toBeInstanceOf(NotFoundError);
    expect(await deleteRecord(w.deps, w.alice, w.recordId)).toEqual({ disconnected: [w.enrollmentId] });
    expect(await w.deps.store.enrollments.get(w.enrollmentId)).toMatchObject({
      status: 'disconnected',
      endReason: 'record_deleted',
    });
    const [step] = await w.deps.store.enrollments.listSteps(w.enrollmentId);
    expect(step?.state).toBe('cancelled');
    expect((await w.deps.store.records.get(w.recordId))?.deletedAt).not.toBeNull();
    expect(await statsOf(w.deps.store, w.sequenceId)).toMatchObject({ '/ended:record_deleted': 1 });
    await expect(deleteRecord(w.deps, w.alice, w.recordId)).rejects.toBeInstanceOf(NotFoundError);
    // A new connection of the deleted record is refused.
    const again = await connectRecords(w.deps, {
      sequenceId: w.sequenceId,
      recordIds: [w.recordId],
      actor: w.manager,
    });
    expect(again.rejected).toMatchObject([{ code: 'not_found' }]);
  });

  it('deleting again repairs a delete that stopped between the soft delete and the disconnects', async () => {
    const w = await world(t);
    await w.deps.store.records.softDelete(w.recordId, w.deps.clock.now());
    expect((await w.deps.store.enrollments.get(w.enrollmentId))?.status).toBe('active');
    await expect(deleteRecord(w.deps, w.alice, w.recordId)).rejects.toBeInstanceOf(NotFoundError);
    expect(await w.deps.store.enrollments.get(w.enrollmentId)).toMatchObject({
      status: 'disconnected',
      endReason: 'record_deleted',
    });
  });
});
