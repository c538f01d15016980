import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './test-support/api-harness.js';

describe('records', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    await h.deps.store.fieldDefinitions.put({
      entityType: 'lead',
      key: 'employees',
      label: 'Employees',
      kind: 'number',
      choices: null,
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it('creates a record owned by the caller unless a manager names another owner', async () => {
    const own = await h.as('salesperson', {
      method: 'POST',
      url: '/api/records',
      payload: { type: 'lead', name: 'Ada', email: 'ada@example.com' },
    });
    expect(own.statusCode).toBe(201);
    expect(own.json()).toMatchObject({
      type: 'lead',
      name: 'Ada',
      ownerId: h.users.salesperson.id,
      fields: {},
    });
    const assigned = await h.as('sales_manager', {
      method: 'POST',
      url: '/api/records',
      payload: { type: 'contact', name: 'Bob', ownerId: h.users.seller2.id },
    });
    expect(assigned.json()).toMatchObject({ ownerId: h.users.seller2.id });
    const grab = await h.as('salesperson', {
      method: 'POST',
      url: '/api/records',
      payload: { type: 'lead', name: 'Eve', ownerId: h.users.seller2.id },
    });
    expect(grab.statusCode).toBe(403);
    const badZone = await h.as('admin', {
      method: 'POST',
      url: '/api/records',
      payload: { type: 'lead', name: 'Zed', timezone: 'Mars/Olympus' },
    });
    expect(badZone.statusCode).toBe(400);
    expect(badZone.json()).toMatchObject({
      code: 'bad_request',
      errors: [{ code: 'invalid_timezone', path: '/timezone' }],
    });
    const noOwner = await h.as('admin', {
      method: 'POST',
      url: '/api/records',
      payload: { type: 'lead', name: 'Zed', ownerId: 'usr_nobody' },
    });
    expect(noOwner.statusCode).toBe(400);
    const badField = await h.as('admin', {
      method: 'POST',
      url: '/api/records',
      payload: { type: 'lead', name: 'Zed', fields: { employees: 'many' } },
    });
    expect(badField.statusCode).toBe(422);
    expect(badField.json()).toMatchObject({ code: 'validation_failed' });
  });

  it('says on one record whether its address is suppressed, and why and since when', async () => {
    const created = await h.as('salesperson', {
      method: 'POST',
      url: '/api/records',
      payload: { type: 'lead', name: 'Una', email: 'Una@Example.com' },
    });
    const id = created.json().id as string;
    const noEmail = await h.as('salesperson', {
      method: 'POST',
      url: '/api/records',
      payload: { type: 'lead', name: 'Noel' },
    });
    const before = await h.as('salesperson', { method: 'GET', url: `/api/records/${id}` });
    expect(before.json()).toMatchObject({ id, emailSuppressed: null });
    const signal = await h.as('admin', {
      method: 'POST',
      url: '/api/signals',
      payload: { signals: [{ type: 'email_unsubscribed', recordId: id }] },
    });
    expect(signal.statusCode).toBe(200);
    const after = await h.as('salesperson', { method: 'GET', url: `/api/records/${id}` });
    expect(after.json().emailSuppressed).toEqual({ reason: 'unsubscribed', at: '2026-11-23T09:00:00.000Z' });
    const withoutEmail = await h.as('salesperson', {
      method: 'GET',
      url: `/api/records/${noEmail.json().id}`,
    });
    expect(withoutEmail.json().emailSuppressed).toBeNull();
    // The lists stay one query per page: the field is the record page's, not theirs.
    const list = await h.as('salesperson', { method: 'GET', url: '/api/records?type=lead&limit=200' });
    expect(list.json().items.find((r: { id: string }) => r.id === id)).not.toHaveProperty('emailSuppressed');
  });

  it("keeps a seller to their own records: another seller's record is 404", async () => {
    const theirs = (
      await h.as('seller2', {
        method: 'POST',
        url: '/api/records',
        payload: { type: 'lead', name: 'Secret lead' },
      })
    ).json();
    for (const request of [
      { method: 'GET' as const, url: `/api/records/${theirs.id}` },
      { method: 'PATCH' as const, url: `/api/records/${theirs.id}`, payload: { name: 'Mine now' } },
      { method: 'DELETE' as const, url: `/api/records/${theirs.id}` },
    ]) {
      const response = await h.as('salesperson', request);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: 'not_found' });
    }
    const list = (await h.as('salesperson', { method: 'GET', url: '/api/records?limit=200' })).json();
    expect(list.items.every((r: { ownerId: string }) => r.ownerId === h.users.salesperson.id)).toBe(true);
    expect(
      (await h.as('salesperson', { method: 'GET', url: `/api/records?ownerId=${h.users.seller2.id}` }))
        .statusCode,
    ).toBe(403);
    expect(
      (await h.as('sales_manager', { method: 'GET', url: `/api/records/${theirs.id}` })).statusCode,
    ).toBe(200);
  });

  it('patches, merges fields, and deletes', async () => {
    const record = (
      await h.as('salesperson', {
        method: 'POST',
        url: '/api/records',
        payload: { type: 'lead', name: 'Cy', fields: { title: 'CTO', city: 'Lyon' } },
      })
    ).json();
    const patched = await h.as('salesperson', {
      method: 'PATCH',
      url: `/api/records/${record.id}`,
      payload: { company: 'Acme', fields: { city: null, employees: 40 } },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ company: 'Acme', fields: { title: 'CTO', employees: 40 } });
    expect(patched.json().fields).not.toHaveProperty('city');
    const cleared = await h.as('salesperson', {
      method: 'PATCH',
      url: `/api/records/${record.id}`,
      payload: { company: null },
    });
    expect(cleared.json()).toMatchObject({ company: null });
    expect(
      (await h.as('salesperson', { method: 'DELETE', url: `/api/records/${record.id}` })).statusCode,
    ).toBe(204);
    expect((await h.as('salesperson', { method: 'GET', url: `/api/records/${record.id}` })).statusCode).toBe(
      404,
    );
  });

  it('pages lists with a cursor and caps the limit', async () => {
    for (let i = 0; i < 5; i++)
      await h.as('seller2', {
        method: 'POST',
        url: '/api/records',
        payload: { type: 'account', name: `Pager ${i}` },
      });
    const first = (
      await h.as('seller2', { method: 'GET', url: '/api/records?type=account&q=pager&limit=2' })
    ).json();
    expect(first.items).toHaveLength(2);
    const second = (
      await h.as('seller2', {
        method: 'GET',
        url: `/api/records?type=account&q=pager&limit=2&cursor=${first.nextCursor}`,
      })
    ).json();
    expect(second.items.map((r: { name: string }) => r.name)).toEqual(['Pager 2', 'Pager 3']);
    expect((await h.as('seller2', { method: 'GET', url: '/api/records?limit=100000' })).statusCode).toBe(200);
    const forged = await h.as('seller2', { method: 'GET', url: '/api/records?cursor=not-a-cursor' });
    expect(forged.statusCode).toBe(400);
    expect(forged.json()).toMatchObject({ code: 'bad_request' });
  });

  it('reads a query parameter sent empty as one not sent, as api.md writes `?type=&ownerId=&q=&limit=&cursor=`', async () => {
    for (const name of ['Blank A', 'Blank B', 'Blank C'])
      await h.as('seller2', { method: 'POST', url: '/api/records', payload: { type: 'opportunity', name } });
    const names = (response: { json(): { items: { name: string }[] } }) =>
      response.json().items.map((r) => r.name);
    const plain = await h.as('seller2', { method: 'GET', url: '/api/records?q=blank' });
    expect(names(plain)).toEqual(['Blank A', 'Blank B', 'Blank C']);
    // Every parameter of the contract's line given, the unused ones empty: a seller's own records, not a
    // 400 for the type or a 403 for the owner.
    const blanks = await h.as('seller2', {
      method: 'GET',
      url: '/api/records?type=&ownerId=&q=blank&limit=&cursor=',
    });
    expect(blanks.statusCode).toBe(200);
    expect(names(blanks)).toEqual(names(plain));
    // A manager's empty ownerId is every owner, not nobody.
    const managed = await h.as('sales_manager', { method: 'GET', url: '/api/records?ownerId=&q=blank' });
    expect(names(managed)).toEqual(names(plain));
    // The other lists alike; a value given twice, once empty, is the one given.
    for (const url of [
      '/api/worklist?when=&ownerId=&limit=&cursor=',
      '/api/sequences?status=&q=&tag=',
      '/api/email-templates?entityType=',
      '/api/records?type=&type=opportunity&q=blank',
    ])
      expect((await h.as('seller2', { method: 'GET', url })).statusCode, url).toBe(200);
    // A value that is given and wrong is still a 400.
    expect((await h.as('seller2', { method: 'GET', url: '/api/records?type=person' })).statusCode).toBe(400);
  });

  it('upserts in bulk by externalId, reporting each bad row by index', async () => {
    const first = await h.as('admin', {
      method: 'POST',
      url: '/api/records/bulk',
      payload: {
        records: [
          { type: 'lead', name: 'Dana', externalId: 'crm-1', ownerId: h.users.salesperson.id },
          { type: 'lead', name: 'Eli', externalId: 'crm-2', timezone: 'Nowhere/Land' },
          { type: 'lead', name: 'Fay', externalId: 'crm-3', ownerId: 'usr_missing' },
          { type: 'lead', name: 'Gus' },
        ],
      },
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      created: 2,
      updated: 0,
      errors: [
        { index: 1, code: 'invalid_timezone' },
        { index: 2, code: 'owner_not_found' },
      ],
    });
    const again = await h.as('admin', {
      method: 'POST',
      url: '/api/records/bulk',
      payload: { records: [{ type: 'lead', name: 'Dana Updated', externalId: 'crm-1', company: 'Initech' }] },
    });
    expect(again.json()).toMatchObject({ created: 0, updated: 1, errors: [] });
    const id = again.json().items[0].id;
    expect(id).toBe(first.json().items[0].id);
    // A row without ownerId belongs to the caller, on update as on create.
    expect((await h.as('admin', { method: 'GET', url: `/api/records/${id}` })).json()).toMatchObject({
      name: 'Dana Updated',
      company: 'Initech',
      email: null,
    });
  });

  it('imports CSV: known columns, custom fields, owners by email, and each bad row with its row and line', async () => {
    const text = [
      'Name,Email,Company,External ID,Owner Email,employees,Title',
      'Hana,hana@example.com,Globex,csv-1,salesperson@example.com,120,VP Sales',
      ',nameless@example.com,Globex,csv-2,,,',
      '"Ivo, Jr.",ivo@example.com,"Multi',
      'line Inc",csv-3,,7,',
      'Jo,jo@example.com,Hooli,csv-4,nobody@example.com,3,',
      'Kim,kim@example.com,Hooli',
      'Lu,lu@example.com,Hooli,csv-5,,lots,',
    ].join('\n');
    const response = await h.as('admin', {
      method: 'POST',
      url: '/api/records/import?type=lead',
      headers: { 'content-type': 'text/csv' },
      payload: text,
    });
    expect(response.statusCode).toBe(200);
    const answer = response.json();
    expect(answer).toMatchObject({ created: 2, updated: 0 });
    expect(answer.errors).toEqual([
      expect.objectContaining({ index: 1, row: 2, line: 3, code: 'name_required' }),
      expect.objectContaining({ index: 3, row: 4, line: 6, code: 'owner_not_found' }),
      expect.objectContaining({ index: 4, row: 5, line: 7, code: 'column_count' }),
      expect.objectContaining({ index: 5, row: 6, line: 8, code: 'invalid_fields' }),
    ]);
    const hana = (await h.as('admin', { method: 'GET', url: '/api/records?q=hana' })).json().items[0];
    expect(hana).toMatchObject({
      name: 'Hana',
      company: 'Globex',
      externalId: 'csv-1',
      ownerId: h.users.salesperson.id,
      fields: { employees: 120, Title: 'VP Sales' },
    });
    const ivo = (await h.as('admin', { method: 'GET', url: '/api/records?q=ivo' })).json().items[0];
    expect(ivo).toMatchObject({ name: 'Ivo, Jr.', company: 'Multi\nline Inc', ownerId: h.users.admin.id });
  });

  it('refuses CSV that is not CSV or has no name column with 400', async () => {
    const unclosed = await h.as('admin', {
      method: 'POST',
      url: '/api/records/import',
      headers: { 'content-type': 'text/csv' },
      payload: 'name\n"open',
    });
    expect(unclosed.statusCode).toBe(400);
    expect(unclosed.json()).toMatchObject({ code: 'bad_request', errors: [{ code: 'invalid_csv' }] });
    const nameless = await h.as('admin', {
      method: 'POST',
      url: '/api/records/import',
      headers: { 'content-type': 'text/csv' },
      payload: 'email\na@b.c',
    });
    expect(nameless.statusCode).toBe(400);
  });
});
