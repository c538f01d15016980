// connectRecords: every rejection code, one running enrollment per record (or per record and sequence
// with parallel enrollments), and the first step's effects written with the enrollment.
import { expect, it } from 'vitest';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { disconnectRecords } from './apply-events.js';
import { connectRecords } from './connect.js';
import { stepRowId } from './enrollment-commit.js';
import {
  activeSequence,
  aUser,
  definition,
  engineDeps,
  someRecords,
  statsOf,
  T0,
} from './test-support/engine-world.js';
import { countOf } from './test-support/raw-db.js';

const ONE_TASK = definition([{ id: 't1', type: 'task', name: 'Research the account' }]);

forEachDialect('connectRecords', (t) => {
  it('enrolls records and opens the first step; rejects with each code', async () => {
    const deps = engineDeps(t.store());
    const seller = await aUser(deps.store, 'salesperson');
    const other = await aUser(deps.store, 'salesperson');
    const seq = await activeSequence(deps.store, seller.id, ONE_TASK);
    const [mine, mine2] = await someRecords(deps.store, seller.id, 2);
    const [theirs] = await someRecords(deps.store, other.id, 1);
    const [contact] = await someRecords(deps.store, seller.id, 1, 'contact');
    const result = await connectRecords(deps, {
      sequenceId: seq,
      recordIds: [mine as string, theirs as string, contact as string, 'rec_nope', mine as string],
      actor: { id: seller.id, role: 'salesperson' },
    });
    expect(result.enrolled.map((e) => e.recordId)).toEqual([mine]);
    expect(Object.fromEntries(result.rejected.map((r) => [r.recordId, r.code]))).toEqual({
      [mine as string]: 'already_enrolled', // listed twice
      [theirs as string]: 'forbidden',
      [contact as string]: 'entity_mismatch',
      rec_nope: 'not_found',
    });
    const enrollmentId = result.enrolled[0]?.enrollmentId as string;
    const enrollment = await deps.store.enrollments.get(enrollmentId);
    expect(enrollment).toMatchObject({ status: 'active', currentStepId: 't1', dueAt: null, version: 0 });
    const steps = await deps.store.enrollments.listSteps(enrollmentId);
    expect(steps).toMatchObject([
      {
        id: stepRowId(enrollmentId, 1),
        stepId: 't1',
        state: 'open',
        dueAt: T0,
        openedAt: T0,
        ownerId: seller.id,
      },
    ]);

    // Again: already enrolled. A manager may connect anyone's records.
    const manager = await aUser(deps.store, 'sales_manager');
    const again = await connectRecords(deps, {
      sequenceId: seq,
      recordIds: [mine as string, theirs as string, mine2 as string],
      actor: { id: manager.id, role: 'sales_manager' },
    });
    expect(again.enrolled.map((e) => e.recordId)).toEqual([theirs, mine2]);
    expect(again.rejected).toMatchObject([{ recordId: mine, code: 'already_enrolled' }]);
    expect(await statsOf(deps.store, seq)).toMatchObject({ '/enrolled': 3, 't1/reached': 3 });
  });

  it('refuses records when the sequence is not active', async () => {
    const deps = engineDeps(t.store());
    const owner = await aUser(deps.store, 'admin');
    const seq = await activeSequence(deps.store, owner.id, ONE_TASK);
    await deps.store.sequences.update(seq, { status: 'inactive' }, T0);
    const records = await someRecords(deps.store, owner.id, 2);
    const result = await connectRecords(deps, {
      sequenceId: seq,
      recordIds: records,
      actor: { id: owner.id, role: 'admin' },
    });
    expect(result.enrolled).toEqual([]);
    expect(result.rejected.map((r) => r.code)).toEqual(['sequence_not_active', 'sequence_not_active']);
  });

  it('keeps one running enrollment per record; the parallel setting allows different sequences only', async () => {
    const single = engineDeps(t.store());
    const owner = await aUser(single.store, 'admin');
    const actor = { id: owner.id, role: 'admin' as const };
    const a = await activeSequence(single.store, owner.id, ONE_TASK);
    const b = await activeSequence(single.store, owner.id, ONE_TASK);
    const [r1, r2] = await someRecords(single.store, owner.id, 2);
    expect(
      (await connectRecords(single, { sequenceId: a, recordIds: [r1 as string], actor })).enrolled,
    ).toHaveLength(1);
    const blocked = await connectRecords(single, { sequenceId: b, recordIds: [r1 as string], actor });
    expect(blocked.rejected).toMatchObject([{ code: 'already_enrolled' }]);

    const parallel = engineDeps(t.store(), { allowParallelEnrollments: true });
    expect(
      (await connectRecords(parallel, { sequenceId: a, recordIds: [r2 as string], actor })).enrolled,
    ).toHaveLength(1);
    expect(
      (await connectRecords(parallel, { sequenceId: b, recordIds: [r2 as string], actor })).enrolled,
    ).toHaveLength(1);
    const twice = await connectRecords(parallel, { sequenceId: a, recordIds: [r2 as string], actor });
    expect(twice.rejected).toMatchObject([{ code: 'already_enrolled' }]);
    expect(await countOf(t, `SELECT COUNT(*) AS n FROM enrollments WHERE exclusive_slot IS NOT NULL`)).toBe(
      3,
    );

    // Disconnect frees the slot: the record may be connected again.
    const out = await disconnectRecords(single, {
      sequenceId: a,
      recordIds: [r1 as string, 'rec_x'],
      actorId: owner.id,
    });
    expect(out).toEqual({ disconnected: [r1], notEnrolled: [r1 === 'rec_x' ? '' : 'rec_x'] });
    expect(
      (await connectRecords(single, { sequenceId: b, recordIds: [r1 as string], actor })).enrolled,
    ).toHaveLength(1);
    expect(await statsOf(single.store, a)).toMatchObject({ '/ended:user_disconnected': 1 });
  });

  it('the unique index is the final arbiter: a racing insert becomes already_enrolled and writes nothing', async () => {
    const deps = engineDeps(t.store());
    const owner = await aUser(deps.store, 'admin');
    const seq = await activeSequence(deps.store, owner.id, ONE_TASK);
    const [r1] = await someRecords(deps.store, owner.id, 1);
    const actor = { id: owner.id, role: 'admin' as const };
    // Two connects of the same record in flight at once: both pass the pre-check on PostgreSQL's pool.
    const [x, y] = await Promise.all([
      connectRecords(deps, { sequenceId: seq, recordIds: [r1 as string], actor }),
      connectRecords(deps, { sequenceId: seq, recordIds: [r1 as string], actor }),
    ]);
    expect(x.enrolled.length + y.enrolled.length).toBe(1);
    expect([...x.rejected, ...y.rejected]).toMatchObject([{ code: 'already_enrolled' }]);
    expect(await countOf(t, 'SELECT COUNT(*) AS n FROM enrollment_steps')).toBe(1);
    expect(await statsOf(deps.store, seq)).toMatchObject({ '/enrolled': 1 });
  });

  it('connects 5,000 records in one call', async () => {
    const deps = engineDeps(t.store());
    const owner = await aUser(deps.store, 'admin');
    const seq = await activeSequence(deps.store, owner.id, ONE_TASK);
    const records = await someRecords(deps.store, owner.id, 5_000);
    const started = performance.now();
    const result = await connectRecords(deps, {
      sequenceId: seq,
      recordIds: records,
      actor: { id: owner.id, role: 'admin' },
    });
    console.log(`[${t.dialect}] connect 5,000 records: ${(performance.now() - started).toFixed(0)} ms`);
    expect(result.enrolled).toHaveLength(5_000);
    expect(await countOf(t, 'SELECT COUNT(*) AS n FROM enrollment_steps')).toBe(5_000);
  });
});

forEachDialect('connectRecords racing a deactivation', (t) => {
  it('writes nothing when the sequence went inactive between its read and the commit', async () => {
    const deps = engineDeps(t.store());
    const seller = await aUser(deps.store, 'sales_manager');
    const seq = await activeSequence(deps.store, seller.id, ONE_TASK);
    const records = await someRecords(deps.store, seller.id, 3);
    // Connect read the sequence while it was active; a deactivation commits before connect's commit.
    const seenActive = await deps.store.sequences.get(seq);
    await deps.store.sequences.update(seq, { status: 'inactive', activeVersion: null }, T0);
    const racing = {
      ...deps,
      store: { ...deps.store, sequences: { ...deps.store.sequences, get: async () => seenActive } },
    };
    const result = await connectRecords(racing, {
      sequenceId: seq,
      recordIds: records,
      actor: { id: seller.id, role: 'sales_manager' },
    });
    expect(result.enrolled).toEqual([]);
    expect(result.rejected.map((r) => r.code)).toEqual([
      'sequence_not_active',
      'sequence_not_active',
      'sequence_not_active',
    ]);
    expect(await countOf(t, 'SELECT COUNT(*) AS n FROM enrollments')).toBe(0);
    expect(await countOf(t, 'SELECT COUNT(*) AS n FROM enrollment_steps')).toBe(0);
  });

  it('starts on the newer version when one was activated in between', async () => {
    const deps = engineDeps(t.store());
    const seller = await aUser(deps.store, 'sales_manager');
    const seq = await activeSequence(deps.store, seller.id, ONE_TASK);
    const [record] = await someRecords(deps.store, seller.id, 1);
    const seenV1 = await deps.store.sequences.get(seq);
    await deps.store.sequences.createVersion({
      sequenceId: seq,
      version: 2,
      definition: ONE_TASK,
      createdAt: T0,
    });
    await deps.store.sequences.updateVersion(seq, 2, { activatedAt: T0 });
    let reads = 0;
    const racing = {
      ...deps,
      store: {
        ...deps.store,
        sequences: {
          ...deps.store.sequences,
          // The first read is from before version 2 went live; later reads see the store.
          get: async (id: string) => (reads++ === 0 ? seenV1 : deps.store.sequences.get(id)),
        },
      },
    };
    await deps.store.sequences.update(seq, { activeVersion: 2 }, T0);
    const result = await connectRecords(racing, {
      sequenceId: seq,
      recordIds: [record as string],
      actor: { id: seller.id, role: 'sales_manager' },
    });
    expect(result.rejected).toEqual([]);
    const enrollment = await deps.store.enrollments.get(result.enrolled[0]?.enrollmentId as string);
    expect(enrollment?.sequenceVersion).toBe(2);
  });
});
