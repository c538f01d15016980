// A sequence's connected records found by the record's name or email and listed in each order, page by
// page; a cursor works only with the search and order that handed it out.
import { expect, it } from 'vitest';
import type { EnrollmentListOptions, Store } from '../engine/ports/store.js';
import { forEachDialect } from './test-support/dialects.js';
import { allPages, aRecord, aSequence, aUser, T0, testId } from './test-support/fixtures.js';

/** Six records of two owners on one sequence (one of them twice: ended, then connected again), one elsewhere. */
async function connectedWorld(store: Store) {
  const owner = await store.users.create(aUser());
  const other = await store.users.create(aUser());
  const sequence = await store.sequences.create(aSequence(owner.id));
  const elsewhere = await store.sequences.create(aSequence(owner.id));
  const people = [
    { name: 'Ada Lovelace', email: 'ada@engines.test', ownerId: owner.id },
    { name: 'Grace Hopper', email: 'grace@navy.test', ownerId: owner.id },
    { name: 'Alan Turing', email: 'alan@bletchley.test', ownerId: other.id },
    { name: 'Barbara Liskov', email: 'LISKOV@mit.test', ownerId: owner.id },
    { name: '100% Margaret', email: null, ownerId: owner.id },
    { name: 'adam Smith', email: 'adam@wealth.test', ownerId: owner.id },
  ];
  const records = new Map<string, string>();
  for (const p of people) {
    const record = await store.records.create(aRecord(p.ownerId, { name: p.name, email: p.email }));
    records.set(p.name, record.id);
  }
  const connect = (name: string, sequenceId = sequence.id) =>
    store.enrollments.create({
      id: testId('enr'),
      sequenceId,
      sequenceVersion: 1,
      recordId: records.get(name) ?? '',
      ownerId: people.find((p) => p.name === name)?.ownerId ?? '',
      currentStepId: 's1',
      dueAt: T0,
      state: {},
      startedAt: T0,
      exclusivity: 'sequence',
    });
  const adaFirst = await connect('Ada Lovelace');
  await store.enrollments.end(adaFirst.id, {
    status: 'disconnected',
    endReason: 'user_disconnected',
    endedAt: T0 + 1,
  });
  const enrollments = new Map<string, string[]>([['Ada Lovelace', [adaFirst.id]]]);
  for (const p of people) {
    const e = await connect(p.name);
    enrollments.set(p.name, [...(enrollments.get(p.name) ?? []), e.id]);
  }
  const grace = enrollments.get('Grace Hopper')?.[0] ?? '';
  await store.enrollments.end(grace, { status: 'completed', endReason: 'completed', endedAt: T0 + 2 });
  // Grace in another sequence too: never listed here.
  await connect('Grace Hopper', elsewhere.id);
  /** Enrollment ids in creation order (ids sort in creation order). */
  const ids = [...enrollments.values()].flat().sort();
  const nameOf = new Map([...enrollments].flatMap(([name, list]) => list.map((id) => [id, name] as const)));
  return { owner, other, sequence, ids, nameOf };
}

forEachDialect('sequence enrollments: search and order', (t) => {
  const list = (sequenceId: string, options: EnrollmentListOptions) =>
    allPages((cursor) => t.store().enrollments.listBySequence(sequenceId, { ...options, limit: 2, cursor }));

  it('finds records by a case-insensitive part of the name or email, with the status and owner filters', async () => {
    const world = await connectedWorld(t.store());
    const names = async (options: EnrollmentListOptions) =>
      (await list(world.sequence.id, options)).items.map((e) => world.nameOf.get(e.id));

    // "ad" is in Ada's name and email and in adam's; Ada's ended enrollment is found too. By status, then id.
    expect(await names({ q: 'AD' })).toEqual(['Ada Lovelace', 'adam Smith', 'Ada Lovelace']);
    expect(await names({ q: 'liskov@MIT' })).toEqual(['Barbara Liskov']);
    expect(await names({ q: 'navy.test', status: 'completed' })).toEqual(['Grace Hopper']);
    expect(await names({ q: 'navy.test', status: 'active' })).toEqual([]);
    // LIKE's own characters are text: "%" finds only the name holding one, "_" none.
    expect(await names({ q: '100%' })).toEqual(['100% Margaret']);
    expect(await names({ q: '_' })).toEqual([]);
    expect(await names({ q: 'nobody' })).toEqual([]);
    // A seller's own records only: Alan is the other owner's.
    expect(await names({ q: 'turing', ownerId: world.owner.id })).toEqual([]);
    expect(await names({ q: 'turing', ownerId: world.other.id })).toEqual(['Alan Turing']);
    expect(await names({ q: 'a', ownerId: world.other.id, sort: 'name' })).toEqual(['Alan Turing']);
  });

  it('lists newest connected first and by record name, across statuses, page by page', async () => {
    const world = await connectedWorld(t.store());
    const ids = async (options: EnrollmentListOptions) =>
      (await list(world.sequence.id, options)).items.map((e) => e.id);

    expect(await ids({ sort: 'newest' })).toEqual([...world.ids].reverse());
    const active = (await t.store().enrollments.listBySequence(world.sequence.id, { status: 'active' }))
      .items;
    expect(await ids({ sort: 'newest', status: 'active' })).toEqual(active.map((e) => e.id).reverse());
    expect(await ids({ sort: 'newest', q: 'LOVELACE' })).toEqual(
      world.ids.filter((id) => world.nameOf.get(id) === 'Ada Lovelace').reverse(),
    );

    // Byte order of the name (as the records list: capitals before small letters), then connection order.
    const byName = (await list(world.sequence.id, { sort: 'name' })).items;
    expect(byName.map((e) => world.nameOf.get(e.id))).toEqual([
      '100% Margaret',
      'Ada Lovelace',
      'Ada Lovelace',
      'Alan Turing',
      'Barbara Liskov',
      'Grace Hopper',
      'adam Smith',
    ]);
    expect(byName[1]?.status).toBe('disconnected');
    expect(byName[2]?.status).toBe('active');
    expect(await ids({ sort: 'name', ownerId: world.owner.id, status: 'active', q: 'a' })).toEqual(
      ['100% Margaret', 'Ada Lovelace', 'Barbara Liskov', 'adam Smith'].map(
        (name) => world.ids.filter((id) => world.nameOf.get(id) === name).at(-1) ?? '',
      ),
    );

    // `status`, spelled out, is the order without one.
    expect(await ids({ sort: 'status' })).toEqual(await ids({}));
  });

  it('refuses a cursor of another search or order (invalid_cursor); the plain cursor names the sequence', async () => {
    const world = await connectedWorld(t.store());
    const page = (options: EnrollmentListOptions) =>
      t.store().enrollments.listBySequence(world.sequence.id, { limit: 1, ...options });
    const cursorOf = async (options: EnrollmentListOptions) => {
      const { nextCursor } = await page(options);
      expect(nextCursor).not.toBeNull();
      return nextCursor ?? '';
    };
    const plain = await cursorOf({});
    const searched = await cursorOf({ q: 'a' });
    const newest = await cursorOf({ sort: 'newest' });
    const byName = await cursorOf({ sort: 'name' });
    const refused = [
      [{ q: 'a' }, plain],
      [{ sort: 'name' }, plain],
      [{}, searched],
      [{ q: 'ad' }, searched],
      [{ q: 'a', sort: 'name' }, searched],
      [{}, newest],
      [{ q: 'a', sort: 'newest' }, newest],
      [{ sort: 'newest' }, byName],
      [{}, byName],
    ] as const;
    for (const [options, cursor] of refused) {
      await expect(page({ ...options, cursor }), JSON.stringify(options)).rejects.toMatchObject({
        code: 'invalid_cursor',
      });
    }
    // Each cursor goes on with its own list; the plain one is the list of this sequence, by [status, id].
    expect((await page({ cursor: plain })).items).toHaveLength(1);
    expect(JSON.parse(Buffer.from(plain, 'base64url').toString())).toEqual([
      `sequence-enrollments:${world.sequence.id}`,
      'active',
      expect.any(String),
    ]);
    expect((await page({ q: 'a', cursor: searched })).items).toHaveLength(1);
    expect((await page({ sort: 'newest', cursor: newest })).items).toHaveLength(1);
    expect((await page({ sort: 'name', cursor: byName })).items).toHaveLength(1);
    // A name no record can have (over 500 characters) is no cursor of this list; 500 emoji is a name.
    const nameCursor = (name: string) =>
      Buffer.from(
        JSON.stringify([`sequence-enrollments-name:${world.sequence.id}`, name, 'enr_0000000000']),
      ).toString('base64url');
    await expect(page({ sort: 'name', cursor: nameCursor('x'.repeat(501)) })).rejects.toMatchObject({
      code: 'invalid_cursor',
    });
    await expect(page({ sort: 'name', cursor: nameCursor('\u{1F600}'.repeat(500)) })).resolves.toMatchObject({
      items: [],
    });
    expect((await page({ sort: 'name', cursor: nameCursor('x'.repeat(500)) })).items).toEqual([]);
  });
});
