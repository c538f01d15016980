// Enrollments: the one-running-enrollment rule is the database's (a unique index), not only code's.
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { type Store, StoreConflictError } from '../engine/ports/store.js';
import { openPostgresDialect } from './postgres/postgres-dialect.js';
import { openSqliteDialect } from './sqlite/sqlite-dialect.js';
import { forEachDialect } from './test-support/dialects.js';
import { allPages, aRecord, aSequence, aUser, enrollmentWorld, T0, testId } from './test-support/fixtures.js';

function enrollment(
  world: Awaited<ReturnType<typeof enrollmentWorld>>,
  exclusivity: 'record' | 'sequence' = 'record',
) {
  return {
    id: testId('enr'),
    sequenceId: world.sequence.id,
    sequenceVersion: 1,
    recordId: world.record.id,
    ownerId: world.owner.id,
    currentStepId: 's1',
    dueAt: T0,
    state: { at: 's1' },
    startedAt: T0,
    exclusivity,
  } as const;
}

async function secondSequence(store: Store, ownerId: string) {
  return store.sequences.create(aSequence(ownerId));
}

forEachDialect('enrollments', (t) => {
  it('creates an active enrollment and reads it back', async () => {
    const world = await enrollmentWorld(t.store());
    const created = await t.store().enrollments.create(enrollment(world));
    expect(created).toMatchObject({
      status: 'active',
      endReason: null,
      version: 0,
      state: { at: 's1' },
      dueAt: T0,
    });
    expect(await t.store().enrollments.get(created.id)).toEqual(created);
    expect(await t.store().enrollments.listRunningForRecord(world.record.id)).toEqual([created]);
  });

  it('refuses a second running enrollment for the same record (already_enrolled)', async () => {
    const world = await enrollmentWorld(t.store());
    await t.store().enrollments.create(enrollment(world));
    const other = await secondSequence(t.store(), world.owner.id);
    const error = await t
      .store()
      .enrollments.create({ ...enrollment(world), sequenceId: other.id })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreConflictError);
    expect(error).toMatchObject({ reason: 'already_enrolled', constraint: 'enrollments_one_running_key' });
  });

  it('allows a new enrollment once the previous one ended', async () => {
    const world = await enrollmentWorld(t.store());
    const first = await t.store().enrollments.create(enrollment(world));
    const ended = { status: 'disconnected', endReason: 'user_disconnected', endedAt: T0 + 1 } as const;
    expect(await t.store().enrollments.end(first.id, ended)).toBe(true);
    expect(await t.store().enrollments.end(first.id, ended)).toBe(false);
    expect(await t.store().enrollments.get(first.id)).toMatchObject({ ...ended, dueAt: null, version: 1 });
    await t.store().enrollments.create(enrollment(world));
    expect(await t.store().enrollments.listRunningForRecord(world.record.id)).toHaveLength(1);
  });

  it("lists a record's enrollments, ended ones included, newest first, page by page", async () => {
    const world = await enrollmentWorld(t.store());
    const ended = { status: 'completed', endReason: 'completed', endedAt: T0 + 5 } as const;
    const made: string[] = [];
    for (let i = 0; i < 4; i++) {
      const e = await t.store().enrollments.create(enrollment(world));
      made.push(e.id);
      if (i < 3) expect(await t.store().enrollments.end(e.id, ended)).toBe(true);
    }
    // Another record's enrollment stays out of the list.
    const otherRecord = await t.store().records.create(aRecord(world.owner.id));
    await t.store().enrollments.create({ ...enrollment(world), recordId: otherRecord.id });

    const { items, pages } = await allPages((cursor) =>
      t.store().enrollments.listByRecord(world.record.id, { limit: 3, cursor }),
    );
    expect(items.map((e) => e.id)).toEqual([...made].reverse());
    expect(pages).toBe(2);
    expect(items.map((e) => e.status)).toEqual(['active', 'completed', 'completed', 'completed']);
    expect(items[1]).toMatchObject({ endReason: 'completed', endedAt: T0 + 5 });
    expect((await t.store().enrollments.listByRecord('rec_none')).items).toEqual([]);
  });

  it('with the parallel setting, allows different sequences but never the same one twice', async () => {
    const world = await enrollmentWorld(t.store());
    await t.store().enrollments.create(enrollment(world, 'sequence'));
    const other = await secondSequence(t.store(), world.owner.id);
    await t.store().enrollments.create({ ...enrollment(world, 'sequence'), sequenceId: other.id });
    await expect(t.store().enrollments.create(enrollment(world, 'sequence'))).rejects.toMatchObject({
      reason: 'already_enrolled',
    });
  });

  it('enforces the rule in the database itself, below the repository', async () => {
    const world = await enrollmentWorld(t.store());
    await t.store().enrollments.create(enrollment(world));
    const { url, options } = t.database();
    const dialect =
      t.dialect === 'sqlite'
        ? openSqliteDialect(url, { busyTimeoutMs: 1000 })
        : openPostgresDialect(url, { schema: options.schema ?? null, maxConnections: 1 });
    try {
      const insert = sql`
        INSERT INTO enrollments (id, sequence_id, sequence_version, record_id, owner_id, status, state,
                                 started_at, exclusive_slot)
        VALUES ('enr_raw', ${world.sequence.id}, 1, ${world.record.id}, ${world.owner.id}, 'paused', '{}', 0, '')`;
      await expect(insert.execute(dialect.db)).rejects.toMatchObject({ reason: 'already_enrolled' });
      const slotless = sql`
        INSERT INTO enrollments (id, sequence_id, sequence_version, record_id, owner_id, status, state, started_at)
        VALUES ('enr_raw2', ${world.sequence.id}, 1, ${world.record.id}, ${world.owner.id}, 'active', '{}', 0)`;
      await expect(slotless.execute(dialect.db)).rejects.toMatchObject({ code: 'store_failure' });
    } finally {
      await dialect.close();
    }
  });

  it('lists a sequence’s enrollments by status, page by page, and keeps step history', async () => {
    const world = await enrollmentWorld(t.store());
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const record = await t.store().records.create(aRecord(world.owner.id));
      const created = await t.store().enrollments.create({ ...enrollment(world), recordId: record.id });
      ids.push(created.id);
    }
    await t
      .store()
      .enrollments.end(ids[0] ?? '', { status: 'completed', endReason: 'completed', endedAt: T0 });
    const all = await allPages((cursor) =>
      t.store().enrollments.listBySequence(world.sequence.id, { limit: 2, cursor }),
    );
    expect(all.items.map((e) => [e.status, e.id])).toEqual([
      ...ids.slice(1).map((id) => ['active', id]),
      ['completed', ids[0]],
    ]);
    const completed = await t.store().enrollments.listBySequence(world.sequence.id, { status: 'completed' });
    expect(completed.items.map((e) => e.id)).toEqual([ids[0]]);

    // One owner's view: another owner's enrollment of the same sequence is stepped over, page by page.
    const other = await t.store().users.create(aUser());
    const theirs = await t.store().enrollments.create({
      ...enrollment(world),
      ownerId: other.id,
      recordId: (await t.store().records.create(aRecord(other.id))).id,
    });
    const mine = await allPages((cursor) =>
      t.store().enrollments.listBySequence(world.sequence.id, { ownerId: world.owner.id, limit: 2, cursor }),
    );
    expect(mine.items.map((e) => e.id)).toEqual(all.items.map((e) => e.id));
    const theirPage = await t.store().enrollments.listBySequence(world.sequence.id, { ownerId: other.id });
    expect(theirPage.items.map((e) => e.id)).toEqual([theirs.id]);

    const base = {
      enrollmentId: ids[1] ?? '',
      ownerId: world.owner.id,
      recordId: world.record.id,
      sequenceId: world.sequence.id,
    };
    const first = await t.store().enrollments.createStep({
      ...base,
      id: testId('est'),
      stepId: 's1',
      type: 'email',
      state: 'open',
      dueAt: T0,
    });
    const second = await t
      .store()
      .enrollments.createStep({ ...base, id: testId('est'), stepId: 'w1', type: 'wait', state: 'waiting' });
    expect(first).toMatchObject({ state: 'open', dueAt: T0, outcome: null, proposedDueAt: null });
    expect(await t.store().enrollments.listSteps(base.enrollmentId)).toEqual([first, second]);
  });
});
