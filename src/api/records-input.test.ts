// What records take in, on both stores (a black-box audit's findings): the CSV's encoding, a deleted
// record's externalId, a NUL in one row of many, the API's limits on CSV rows, forbidden field names,
// blank names and empty field keys.
import { expect, it } from 'vitest';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { startDialectServerAsAdmin } from './test-support/dialect-server.js';

const startServer = startDialectServerAsAdmin;
type Server = Awaited<ReturnType<typeof startServer>>;

const importCsv = (call: Server['call'], body: string | Buffer, contentType = 'text/csv') =>
  call('POST', '/api/records/import?type=lead', body, contentType);

async function names(deps: Server['deps']): Promise<string[]> {
  return (await deps.store.records.list({ limit: 200 })).items.map((r) => r.name).sort();
}

forEachDialect('records input', (t) => {
  it('reads a CSV in its declared charset, or by its byte order mark, and stores no replacement character', async () => {
    const { deps, call } = await startServer(t);
    const latin1 = Buffer.from('name,company\nJos\xe9,Caf\xe9 S.A.\n', 'latin1');
    for (const charset of ['iso-8859-1', 'latin1', 'ISO-8859-1', '"windows-1252"']) {
      const answer = await importCsv(call, latin1, `text/csv; charset=${charset}`);
      expect(answer.statusCode, answer.body).toBe(200);
      expect(answer.json()).toMatchObject({ created: 1, errors: [] });
    }
    const euro = await importCsv(
      call,
      Buffer.from([...Buffer.from('name\nPrice '), 0x80, 0x0a]),
      'text/csv; charset=windows-1252',
    );
    expect(euro.json()).toMatchObject({ created: 1 });
    const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name\nZoë LE\n', 'utf16le')]);
    expect((await importCsv(call, utf16le)).json()).toMatchObject({ created: 1 });
    const utf16be = Buffer.from('name\nZoë BE\n', 'utf16le').swap16();
    const withBom = Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be]);
    expect((await importCsv(call, withBom, 'text/csv; charset=utf-16')).json()).toMatchObject({ created: 1 });
    // A real U+FFFD in UTF-8 is text like any other.
    expect((await importCsv(call, 'name\nOdd \ufffd\n', 'text/csv; charset=utf-8')).json()).toMatchObject({
      created: 1,
    });
    expect(await names(deps)).toEqual([
      'José',
      'José',
      'José',
      'José',
      'Odd \ufffd',
      'Price €',
      'Zoë BE',
      'Zoë LE',
    ]);
    expect((await deps.store.records.list({ limit: 1, q: 'Jos' })).items[0]?.company).toBe('Café S.A.');
  });

  it('refuses a CSV that is not UTF-8 when no charset says otherwise: 400 invalid_encoding with its line, nothing stored', async () => {
    const { deps, call } = await startServer(t);
    const body = Buffer.from('name,company\nAda,Acme\nJos\xe9,Caf\xe9\n', 'latin1');
    for (const contentType of ['text/csv', 'text/csv; charset=utf-8']) {
      const answer = await importCsv(call, body, contentType);
      expect(answer.statusCode, answer.body).toBe(400);
      expect(answer.json()).toMatchObject({
        code: 'bad_request',
        errors: [
          { code: 'invalid_encoding', line: 3, offset: 25, message: expect.stringContaining('charset') },
        ],
      });
    }
    const unknown = await importCsv(call, 'name\nAda\n', 'text/csv; charset=klingon');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ errors: [{ code: 'unsupported_charset' }] });
    // An unpaired surrogate is not UTF-16.
    const broken = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('name\nA', 'utf16le'),
      Buffer.from([0x00, 0xd8]),
    ]);
    expect((await importCsv(call, broken)).json()).toMatchObject({ errors: [{ code: 'invalid_encoding' }] });
    expect(await names(deps)).toEqual([]);
  });

  it("frees a deleted record's externalId: a new record, a PATCH and an upsert take it; the deleted record stays as it was", async () => {
    const { deps, call } = await startServer(t);
    const create = (externalId: string, name: string) =>
      call('POST', '/api/records', { type: 'lead', name, externalId, company: `${name} Co` });
    const first = (await create('B6', 'First')).json();
    expect((await call('DELETE', `/api/records/${first.id}`)).statusCode).toBe(204);

    const second = await create('B6', 'Second');
    expect(second.statusCode, second.body).toBe(201);
    expect((await call('DELETE', `/api/records/${second.json().id}`)).statusCode).toBe(204);

    const third = (await create('B7', 'Third')).json();
    const patched = await call('PATCH', `/api/records/${third.id}`, { externalId: 'B6' });
    expect(patched.statusCode, patched.body).toBe(200);
    expect((await call('PATCH', `/api/records/${third.id}`, { externalId: 'B7' })).statusCode).toBe(200);

    const bulk = await call('POST', '/api/records/bulk', {
      records: [{ type: 'lead', name: 'Bulk', externalId: 'B6' }],
    });
    expect(bulk.json()).toMatchObject({ created: 1, updated: 0, errors: [] });
    const bulkId = bulk.json().items[0].id;
    expect([first.id, second.json().id, third.id]).not.toContain(bulkId);
    // The live one is now matched, and a live externalId is still taken.
    expect(
      (
        await call('POST', '/api/records/bulk', {
          records: [{ type: 'lead', name: 'Bulk 2', externalId: 'B6' }],
        })
      ).json(),
    ).toMatchObject({ updated: 1, items: [{ id: bulkId, outcome: 'updated' }] });
    expect((await create('B6', 'Taken')).statusCode).toBe(409);
    expect((await call('DELETE', `/api/records/${bulkId}`)).statusCode).toBe(204);
    const csv = await importCsv(call, 'name,externalId\nFrom CSV,B6\n');
    expect(csv.json()).toMatchObject({ created: 1, updated: 0 });

    expect((await call('GET', `/api/records/${first.id}`)).statusCode).toBe(404);
    expect(await deps.store.records.get(first.id)).toMatchObject({
      name: 'First',
      company: 'First Co',
      externalId: 'B6',
      deletedAt: expect.any(Number),
    });
    expect(await names(deps)).toEqual(['From CSV', 'Third']);
  });

  it('reports a bulk or CSV row with a NUL character in `errors` and imports the others', async () => {
    const { deps, call } = await startServer(t);
    const bulk = await call('POST', '/api/records/bulk', {
      records: [
        { type: 'lead', name: 'Bulk one' },
        { type: 'lead', name: 'nul\u0000', externalId: 'N1' },
        { type: 'lead', name: 'Bulk two', externalId: 'N\u00002' },
        { type: 'lead', name: 'Bulk three', fields: { 'k\u0000': 1 } },
        { type: 'lead', name: 'Bulk four' },
      ],
    });
    expect(bulk.statusCode, bulk.body).toBe(200);
    expect(bulk.json()).toMatchObject({
      created: 2,
      errors: [
        { index: 1, code: 'nul_character', message: expect.stringContaining('/name') },
        { index: 2, code: 'nul_character', message: expect.stringContaining('/externalId') },
        { index: 3, code: 'nul_character' },
      ],
    });
    const csv = await importCsv(
      call,
      'name,email,ownerEmail,title\nCsv one,,,\nNul\u0000,,,\nCsv two,a\u0000@x.test,,\nCsv three,,o\u0000@x.test,\nCsv four,,,t\u0000\nCsv five,,,\n',
    );
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.json()).toMatchObject({
      created: 2,
      errors: [
        { index: 1, row: 2, line: 3, code: 'nul_character', message: expect.stringContaining('"name"') },
        { index: 2, row: 3, line: 4, code: 'nul_character', message: expect.stringContaining('"email"') },
        {
          index: 3,
          row: 4,
          line: 5,
          code: 'nul_character',
          message: expect.stringContaining('"ownerEmail"'),
        },
        { index: 4, row: 5, line: 6, code: 'nul_character', message: expect.stringContaining('"title"') },
      ],
    });
    const header = await importCsv(call, 'name,ti\u0000tle\nA,b\n');
    expect(header.statusCode).toBe(400);
    expect(header.json()).toMatchObject({ errors: [{ code: 'nul_character', line: 1 }] });
    // Other routes still refuse a NUL at the door.
    expect((await call('POST', '/api/records', { type: 'lead', name: 'Ada\u0000' })).statusCode).toBe(400);
    expect(await names(deps)).toEqual(['Bulk four', 'Bulk one', 'Csv five', 'Csv one']);
  });

  it('reports a bulk or CSV row that would merge a record past 200 custom fields as too_many_fields, and writes the others', async () => {
    const { deps, call } = await startServer(t);
    const stored = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`a${i}`, i]));
    const created = await call('POST', '/api/records', {
      type: 'lead',
      name: 'Full',
      externalId: 'X1',
      fields: stored,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = (created.json() as { id: string }).id;
    const more = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`b${i}`, i]));
    const bulk = await call('POST', '/api/records/bulk', {
      records: [
        { type: 'lead', name: 'Full again', externalId: 'X1', fields: more },
        { type: 'lead', name: 'Bulk other', externalId: 'X2', fields: more },
      ],
    });
    expect(bulk.statusCode, bulk.body).toBe(200);
    expect(bulk.json()).toMatchObject({
      created: 1,
      updated: 0,
      errors: [{ index: 0, code: 'too_many_fields', message: expect.stringContaining('200') }],
      items: [{ index: 1, outcome: 'created' }],
    });
    const header = ['name', 'externalId', ...Object.keys(more)].join(',');
    const cells = Object.values(more).join(',');
    const csv = await importCsv(call, `${header}\nCsv full,X1,${cells}\nCsv other,X3,${cells}\n`);
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.json()).toMatchObject({
      created: 1,
      updated: 0,
      errors: [{ index: 0, row: 1, line: 2, code: 'too_many_fields' }],
    });
    const record = await deps.store.records.get(id);
    expect(record).toMatchObject({ name: 'Full', fields: stored });
    expect(Object.keys(record?.fields ?? {})).toHaveLength(150);
    expect(await names(deps)).toEqual(['Bulk other', 'Csv other', 'Full']);
  });

  it('reports a bulk row with a lone UTF-16 surrogate in `errors`, imports the others, and pages through them all', async () => {
    const { deps, call } = await startServer(t);
    const bulk = await call('POST', '/api/records/bulk', {
      records: [
        { type: 'lead', name: 'A\ud800' },
        { type: 'lead', name: 'A\ufffd' },
        { type: 'lead', name: 'A\ud800 b' },
        { type: 'lead', name: 'A\u00e9', fields: { '\udfff end': 1 } },
        { type: 'lead', name: 'A\u00e9', fields: { emoji: '\ud83d\ude00' } },
        { type: 'lead', name: 'B', externalId: 'x\ud83d' },
        { type: 'lead', name: 'C' },
      ],
    });
    expect(bulk.statusCode, bulk.body).toBe(200);
    expect(bulk.json()).toMatchObject({
      created: 3,
      errors: [
        { index: 0, code: 'invalid_unicode', message: expect.stringContaining('/name') },
        { index: 2, code: 'invalid_unicode', message: expect.stringContaining('/name') },
        { index: 3, code: 'invalid_unicode', message: expect.stringContaining('/fields/\udfff end') },
        { index: 5, code: 'invalid_unicode', message: expect.stringContaining('/externalId') },
      ],
    });
    // SQLite kept a lone surrogate's CESU-8 bytes, read back as three U+FFFD: a cursor after such a name
    // sorted after the rows between them, and a page of one skipped "A\ufffd" and "A\ud800 b".
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call('GET', `/api/records?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(page.statusCode, page.body).toBe(200);
      walked.push(...page.json().items.map((r: { name: string }) => r.name));
      cursor = page.json().nextCursor;
    } while (cursor !== null);
    expect(walked).toEqual(['A\u00e9', 'A\ufffd', 'C']);
    expect(await names(deps)).toEqual(['A\u00e9', 'A\ufffd', 'C']);
  });

  it('names an unknown field of a bulk row as not allowed, as an unknown field of a body is', async () => {
    const { call } = await startServer(t);
    const bulk = await call('POST', '/api/records/bulk', {
      records: [{ type: 'lead', name: 'Ada', foo: 1 }, { name: 'No type' }, { type: 'lead', name: 'Bo' }],
    });
    expect(bulk.statusCode, bulk.body).toBe(200);
    expect(bulk.json()).toMatchObject({
      created: 1,
      errors: [
        {
          index: 0,
          code: 'bad_shape',
          message: 'The row is not a record at /foo: is not a field of a record (unknown field "foo").',
        },
        {
          index: 1,
          code: 'bad_shape',
          message: 'The row is not a record at /type: is required (missing field "type").',
        },
      ],
    });
    const single = await call('POST', '/api/records', { type: 'lead', name: 'Ada', foo: 1 });
    expect(single.json()).toMatchObject({
      errors: [{ path: '/foo', message: 'is not a field of this request (unknown field "foo")' }],
    });
  });

  it('holds CSV rows to the limits of POST /api/records, row by row, and a file to the row cap of a bulk upsert', async () => {
    const { deps, call } = await startServer(t);
    const answer = await importCsv(
      call,
      [
        'Name,Email,note',
        'Fine,fine@x.test,ok',
        `${'x'.repeat(501)},,`,
        `Long email,${'e'.repeat(400)}@x.test,`,
        `Long note,,${'n'.repeat(10_001)}`,
        `${'y'.repeat(500)},,`,
      ].join('\n'),
    );
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json()).toMatchObject({
      created: 2,
      errors: [
        { index: 1, row: 2, line: 3, code: 'bad_shape', message: expect.stringContaining('"Name"') },
        { index: 2, row: 3, line: 4, code: 'bad_shape', message: expect.stringContaining('"Email"') },
        { index: 3, row: 4, line: 5, code: 'bad_shape', message: expect.stringContaining('"note"') },
      ],
    });
    const rows = Array.from({ length: 10_001 }, (_, i) => `Row ${i}`);
    const tooMany = await importCsv(call, `name\n${rows.join('\n')}\n`);
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()).toMatchObject({ code: 'bad_request', errors: [{ code: 'too_many_rows' }] });
    expect(await names(deps)).toEqual(['Fine', 'y'.repeat(500)]);
  });

  it('refuses a `__proto__` field name with 400 forbidden_field_name, in JSON and in a CSV header', async () => {
    const { deps, call } = await startServer(t);
    const json = (method: 'POST' | 'PATCH', url: string, text: string) =>
      call(method, url, text, 'application/json');
    const expectForbidden = (response: { statusCode: number; json(): unknown }, path: string) => {
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        code: 'bad_request',
        errors: [{ code: 'forbidden_field_name', path }],
      });
    };
    expectForbidden(
      await json('POST', '/api/records', '{"type":"lead","name":"P","fields":{"__proto__":{"x":1}}}'),
      '/fields/__proto__',
    );
    expectForbidden(
      await json(
        'POST',
        '/api/records/bulk',
        '{"records":[{"type":"lead","name":"P","fields":{"__proto__":1}}]}',
      ),
      '/records/0/fields/__proto__',
    );
    expectForbidden(
      await json(
        'POST',
        '/api/records',
        '{"type":"lead","name":"P","fields":{"constructor":{"prototype":1}}}',
      ),
      '/fields/constructor/prototype',
    );
    const record = (await call('POST', '/api/records', { type: 'lead', name: 'P' })).json();
    expectForbidden(
      await json('PATCH', `/api/records/${record.id}`, '{"__proto__":{"name":"Q"}}'),
      '/__proto__',
    );
    // Text that is not JSON is still "not JSON".
    expect((await json('POST', '/api/records', '{"type":')).json()).toMatchObject({
      errors: [{ code: 'invalid_json' }],
    });

    const csv = await importCsv(call, 'name,__proto__\nProtoRow,p\n');
    expect(csv.statusCode).toBe(400);
    expect(csv.json()).toMatchObject({ errors: [{ code: 'forbidden_field_name', line: 1 }] });
    const ctorColumn = await importCsv(call, 'name,constructor\nCtorRow,c\n');
    expect(ctorColumn.json()).toMatchObject({ created: 1 });
    expect((await deps.store.records.list({ limit: 10, q: 'CtorRow' })).items[0]?.fields).toEqual({
      constructor: 'c',
    });
    expect(await names(deps)).toEqual(['CtorRow', 'P']);
  });

  it('refuses a blank name and an empty, too long or unchecked custom field key with 400, as a bulk row error too', async () => {
    const { deps, call } = await startServer(t);
    const refused = async (
      payload: unknown,
      path: string,
      method: 'POST' | 'PATCH' = 'POST',
      url = '/api/records',
    ) => {
      const response = await call(method, url, payload);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toMatchObject({ code: 'bad_request' });
      expect(response.json().errors[0]).toMatchObject({
        code: 'bad_shape',
        path: expect.stringContaining(path),
      });
    };
    await refused({ type: 'lead', name: '   ' }, '/name');
    await refused({ type: 'lead', name: 'Ok', fields: { '': 1 } }, '/fields');
    await refused({ type: 'lead', name: 'Ok', fields: { ['k'.repeat(101)]: 1 } }, '/fields');
    // A key with a line break is checked like any other: a list is not a field value.
    await refused({ type: 'lead', name: 'Ok', fields: { 'a\nb': [1] } }, '/fields');
    const record = (await call('POST', '/api/records', { type: 'lead', name: 'Kept' })).json();
    await refused({ name: ' \t ' }, '/name', 'PATCH', `/api/records/${record.id}`);
    await refused({ fields: { '': 'x' } }, '/fields', 'PATCH', `/api/records/${record.id}`);
    const bulk = await call('POST', '/api/records/bulk', {
      records: [
        { type: 'lead', name: '  ' },
        { type: 'lead', name: 'Ok', fields: { '': 1 } },
        { type: 'lead', name: 'Bulk' },
      ],
    });
    expect(bulk.json()).toMatchObject({
      created: 1,
      errors: [
        { index: 0, code: 'bad_shape' },
        { index: 1, code: 'bad_shape' },
      ],
    });
    expect(await names(deps)).toEqual(['Bulk', 'Kept']);
  });

  it("refuses an address a mail server would refuse, in every way in: 400 invalid_email, or the row's error", async () => {
    const { deps, call } = await startServer(t);
    const refused = async (method: 'POST' | 'PATCH', url: string, payload: unknown) => {
      const response = await call(method, url, payload);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().errors).toEqual([
        {
          code: 'invalid_email',
          path: '/email',
          message: expect.stringContaining('is not an email address'),
        },
      ]);
    };
    await refused('POST', '/api/records', { type: 'lead', name: 'Bad', email: 'not-an-email' });
    await refused('POST', '/api/records', { type: 'lead', name: 'Bad', email: 'ada@localhost' });
    await refused('POST', '/api/records', { type: 'lead', name: 'Bad', email: 'ada lovelace@example.com' });
    // Found by an audit: taken (201), then refused by the mail server at RCPT TO (501).
    await refused('POST', '/api/records', {
      type: 'lead',
      name: 'Bad',
      email: '<img/src=x/onerror=alert(1)>@x.co',
    });
    await refused('POST', '/api/records', {
      type: 'lead',
      name: 'Bad',
      email: '"<svg/onload=alert(1)>"@x.co',
    });
    await refused('POST', '/api/records', { type: 'lead', name: 'Bad', email: 'ada..lovelace@example.com' });
    // Non-ASCII letters are taken, as SMTPUTF8 servers do.
    expect(
      (await call('POST', '/api/records', { type: 'lead', name: 'Ölaf', email: 'ölaf@bücher.example' }))
        .statusCode,
    ).toBe(201);
    const kept = (
      await call('POST', '/api/records', { type: 'lead', name: 'Kept', email: ' ada@example.com ' })
    ).json();
    await refused('PATCH', `/api/records/${kept.id}`, { email: 'ada@' });
    // Blank or null is no address, as before.
    expect(
      (await call('POST', '/api/records', { type: 'lead', name: 'No address', email: null })).statusCode,
    ).toBe(201);
    expect((await call('PATCH', `/api/records/${kept.id}`, { email: '' })).statusCode).toBe(200);
    const bulk = await call('POST', '/api/records/bulk', {
      records: [
        { type: 'lead', name: 'Bulk bad', email: 'bulk@bad' },
        { type: 'lead', name: 'Bulk', email: 'bulk@example.org' },
        { type: 'lead', name: 'Bulk quoted', email: '"<svg/onload=alert(1)>"@x.co' },
      ],
    });
    expect(bulk.json()).toMatchObject({
      created: 1,
      errors: [
        { index: 0, code: 'invalid_email' },
        { index: 2, code: 'invalid_email' },
      ],
    });
    const csv = await importCsv(call, 'name,email\nCsv bad,csv.example.org\nCsv,csv@example.org\n');
    expect(csv.json()).toMatchObject({
      created: 1,
      errors: [{ index: 0, code: 'invalid_email', message: expect.stringContaining('"email" cell') }],
    });
    expect(await names(deps)).toEqual(['Bulk', 'Csv', 'Kept', 'No address', 'Ölaf']);
    // Stored without the spaces around it (a reply's sender is looked up by it), a blank one as none.
    const padded = (
      await call('POST', '/api/records', { type: 'lead', name: 'Padded', email: ' pad@example.com\n' })
    ).json();
    expect(padded.email).toBe('pad@example.com');
    expect((await call('PATCH', `/api/records/${padded.id}`, { email: '  ' })).json().email).toBeNull();
    await importCsv(call, 'name,email\nCsv padded,"csvpad@example.com "\n');
    const stored = (await deps.store.records.list({ limit: 200 })).items.find((r) => r.name === 'Csv padded');
    expect(stored?.email).toBe('csvpad@example.com');
  });
});
