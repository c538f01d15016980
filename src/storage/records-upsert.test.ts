// Bulk upsert of records by (type, externalId): per-row outcomes, set-based, on both dialects.
import { expect, it } from 'vitest';
import type { RecordUpsert } from '../engine/ports/store.js';
import { forEachDialect } from './test-support/dialects.js';
import { aUser, T0 } from './test-support/fixtures.js';

forEachDialect('records bulk upsert', (t) => {
  it('creates new records, updates known ones and reports bad rows, in input order', async () => {
    const user = await t.store().users.create(aUser());
    await t.store().fieldDefinitions.put({
      entityType: 'lead',
      key: 'score',
      label: 'Score',
      kind: 'number',
      choices: null,
    });
    const existing = await t.store().records.create({
      id: 'rec_existing',
      type: 'lead',
      name: 'Old name',
      email: 'keep@example.com',
      ownerId: user.id,
      externalId: 'crm-1',
      fields: { score: 1, note: 'kept' },
      createdAt: T0,
    });

    const rows: RecordUpsert[] = [
      {
        id: 'rec_a',
        type: 'lead',
        name: 'New name',
        ownerId: user.id,
        externalId: 'crm-1',
        fields: { score: 5 },
      },
      { id: 'rec_b', type: 'lead', name: 'Fresh', ownerId: user.id, externalId: 'crm-2' },
      {
        id: 'rec_c',
        type: 'lead',
        name: 'Bad field',
        ownerId: user.id,
        externalId: 'crm-3',
        fields: { score: 'high' },
      },
      { id: 'rec_d', type: 'lead', name: 'Nobody', ownerId: 'usr_none', externalId: 'crm-4' },
      { id: 'rec_e', type: 'lead', name: 'Repeat', ownerId: user.id, externalId: 'crm-2' },
      { id: 'rec_f', type: 'contact', name: 'Other type', ownerId: user.id, externalId: 'crm-1' },
      { id: 'rec_g', type: 'lead', name: 'No external id', ownerId: user.id },
    ];
    const results = await t.store().records.upsertMany(rows, T0 + 10);
    expect(results).toEqual([
      { index: 0, outcome: 'updated', id: 'rec_existing' },
      { index: 1, outcome: 'created', id: 'rec_b' },
      { index: 2, outcome: 'error', code: 'invalid_fields', message: expect.any(String) },
      { index: 3, outcome: 'error', code: 'owner_not_found', message: expect.any(String) },
      { index: 4, outcome: 'error', code: 'duplicate_external_id', message: expect.any(String) },
      { index: 5, outcome: 'created', id: 'rec_f' },
      { index: 6, outcome: 'created', id: 'rec_g' },
    ]);
    expect(await t.store().records.get('rec_existing')).toEqual({
      ...existing,
      name: 'New name',
      email: 'keep@example.com',
      fields: { score: 5, note: 'kept' },
      updatedAt: T0 + 10,
    });
    expect(await t.store().records.get('rec_c')).toBeNull();
    expect((await t.store().records.get('rec_b'))?.createdAt).toBe(T0 + 10);
  });

  it('matches live records only: a deleted record stays deleted, as it was, and the row creates a new one', async () => {
    const user = await t.store().users.create(aUser());
    const deleted = await t.store().records.create({
      id: 'rec_deleted',
      type: 'lead',
      name: 'Old name',
      email: 'old@example.com',
      ownerId: user.id,
      externalId: 'crm-1',
      fields: { note: 'old' },
      createdAt: T0,
    });
    await t.store().records.softDelete(deleted.id, T0 + 1);
    const owningRow: RecordUpsert = {
      id: 'rec_new',
      type: 'lead',
      name: 'New',
      ownerId: user.id,
      externalId: 'crm-1',
    };
    const keepingRow: RecordUpsert = {
      ...owningRow,
      id: 'rec_other',
      externalId: 'crm-2',
      keepStoredOwner: true,
    };
    await t.store().records.create({ ...keepingRow, id: 'rec_deleted_2', createdAt: T0 });
    await t.store().records.softDelete('rec_deleted_2', T0 + 1);

    expect(await t.store().records.upsertMany([owningRow, keepingRow], T0 + 10)).toEqual([
      { index: 0, outcome: 'created', id: 'rec_new' },
      { index: 1, outcome: 'created', id: 'rec_other' },
    ]);
    expect(await t.store().records.get(deleted.id)).toEqual({
      ...deleted,
      updatedAt: T0 + 1,
      deletedAt: T0 + 1,
    });
    expect(await t.store().records.get('rec_new')).toMatchObject({
      name: 'New',
      externalId: 'crm-1',
      deletedAt: null,
    });
    // The new record is the live one: the next row updates it.
    expect(
      await t.store().records.upsertMany([{ ...owningRow, id: 'rec_x', name: 'Again' }], T0 + 20),
    ).toEqual([{ index: 0, outcome: 'updated', id: 'rec_new' }]);
  });

  it("refuses an update that would merge a record past 200 custom fields, as that row's error, and writes the others", async () => {
    const user = await t.store().users.create(aUser());
    const keys = (prefix: string, count: number, from = 0) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${from + i}`, i]));
    const full = await t.store().records.create({
      id: 'rec_full',
      type: 'lead',
      name: 'Full',
      ownerId: user.id,
      externalId: 'crm-full',
      fields: keys('a', 150),
      createdAt: T0,
    });
    await t.store().records.create({
      id: 'rec_kept',
      type: 'lead',
      name: 'Kept owner',
      ownerId: user.id,
      externalId: 'crm-kept',
      fields: keys('a', 150),
      createdAt: T0,
    });
    for (const externalId of ['crm-edge', 'crm-same']) {
      await t.store().records.create({
        id: `rec_${externalId}`,
        type: 'lead',
        name: externalId,
        ownerId: user.id,
        externalId,
        fields: keys('a', 150),
        createdAt: T0,
      });
    }
    const rows: RecordUpsert[] = [
      // 150 stored + 150 new keys = 300.
      {
        id: 'rec_1',
        type: 'lead',
        name: 'Past',
        ownerId: user.id,
        externalId: 'crm-full',
        fields: keys('b', 150),
      },
      {
        id: 'rec_2',
        type: 'lead',
        name: 'New',
        ownerId: user.id,
        externalId: 'crm-new',
        fields: keys('b', 150),
      },
      // 150 + 50 = 200: at the limit, written.
      {
        id: 'rec_3',
        type: 'lead',
        name: 'Edge',
        ownerId: user.id,
        externalId: 'crm-edge',
        fields: keys('b', 50),
      },
      // 150 sent, 140 of them stored already: 160.
      {
        id: 'rec_4',
        type: 'lead',
        name: 'Same keys',
        ownerId: user.id,
        externalId: 'crm-same',
        fields: { ...keys('a', 140), ...keys('b', 10) },
      },
      // The statement for rows that keep the stored owner: 150 + 51 = 201.
      {
        id: 'rec_5',
        type: 'lead',
        name: 'Kept past',
        ownerId: user.id,
        externalId: 'crm-kept',
        keepStoredOwner: true,
        fields: keys('b', 51),
      },
    ];
    expect(await t.store().records.upsertMany(rows, T0 + 10)).toEqual([
      { index: 0, outcome: 'error', code: 'too_many_fields', message: expect.stringContaining('200') },
      { index: 1, outcome: 'created', id: 'rec_2' },
      { index: 2, outcome: 'updated', id: 'rec_crm-edge' },
      { index: 3, outcome: 'updated', id: 'rec_crm-same' },
      { index: 4, outcome: 'error', code: 'too_many_fields', message: expect.stringContaining('200') },
    ]);
    // The refused rows left their records as they were.
    expect(await t.store().records.get('rec_full')).toEqual(full);
    expect(Object.keys((await t.store().records.get('rec_kept'))?.fields ?? {})).toHaveLength(150);
    expect((await t.store().records.get('rec_kept'))?.name).toBe('Kept owner');
    expect(Object.keys((await t.store().records.get('rec_crm-edge'))?.fields ?? {})).toHaveLength(200);
    expect(Object.keys((await t.store().records.get('rec_crm-same'))?.fields ?? {})).toHaveLength(160);
    // A row that sends no fields, or fields the record already holds, still updates a record at the limit.
    expect(
      await t
        .store()
        .records.upsertMany(
          [{ id: 'rec_6', type: 'lead', name: 'Edge again', ownerId: user.id, externalId: 'crm-edge' }],
          T0 + 20,
        ),
    ).toEqual([{ index: 0, outcome: 'updated', id: 'rec_crm-edge' }]);
    expect(
      await t.store().records.upsertMany(
        [
          {
            id: 'rec_7',
            type: 'lead',
            name: 'Edge b',
            ownerId: user.id,
            externalId: 'crm-edge',
            fields: { b0: 9 },
          },
        ],
        T0 + 30,
      ),
    ).toEqual([{ index: 0, outcome: 'updated', id: 'rec_crm-edge' }]);
    expect((await t.store().records.get('rec_crm-edge'))?.fields.b0).toBe(9);
  });

  it('upserts 10,000 rows in chunks, then updates them all', async () => {
    const user = await t.store().users.create(aUser());
    const rows: RecordUpsert[] = Array.from({ length: 10_000 }, (_, i) => ({
      id: `rec_bulk_${String(i).padStart(5, '0')}`,
      type: 'lead',
      name: `Lead ${i}`,
      email: `lead${i}@example.com`,
      company: 'Bulk Inc',
      ownerId: user.id,
      externalId: `ext-${i}`,
      fields: { rank: i },
    }));
    const started = performance.now();
    const created = await t.store().records.upsertMany(rows, T0);
    const createdMs = performance.now() - started;
    expect(created.filter((r) => r.outcome === 'created')).toHaveLength(10_000);

    const again = performance.now();
    const updated = await t.store().records.upsertMany(
      rows.map((row) => ({ ...row, id: `${row.id}_new`, name: `${row.name}!` })),
      T0 + 1,
    );
    const updatedMs = performance.now() - again;
    expect(updated.every((r, i) => r.outcome === 'updated' && r.id === rows[i]?.id)).toBe(true);
    expect((await t.store().records.get('rec_bulk_09999'))?.name).toBe('Lead 9999!');
    console.info(
      `[${t.dialect}] upsert 10,000 records: create ${createdMs.toFixed(0)} ms, update ${updatedMs.toFixed(0)} ms`,
    );
  });
});
