// What the sequence use cases do to records connected through the engine (connectRecords): versions
// pinned across a revision, deactivation and deletion disconnecting them, and the stats counters.
import { expect, it } from 'vitest';
import { forEachDialect } from '../../storage/test-support/dialects.js';
import { aRecord } from '../../storage/test-support/fixtures.js';
import { connectRecords } from '../connect.js';
import type { EngineDeps } from '../deps.js';
import { completeStep, markEmailSent } from '../seller-actions.js';
import { activateSequence } from './activate-sequence.js';
import { createSequence } from './create-sequence.js';
import { reviseSequence } from './revise-sequence.js';
import { getSequenceStats } from './sequence-stats.js';
import { getSequence, listVersions } from './sequence-view.js';
import { deactivateSequence, deleteSequence } from './stop-sequence.js';
import type { ActingUser } from './stored-sequence.js';
import { aManager, EMAIL_ONLY, EMAIL_THEN_CALL, engineDeps } from './test-support/sequence-world.js';
import { updateSequence } from './update-sequence.js';

async function connectNew(deps: EngineDeps, actor: ActingUser, sequenceId: string, count: number) {
  const recordIds: string[] = [];
  for (let i = 0; i < count; i++) recordIds.push((await deps.store.records.create(aRecord(actor.id))).id);
  const result = await connectRecords(deps, { sequenceId, recordIds, actor });
  expect(result.rejected).toEqual([]);
  return result.enrolled.map((e) => e.enrollmentId);
}

forEachDialect('sequence use cases: running enrollments', (t) => {
  it('a published revision leaves running enrollments on their version; new connections get the new one', async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const { id } = await createSequence(deps, actor, {
      name: 'S',
      entityType: 'lead',
      definition: EMAIL_ONLY,
    });
    await activateSequence(deps, actor, id);
    const onV1 = await connectNew(deps, actor, id, 2);

    await reviseSequence(deps, actor, id);
    await updateSequence(deps, actor, id, { definition: EMAIL_THEN_CALL });
    // While in revision, connections still get the active version.
    const alsoV1 = await connectNew(deps, actor, id, 1);
    await activateSequence(deps, actor, id);
    const onV2 = await connectNew(deps, actor, id, 1);

    const versionOf = async (enrollmentId: string) =>
      (await t.store().enrollments.get(enrollmentId))?.sequenceVersion;
    for (const e of [...onV1, ...alsoV1]) expect(await versionOf(e)).toBe(1);
    for (const e of onV2) expect(await versionOf(e)).toBe(2);
    expect((await listVersions(deps, id)).map((v) => [v.version, v.enrolledCount])).toEqual([
      [1, 3],
      [2, 1],
    ]);
    expect(await getSequence(deps, id)).toMatchObject({ enrolledCount: 4 });
  });

  it("shows one version's figures alone, or all versions together; a version it does not have is a 404", async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const { id } = await createSequence(deps, actor, {
      name: 'S',
      entityType: 'lead',
      definition: EMAIL_ONLY,
    });
    await activateSequence(deps, actor, id);
    const [v1a] = await connectNew(deps, actor, id, 2);
    await reviseSequence(deps, actor, id);
    await updateSequence(deps, actor, id, { definition: EMAIL_THEN_CALL });
    await activateSequence(deps, actor, id);
    const [v2a] = await connectNew(deps, actor, id, 3);
    // One email of each version completed (version 1 ends there; version 2 goes on to its call).
    for (const enrollmentId of [v1a, v2a]) {
      const recordId = (await t.store().enrollments.get(enrollmentId as string))?.recordId as string;
      const [open] = await t.store().enrollmentViews.currentSteps(recordId);
      await completeStep(deps, actor, (open as { id: string }).id);
    }
    expect((await t.store().enrollments.get(v1a as string))?.status).toBe('completed');

    const all = await getSequenceStats(deps, id);
    expect(all).toMatchObject({ version: null, versions: [1, 2], enrolled: 5, active: 4, completed: 1 });
    expect(all.steps.map((s) => [s.stepId, s.reached, s.completed])).toEqual([
      ['s1', 5, 2],
      ['s2', 1, 0],
    ]);
    const v1 = await getSequenceStats(deps, id, 1);
    expect(v1).toMatchObject({ version: 1, versions: [1, 2], enrolled: 2, active: 1, completed: 1 });
    expect(v1.endReasons.completed).toBe(1);
    // Version 1's own steps: no call step.
    expect(v1.steps.map((s) => [s.stepId, s.reached, s.completed])).toEqual([['s1', 2, 1]]);
    const v2 = await getSequenceStats(deps, id, 2);
    expect(v2).toMatchObject({ version: 2, enrolled: 3, active: 3, completed: 0 });
    expect(v2.endReasons.completed).toBe(0);
    expect(v2.steps.map((s) => [s.stepId, s.reached, s.completed])).toEqual([
      ['s1', 3, 1],
      ['s2', 1, 0],
    ]);
    await expect(getSequenceStats(deps, id, 3)).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('deactivating ends every running enrollment `disconnected` with reason sequence_deactivated', async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const { id } = await createSequence(deps, actor, {
      name: 'S',
      entityType: 'lead',
      definition: EMAIL_ONLY,
    });
    await activateSequence(deps, actor, id);
    const enrollments = await connectNew(deps, actor, id, 3);
    expect(await getSequenceStats(deps, id)).toMatchObject({ enrolled: 3, active: 3, disconnected: 0 });

    const inactive = await deactivateSequence(deps, actor, id);
    expect(inactive).toMatchObject({ status: 'inactive', enrolledCount: 0 });
    for (const e of enrollments) {
      expect(await t.store().enrollments.get(e)).toMatchObject({
        status: 'disconnected',
        endReason: 'sequence_deactivated',
      });
    }
    const stats = await getSequenceStats(deps, id);
    expect(stats).toMatchObject({ enrolled: 3, active: 0, disconnected: 3 });
    expect(stats.endReasons.sequence_deactivated).toBe(3);
    expect(stats.steps[0]).toMatchObject({ stepId: 's1', reached: 3 });
    const log = (await t.store().audit.list({ subject: { type: 'sequence', id } })).items;
    expect(log.find((e) => e.action === 'sequence.deactivated')?.data).toMatchObject({ disconnected: 3 });

    // An inactive sequence accepts no records.
    const record = await t.store().records.create(aRecord(actor.id));
    const refused = await connectRecords(deps, { sequenceId: id, recordIds: [record.id], actor });
    expect(refused.rejected).toEqual([expect.objectContaining({ code: 'sequence_not_active' })]);
  });

  it('deleting ends running enrollments with reason sequence_deleted', async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const { id } = await createSequence(deps, actor, {
      name: 'S',
      entityType: 'lead',
      definition: EMAIL_ONLY,
    });
    await activateSequence(deps, actor, id);
    const enrollments = await connectNew(deps, actor, id, 2);
    await deleteSequence(deps, actor, id);
    for (const e of enrollments) {
      expect(await t.store().enrollments.get(e)).toMatchObject({
        status: 'disconnected',
        endReason: 'sequence_deleted',
      });
    }
    const log = (await t.store().audit.list({ subject: { type: 'sequence', id } })).items;
    expect(log.find((e) => e.action === 'sequence.deleted')?.data).toMatchObject({
      disconnected: 2,
      status: 'active',
    });
  });

  it('counts emails sent per step: a manual email recorded as sent counts, one only completed does not', async () => {
    const { deps } = engineDeps(t.store());
    const actor = await aManager(t.store());
    const { id } = await createSequence(deps, actor, {
      name: 'S',
      entityType: 'lead',
      definition: EMAIL_THEN_CALL,
    });
    await activateSequence(deps, actor, id);
    const [first, second, third] = await connectNew(deps, actor, id, 3);
    expect((await getSequenceStats(deps, id)).steps[0]).toMatchObject({
      stepId: 's1',
      reached: 3,
      emailsSent: 0,
    });

    for (const [i, enrollmentId] of [first, second, third].entries()) {
      const recordId = (await t.store().enrollments.get(enrollmentId as string))?.recordId as string;
      const [open] = await t.store().enrollmentViews.currentSteps(recordId);
      expect(open).toMatchObject({ stepId: 's1', state: 'open' });
      const stepRowId = (open as { id: string }).id;
      // Recorded as sent from the seller's own mail program: counted now.
      if (i === 0) await markEmailSent(deps, actor, stepRowId);
      // Sent through Stepwise: counted when the mail server takes it (src/mail/outbox-sender.test.ts).
      else if (i === 1) {
        await t.store().records.update(recordId, { email: 'lead@example.com' }, deps.clock.now());
        await markEmailSent(deps, actor, stepRowId, { send: { subject: 'Hi', body: 'Hello' } });
      } else await completeStep(deps, actor, stepRowId);
    }
    const stats = await getSequenceStats(deps, id);
    expect(stats.steps[0]).toMatchObject({ stepId: 's1', reached: 3, completed: 3, emailsSent: 1 });
    // A call step is not an email: its completions are not sends.
    expect(stats.steps[1]).toMatchObject({ stepId: 's2', reached: 3, emailsSent: 0 });
  });
});
