// Records: CRUD, typed custom fields, lists with keyset cursors, inbound matching, on both dialects.
import { expect, it } from 'vitest';
import { type Store, StoreConflictError, StoreValidationError } from '../engine/ports/store.js';
import { forEachDialect } from './test-support/dialects.js';
import { allPages, aRecord, aUser, T0 } from './test-support/fixtures.js';

async function owner(store: Store) {
  return store.users.create(aUser());
}

forEachDialect('records', (t) => {
  it('creates, reads, updates and soft-deletes a record', async () => {
    const user = await owner(t.store());
    const record = await t.store().records.create(
      aRecord(user.id, {
        name: 'Ada',
        email: 'ada@example.com',
        company: 'Engines',
        externalId: 'crm-1',
        fields: { title: 'CTO' },
      }),
    );
    expect(record).toMatchObject({
      type: 'lead',
      name: 'Ada',
      phone: null,
      fields: { title: 'CTO' },
      deletedAt: null,
    });
    expect(await t.store().records.get(record.id)).toEqual(record);

    const updated = await t
      .store()
      .records.update(record.id, { phone: '+1 555', fields: { title: null, tier: 2 } }, T0 + 1);
    expect(updated).toEqual({ ...record, phone: '+1 555', fields: { tier: 2 }, updatedAt: T0 + 1 });

    expect(await t.store().records.softDelete(record.id, T0 + 2)).toBe(true);
    expect(await t.store().records.softDelete(record.id, T0 + 3)).toBe(false);
    expect((await t.store().records.get(record.id))?.deletedAt).toBe(T0 + 2);
    expect(await t.store().records.update(record.id, { name: 'x' }, T0 + 4)).toBeNull();
    expect((await t.store().records.list()).items).toEqual([]);
  });

  it('refuses a PATCH whose merged fields pass the limit, and keeps the record as it was', async () => {
    // 150 fields, then 150 others: each PATCH alone is within the 200 a POST may hold, the merge is not.
    const store = t.store();
    const user = await owner(store);
    const many = (prefix: string, n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, i]));
    const record = await store.records.create(aRecord(user.id, { fields: many('a', 150) }));
    const error = await store.records
      .update(record.id, { name: 'Renamed', fields: many('b', 150) }, T0 + 1)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreValidationError);
    expect((error as StoreValidationError).issues[0]?.code).toBe('too_many_fields');
    // Rolled back as a whole: neither the fields nor the name changed.
    expect(await store.records.get(record.id)).toEqual(record);
    // Up to the limit, and a removal with an addition that stays within it, still merge.
    const fifty = await store.records.update(record.id, { fields: many('b', 50) }, T0 + 2);
    expect(Object.keys(fifty?.fields ?? {})).toHaveLength(200);
    const swapped = await store.records.update(record.id, { fields: { a0: null, c0: 'x' } }, T0 + 3);
    expect(Object.keys(swapped?.fields ?? {})).toHaveLength(200);
    expect(swapped?.fields).toMatchObject({ c0: 'x' });
    expect(swapped?.fields).not.toHaveProperty('a0');
  });

  it('moves the deletion stamp on once per deletion, concurrent ones included', async () => {
    const store = t.store();
    const user = await owner(store);
    const records = await Promise.all([1, 2, 3, 4, 5, 6].map(() => store.records.create(aRecord(user.id))));
    expect(await store.records.deletionStamp()).toBe(0);
    await Promise.all(records.map((r) => store.records.softDelete(r.id, T0 + 1)));
    // Each deletion read the count under the row lock: none wrote what another had written.
    expect(await store.records.deletionStamp()).toBe(records.length);
  });

  it('keeps (type, externalId) unique (external_id_taken) but allows it across types', async () => {
    const user = await owner(t.store());
    await t.store().records.create(aRecord(user.id, { externalId: 'x-1' }));
    await t.store().records.create(aRecord(user.id, { type: 'contact', externalId: 'x-1' }));
    const error = await t
      .store()
      .records.create(aRecord(user.id, { externalId: 'x-1' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreConflictError);
    expect(error).toMatchObject({ reason: 'external_id_taken', constraint: 'records_external_id_key' });
  });

  it("frees a deleted record's externalId for a new record or a PATCH, keeping the deleted record as it was", async () => {
    const user = await owner(t.store());
    const deleted = await t.store().records.create(aRecord(user.id, { externalId: 'x-1' }));
    await t.store().records.softDelete(deleted.id, T0 + 1);
    const created = await t.store().records.create(aRecord(user.id, { externalId: 'x-1' }));
    expect(created.externalId).toBe('x-1');
    await t.store().records.softDelete(created.id, T0 + 2);
    const other = await t.store().records.create(aRecord(user.id));
    expect(await t.store().records.update(other.id, { externalId: 'x-1' }, T0 + 3)).toMatchObject({
      externalId: 'x-1',
    });
    expect(await t.store().records.get(deleted.id)).toMatchObject({ externalId: 'x-1', deletedAt: T0 + 1 });
    // Among live records it stays unique.
    await expect(t.store().records.create(aRecord(user.id, { externalId: 'x-1' }))).rejects.toMatchObject({
      reason: 'external_id_taken',
    });
  });

  it('refuses an owner that does not exist', async () => {
    await expect(t.store().records.create(aRecord('usr_nobody'))).rejects.toMatchObject({
      reason: 'missing_reference',
    });
  });

  it('checks custom fields against their definitions and stores nothing when one is wrong', async () => {
    const user = await owner(t.store());
    await t.store().fieldDefinitions.put({
      entityType: 'lead',
      key: 'score',
      label: 'Score',
      kind: 'number',
      choices: null,
    });
    await t
      .store()
      .fieldDefinitions.put({ entityType: 'lead', key: 'vip', label: 'VIP', kind: 'boolean', choices: null });
    await t.store().fieldDefinitions.put({
      entityType: 'lead',
      key: 'renewal',
      label: 'Renewal',
      kind: 'date',
      choices: null,
    });
    await t.store().fieldDefinitions.put({
      entityType: 'lead',
      key: 'status',
      label: 'Status',
      kind: 'choice',
      choices: ['open', 'disqualified'],
    });

    const good = await t.store().records.create(
      aRecord(user.id, {
        fields: { score: 7, vip: true, renewal: '2026-12-01', status: 'open', free: 'text' },
      }),
    );
    expect(good.fields).toEqual({ score: 7, vip: true, renewal: '2026-12-01', status: 'open', free: 'text' });

    const bad = aRecord(user.id, {
      fields: { score: 'seven', vip: 'yes', renewal: '2026-02-30', status: 'won' },
    });
    const error = await t
      .store()
      .records.create(bad)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreValidationError);
    expect((error as StoreValidationError).issues.map((i) => [i.field, i.code])).toEqual([
      ['score', 'wrong_type'],
      ['vip', 'wrong_type'],
      ['renewal', 'not_a_date'],
      ['status', 'not_a_choice'],
    ]);
    expect(await t.store().records.get(bad.id)).toBeNull();

    const patch = t.store().records.update(good.id, { fields: { score: '8' } }, T0 + 1);
    await expect(patch).rejects.toMatchObject({ code: 'invalid_fields' });
    expect((await t.store().records.get(good.id))?.fields.score).toBe(7);

    const nested = t
      .store()
      .records.create(aRecord(user.id, { fields: { deep: { a: 1 } as unknown as string } }));
    await expect(nested).rejects.toMatchObject({ issues: [{ code: 'not_scalar', field: 'deep' }] });
  });

  it('lists field definitions and deletes one', async () => {
    const text = {
      entityType: 'contact',
      key: 'title',
      label: 'Title',
      kind: 'text',
      choices: null,
    } as const;
    expect(await t.store().fieldDefinitions.put(text)).toEqual(text);
    expect(await t.store().fieldDefinitions.put({ ...text, label: 'Job title' })).toEqual({
      ...text,
      label: 'Job title',
    });
    expect(await t.store().fieldDefinitions.list('contact')).toEqual([{ ...text, label: 'Job title' }]);
    expect(await t.store().fieldDefinitions.list('lead')).toEqual([]);
    expect(await t.store().fieldDefinitions.delete('contact', 'title')).toBe(true);
    expect(await t.store().fieldDefinitions.list()).toEqual([]);
  });

  it('lists by (name, id) with type, owner and text filters, page by page', async () => {
    const a = await owner(t.store());
    const b = await owner(t.store());
    const names = ['Delta', 'alpha', 'Charlie', 'Bravo', 'Echo', 'Bravo'];
    for (const [i, name] of names.entries()) {
      await t.store().records.create(
        aRecord(i % 2 === 0 ? a.id : b.id, {
          name,
          type: i < 4 ? 'lead' : 'contact',
          company: i === 2 ? 'ACME 100%' : null,
        }),
      );
    }
    const all = await allPages((cursor) => t.store().records.list({ limit: 2, cursor }));
    expect(all.items.map((r) => r.name)).toEqual(['Bravo', 'Bravo', 'Charlie', 'Delta', 'Echo', 'alpha']);
    expect(all.pages).toBe(3);

    const leadsOfA = await allPages((cursor) =>
      t.store().records.list({ type: 'lead', ownerId: a.id, limit: 1, cursor }),
    );
    expect(leadsOfA.items.map((r) => r.name)).toEqual(['Charlie', 'Delta']);
    const ofB = await t.store().records.list({ ownerId: b.id });
    expect(ofB.items.map((r) => r.name)).toEqual(['Bravo', 'Bravo', 'alpha']);
    const contacts = await t.store().records.list({ type: 'contact' });
    expect(contacts.items.map((r) => r.name)).toEqual(['Bravo', 'Echo']);

    expect((await t.store().records.list({ q: 'ALP' })).items.map((r) => r.name)).toEqual(['alpha']);
    expect((await t.store().records.list({ q: '100%' })).items.map((r) => r.name)).toEqual(['Charlie']);
    expect((await t.store().records.list({ q: '_' })).items).toEqual([]);
  });

  it('finds live records by email, case-insensitively', async () => {
    const user = await owner(t.store());
    const one = await t.store().records.create(aRecord(user.id, { email: 'Pat@Example.com' }));
    const two = await t
      .store()
      .records.create(aRecord(user.id, { type: 'contact', email: 'pat@example.com' }));
    const gone = await t.store().records.create(aRecord(user.id, { email: 'pat@example.com' }));
    await t.store().records.softDelete(gone.id, T0 + 1);
    const found = await t.store().records.findByEmail('PAT@example.COM');
    expect(found.map((r) => r.id)).toEqual([one.id, two.id]);
    expect(await t.store().records.getMany([one.id, two.id])).toHaveLength(2);
  });

  it('finds records by an address with non-ASCII letters, folding only ASCII ones (as SQL lower does)', async () => {
    const user = await owner(t.store());
    const arla = await t.store().records.create(aRecord(user.id, { email: 'Ärla.X@x.test' }));
    for (const address of ['Ärla.X@x.test', 'ÄRLA.x@X.TEST', ' Ärla.x@x.test '])
      expect((await t.store().records.findByEmail(address)).map((r) => r.id)).toEqual([arla.id]);
    expect(await t.store().records.findByEmail('ärla.x@x.test')).toEqual([]);
  });
});
