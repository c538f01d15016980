// Records' life on both dialects: an owner change keeps the open step with the previous owner and
// gives later steps to the new one; deleting a record ends its enrollments with record_deleted.
import { expect, it } from 'vitest';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { connectRecords } from './connect.js';
import { stepRowId } from './enrollment-commit.js';
import { ForbiddenError, NotFoundError } from './errors.js';
import { changeRecordOwner, deleteRecord } from './record-lifecycle.js';
import { completeStep, type EngineActor } from './seller-actions.js';
import {
  activeSequence,
  aUser,
  definition,
  engineDeps,
  someRecords,
  statsOf,
} from './test-support/engine-world.js';

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

forEachDialect('record lifecycle', (t) => {
  it('an owner change keeps the open step with the previous owner; the next step goes to the new one', async () => {
    const w = await world(t);
    const change = await changeRecordOwner(w.deps, w.manager, w.recordId, w.bob.id);
    expect(change.record.ownerId).toBe(w.bob.id);
    expect(change.enrollmentIds).toEqual([w.enrollmentId]);
    expect((await w.deps.store.enrollments.get(w.enrollmentId))?.ownerId).toBe(w.bob.id);
    const [open] = await w.deps.store.enrollments.listSteps(w.enrollmentId);
    expect(open).toMatchObject({ stepId: 't1', state: 'open', ownerId: w.alice.id });

    // Alice still works the step in her list; Bob gets the next one.
    expect((await completeStep(w.deps, w.alice, stepRowId(w.enrollmentId, 1))).applied).toBe(true);
    const steps = await w.deps.store.enrollments.listSteps(w.enrollmentId);
    expect(steps.map((s) => [s.stepId, s.state, s.ownerId])).toEqual([
      ['t1', 'completed', w.alice.id],
      ['t2', 'open', w.bob.id],
    ]);
    await expect(completeStep(w.deps, w.alice, stepRowId(w.enrollmentId, 2))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const audit = await w.deps.store.audit.list({ subject: { type: 'record', id: w.recordId } });
    expect(audit.items).toMatchObject([
      { action: 'record.owner_changed', actorId: w.manager.id, data: { from: w.alice.id, to: w.bob.id } },
    ]);
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
