// connectRecords: every rejection code, one running enrollment per record (or per record and sequence
// with parallel enrollments), and the first step's effects written with the enrollment.
import { expect, it, vi } from 'vitest';
import { type DialectTest, forEachDialect } from '../storage/test-support/dialects.js';
import { disconnectRecords } from './apply-events.js';
import { connectRecords } from './connect.js';
import { stepRowId } from './enrollment-commit.js';
import { deleteRecord } from './record-lifecycle.js';
import {
  activeSequence,
  afterRecordsRead,
  aUser,
  definition,
  engineDeps,
  someRecords,
  statsOf,
  T0,
} from './test-support/engine-world.js';
import { countOf, rawQuery } from './test-support/raw-db.js';

const ONE_TASK = definition([{ id: 't1', type: 'task', name: 'Research the account' }]);

// Starts that differ by record: the first email goes out in the recipient's zone (outbox rows), and a
// condition on a field at the very start decides whether a field is written.
const EMAIL_FIRST = definition(
  [
    { id: 'a1', type: 'automated_email', templateId: 'tpl_1', next: 't1' },
    { id: 't1', type: 'task', name: 'Call' },
  ],
  { workingHours: 'recipient' },
);
// Reads fields, but not at the start: the bulk path reads no fields (connect loads them lazily).
const WAIT_FIRST = definition([
  { id: 'w1', type: 'wait', duration: 'PT1H', next: 'c1' },
  { id: 'c1', type: 'condition', if: { field: 'tier', op: 'eq', value: 'gold' }, yes: 'u1', no: 't1' },
  { id: 'u1', type: 'update_field', field: 'status', value: 'vip', next: 't1' },
  { id: 't1', type: 'task', name: 'Call' },
]);
const FIELD_FIRST = definition([
  { id: 'c1', type: 'condition', if: { field: 'tier', op: 'eq', value: 'gold' }, yes: 'u1', no: 't1' },
  { id: 'u1', type: 'update_field', field: 'status', value: 'vip', next: 't1' },
  { id: 't1', type: 'task', name: 'Call' },
]);
// Writes the field its condition then tests, at the start: every record takes `yes`, whatever it held.
const UPDATE_THEN_TEST = definition([
  { id: 'u0', type: 'update_field', field: 'tier', value: 'gold', next: 'c1' },
  { id: 'c1', type: 'condition', if: { field: 'tier', op: 'eq', value: 'gold' }, yes: 'u1', no: 't1' },
  { id: 'u1', type: 'update_field', field: 'status', value: 'vip', next: 't1' },
  { id: 't1', type: 'task', name: 'Call' },
]);

/**
 * Everything a start wrote for each record, as JSON with the record's and its enrollment's ids (and
 * outbox ids) replaced by placeholders, so two records started alike compare equal.
 */
async function startRowsOf(t: DialectTest, recordIds: readonly string[]): Promise<string[]> {
  const list = recordIds.map((id) => `'${id}'`).join(', ');
  const enrollments = await rawQuery<Record<string, unknown>>(
    t,
    `SELECT * FROM enrollments WHERE record_id IN (${list})`,
  );
  const steps = await rawQuery<Record<string, unknown>>(
    t,
    `SELECT * FROM enrollment_steps WHERE record_id IN (${list}) ORDER BY id`,
  );
  const outbox = await rawQuery<Record<string, unknown>>(t, `SELECT * FROM outbox ORDER BY idempotency_key`);
  const records = await rawQuery<{ id: string; fields: unknown }>(
    t,
    `SELECT id, fields FROM records WHERE id IN (${list})`,
  );
  return recordIds.map((recordId) => {
    const enrollment = enrollments.find((e) => e.record_id === recordId) as Record<string, unknown>;
    const id = enrollment.id as string;
    const mine = {
      enrollment,
      steps: steps.filter((s) => s.enrollment_id === id),
      outbox: outbox
        .filter((o) => String(o.idempotency_key).startsWith(`${id}:`))
        .map((o) => ({ ...o, id: 'OUT' })),
      fields: records.find((r) => r.id === recordId)?.fields,
    };
    return JSON.stringify(mine).replaceAll(id, 'ENR').replaceAll(recordId, 'REC');
  });
}

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

  it('a bulk start that lands only in part writes history and outbox rows for exactly the members that landed', async () => {
    const deps = engineDeps(t.store());
    const owner = await aUser(deps.store, 'admin');
    const seq = await activeSequence(deps.store, owner.id, EMAIL_FIRST);
    const records = await someRecords(deps.store, owner.id, 10);
    const actor = { id: owner.id, role: 'admin' as const };
    const first = await connectRecords(deps, { sequenceId: seq, recordIds: records.slice(0, 4), actor });
    expect(first.enrolled).toHaveLength(4);
    // A pre-check that missed them (as if they had been connected in between): the unique index refuses
    // these four inside the bulk insert, and the rows of the other six are written from the members left.
    deps.store.engine.runningSlots = async () => [];
    const second = await connectRecords(deps, { sequenceId: seq, recordIds: records, actor });
    expect(second.enrolled.map((e) => e.recordId)).toEqual(records.slice(4));
    expect(second.rejected.map((r) => [r.recordId, r.code])).toEqual(
      records.slice(0, 4).map((id) => [id, 'already_enrolled']),
    );
    const enrollments = await rawQuery<{ id: string }>(t, 'SELECT id FROM enrollments');
    const ids = new Set(enrollments.map((e) => e.id));
    expect(ids.size).toBe(10);
    const steps = await rawQuery<{ enrollment_id: string }>(t, 'SELECT enrollment_id FROM enrollment_steps');
    const outbox = await rawQuery<{ idempotency_key: string; payload: unknown }>(
      t,
      'SELECT idempotency_key, payload FROM outbox',
    );
    expect(steps).toHaveLength(10);
    expect(outbox).toHaveLength(10);
    for (const s of steps) expect(ids.has(s.enrollment_id)).toBe(true);
    for (const o of outbox) {
      const enrollmentId = o.idempotency_key.split(':')[0] as string;
      expect(ids.has(enrollmentId)).toBe(true);
      const payload = (typeof o.payload === 'string' ? JSON.parse(o.payload) : o.payload) as {
        enrollmentId: string;
      };
      expect(payload.enrollmentId).toBe(enrollmentId);
    }
    expect(await statsOf(deps.store, seq)).toMatchObject({ '/enrolled': 10, 'a1/reached': 10 });
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

forEachDialect('connectRecords: shared start shapes (bulk) and the per-record path', (t) => {
  for (const [name, def] of [
    ['an email first, in the recipient zone', EMAIL_FIRST],
    ['a field condition first', FIELD_FIRST],
    ['a wait, then a field condition', WAIT_FIRST],
    ['a field written, then tested', UPDATE_THEN_TEST],
  ] as const) {
    it(`writes the same rows both ways: ${name}`, async () => {
      const deps = engineDeps(t.store());
      const admin = await aUser(deps.store, 'admin');
      const east = await aUser(deps.store, 'salesperson', { timezone: 'America/New_York' });
      const seq = await activeSequence(deps.store, admin.id, def);
      // Two sets of records alike: owners with different calendars, zones, field values.
      const makeSet = async () => [
        ...(await someRecords(deps.store, admin.id, 300, 'lead', { timezone: 'Asia/Tokyo' })),
        ...(await someRecords(deps.store, east.id, 300, 'lead', { fields: { tier: 'gold' } })),
        ...(await someRecords(deps.store, east.id, 200, 'lead', {
          timezone: 'Europe/Paris',
          fields: { tier: 'tin' },
        })),
        ...(await someRecords(deps.store, admin.id, 200)),
      ];
      const bulkSet = await makeSet();
      const eachSet = await makeSet();
      const actor = { id: admin.id, role: 'admin' as const };
      const withFields: boolean[] = [];
      const loadRecords = deps.store.engine.loadRecords.bind(deps.store.engine);
      deps.store.engine.loadRecords = (ids, fields) => {
        withFields.push(fields);
        return loadRecords(ids, fields);
      };
      const bulk = await connectRecords(deps, { sequenceId: seq, recordIds: bulkSet, actor });
      // Fields are read only for a start that reads them (then a second time, with them).
      // (Not for a condition that reads only what the start itself wrote.)
      expect(withFields).toEqual(def === FIELD_FIRST ? [false, true] : [false]);
      const statsAfterBulk = await statsOf(deps.store, seq);
      const each = await connectRecords(deps, {
        sequenceId: seq,
        recordIds: eachSet,
        actor,
        perRecord: true,
      });
      expect(bulk.enrolled.map((e) => e.recordId)).toEqual(bulkSet);
      expect(each.enrolled.map((e) => e.recordId)).toEqual(eachSet);
      expect(await startRowsOf(t, bulkSet)).toEqual(await startRowsOf(t, eachSet));
      // The per-record path added exactly what the bulk path had added.
      const doubled = Object.fromEntries(Object.entries(statsAfterBulk).map(([k, v]) => [k, 2 * v]));
      expect(await statsOf(deps.store, seq)).toEqual(doubled);
      expect(statsAfterBulk['/enrolled']).toBe(1_000);
      // Each definition's start wrote what the comparison is about: emails, or field writes for gold records.
      if (def === EMAIL_FIRST) expect(await countOf(t, `SELECT COUNT(*) AS n FROM outbox`)).toBe(2_000);
      else if (def === FIELD_FIRST) expect(statsAfterBulk['u1/reached']).toBe(300);
      else if (def === UPDATE_THEN_TEST) expect(statsAfterBulk['u1/reached']).toBe(1_000);
      else expect(statsAfterBulk['w1/reached']).toBe(1_000);
    });
  }

  it('1,200 records: duplicates, strangers, deleted, running elsewhere, racing; parallel setting', async () => {
    const deps = engineDeps(t.store());
    const seller = await aUser(deps.store, 'salesperson');
    const other = await aUser(deps.store, 'salesperson');
    const a = await activeSequence(deps.store, seller.id, EMAIL_FIRST);
    const b = await activeSequence(deps.store, seller.id, ONE_TASK);
    const mine = await someRecords(deps.store, seller.id, 1_200);
    const [theirs] = await someRecords(deps.store, other.id, 1);
    const actor = { id: seller.id, role: 'salesperson' as const };
    const running = mine.slice(0, 200);
    await connectRecords(deps, { sequenceId: b, recordIds: running, actor });
    const deleted = mine[1_199] as string;
    await deps.store.records.softDelete(deleted, T0);

    const result = await connectRecords(deps, {
      sequenceId: a,
      recordIds: [...mine, theirs as string, mine[500] as string],
      actor,
    });
    const codes = new Map(result.rejected.map((r) => [r.recordId, r.code]));
    expect(result.enrolled).toHaveLength(999);
    expect(result.enrolled.map((e) => e.recordId)).toEqual(mine.slice(200, 1_199));
    expect(result.rejected).toHaveLength(203);
    expect(codes.get(running[0] as string)).toBe('already_enrolled');
    expect(codes.get(deleted)).toBe('not_found');
    expect(codes.get(theirs as string)).toBe('forbidden');
    expect(codes.get(mine[500] as string)).toBe('already_enrolled'); // listed twice
    expect(await statsOf(deps.store, a)).toMatchObject({ '/enrolled': 999, 'a1/reached': 999 });
    expect(await countOf(t, `SELECT COUNT(*) AS n FROM outbox`)).toBe(999);

    // With parallel enrollments the records running in b may join a too, once.
    const parallel = { ...deps, settings: { ...deps.settings, allowParallelEnrollments: true } };
    const [x, y] = await Promise.all([
      connectRecords(parallel, { sequenceId: a, recordIds: running, actor }),
      connectRecords(parallel, { sequenceId: a, recordIds: running, actor }),
    ]);
    expect(x.enrolled.length + y.enrolled.length).toBe(200);
    expect([...x.rejected, ...y.rejected].every((r) => r.code === 'already_enrolled')).toBe(true);
    expect(await countOf(t, `SELECT COUNT(*) AS n FROM outbox`)).toBe(1_199);
    expect(await statsOf(deps.store, a)).toMatchObject({ '/enrolled': 1_199 });
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

forEachDialect('connectRecords racing a record deletion', (t) => {
  const gold = { fields: { tier: 'gold' } };
  for (const [name, def, perRecord, afterRead] of [
    ['the bulk path', ONE_TASK, false, 1],
    ['the per-record path', ONE_TASK, true, 1],
    ['the bulk path, fields read again before the write', FIELD_FIRST, false, 2],
  ] as const) {
    it(`rejects a record deleted between its read and the write as not_found: ${name}`, async () => {
      const deps = engineDeps(t.store());
      const manager = await aUser(deps.store, 'sales_manager');
      const seq = await activeSequence(deps.store, manager.id, def);
      const records = await someRecords(deps.store, manager.id, 3, 'lead', gold);
      const [first, doomed, last] = records as [string, string, string];
      const actor = { id: manager.id, role: 'sales_manager' as const };
      // The whole deletion (soft delete, then the end of the record's running enrollments, none yet)
      // runs after connect read the record live and before connect writes.
      let reads = 0;
      const racing = afterRecordsRead(deps, async () => {
        if (++reads === afterRead) await deleteRecord(deps, actor, doomed);
      });
      const result = await connectRecords(racing, { sequenceId: seq, recordIds: records, actor, perRecord });
      expect(reads).toBe(afterRead);
      expect(result.enrolled.map((e) => e.recordId)).toEqual([first, last]);
      expect(result.rejected).toEqual([{ recordId: doomed, code: 'not_found', message: 'No such record.' }]);
      expect(await countOf(t, `SELECT COUNT(*) AS n FROM enrollments WHERE record_id = '${doomed}'`)).toBe(0);
      expect(
        await countOf(t, `SELECT COUNT(*) AS n FROM enrollment_steps WHERE record_id = '${doomed}'`),
      ).toBe(0);
      expect(await statsOf(deps.store, seq)).toMatchObject({ '/enrolled': 2 });
      if (def === FIELD_FIRST) {
        const [row] = await rawQuery<{ fields: unknown }>(
          t,
          `SELECT fields FROM records WHERE id = '${doomed}'`,
        );
        expect(JSON.stringify(row?.fields)).not.toContain('vip');
      }
    });
  }

  it('enrolls every record when only other records were deleted in between', async () => {
    const deps = engineDeps(t.store());
    const manager = await aUser(deps.store, 'sales_manager');
    const seq = await activeSequence(deps.store, manager.id, ONE_TASK);
    const records = await someRecords(deps.store, manager.id, 3);
    const [elsewhere] = (await someRecords(deps.store, manager.id, 1)) as [string];
    const actor = { id: manager.id, role: 'sales_manager' as const };
    const before = await deps.store.records.deletionStamp();
    const racing = afterRecordsRead(deps, async () => {
      await deleteRecord(deps, actor, elsewhere);
    });
    const result = await connectRecords(racing, { sequenceId: seq, recordIds: records, actor });
    expect(await deps.store.records.deletionStamp()).toBe(before + 1);
    expect(result.rejected).toEqual([]);
    expect(result.enrolled.map((e) => e.recordId)).toEqual(records);
  });

  // The two orders on PostgreSQL's connections, each made certain by waiting until one side is seen
  // blocked on the other (pg_stat_activity), never by timing.
  if (t.dialect === 'postgres') {
    const blockedOn = (statement: string) =>
      vi.waitFor(
        async () => {
          const n = await countOf(
            t,
            `SELECT COUNT(*) AS n FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '${statement}%'`,
          );
          expect(n, `a backend blocked on: ${statement}`).toBeGreaterThan(0);
        },
        { timeout: 10_000, interval: 20 },
      );

    it('a connect whose write meets an uncommitted deletion waits for it, then rejects the record', async () => {
      const deps = engineDeps(t.store());
      const manager = await aUser(deps.store, 'sales_manager');
      const seq = await activeSequence(deps.store, manager.id, ONE_TASK);
      const records = await someRecords(deps.store, manager.id, 3);
      const [first, doomed, last] = records as [string, string, string];
      const actor = { id: manager.id, role: 'sales_manager' as const };
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let softDeleted = () => {};
      const inFlight = new Promise<void>((resolve) => {
        softDeleted = resolve;
      });
      const deletion = deps.store.transaction(async (tx) => {
        await tx.records.softDelete(doomed, T0);
        softDeleted();
        await held;
      });
      await inFlight;
      // Connect reads the record live (the deletion is not committed) and its write waits on the stamp.
      const connecting = connectRecords(deps, { sequenceId: seq, recordIds: records, actor });
      try {
        await blockedOn('SELECT value FROM settings WHERE key = $1 FOR SHARE');
      } finally {
        release();
      }
      await deletion;
      const result = await connecting;
      expect(result.enrolled.map((e) => e.recordId)).toEqual([first, last]);
      expect(result.rejected).toEqual([{ recordId: doomed, code: 'not_found', message: 'No such record.' }]);
      expect(await countOf(t, `SELECT COUNT(*) AS n FROM enrollments WHERE record_id = '${doomed}'`)).toBe(0);
    });

    it('a deletion that meets an uncommitted connect waits for it, then ends the enrollment', async () => {
      const deps = engineDeps(t.store());
      const manager = await aUser(deps.store, 'sales_manager');
      const seq = await activeSequence(deps.store, manager.id, ONE_TASK);
      const records = await someRecords(deps.store, manager.id, 3);
      const doomed = records[1] as string;
      const actor = { id: manager.id, role: 'sales_manager' as const };
      let deleting: Promise<unknown> = Promise.resolve();
      // The connect's write runs in this transaction (startMany joins it) and stays uncommitted while the
      // deletion starts: its soft delete waits for the stamp the connect holds.
      const result = await deps.store.transaction(async (tx) => {
        const connected = await connectRecords(
          { ...deps, store: tx },
          { sequenceId: seq, recordIds: records, actor },
        );
        deleting = deleteRecord(deps, actor, doomed);
        await blockedOn('update "settings"');
        return connected;
      });
      await deleting;
      expect(result.enrolled.map((e) => e.recordId)).toEqual(records);
      const enrollment = await deps.store.enrollments.get(
        result.enrolled.find((e) => e.recordId === doomed)?.enrollmentId as string,
      );
      expect(enrollment).toMatchObject({ status: 'disconnected', endReason: 'record_deleted' });
      expect(await deps.store.records.get(doomed)).toMatchObject({ deletedAt: T0 });
    });
  }
});
