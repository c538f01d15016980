// Input that one store took and the other answered with a 500 (a black-box run of the audits on
// PostgreSQL found them): text with a NUL character or a lone UTF-16 surrogate, and a forged cursor whose
// number is out of range. Both stores now give the same 400, at the door (nul-characters.ts, storage/cursor.ts).
import { expect, it } from 'vitest';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { startDialectServerAsAdmin } from './test-support/dialect-server.js';

const startServer = startDialectServerAsAdmin;

function expectNul(response: { statusCode: number; json(): unknown }, path: string) {
  expect(response.statusCode).toBe(400);
  expect(response.json()).toMatchObject({
    code: 'bad_request',
    errors: [{ code: 'nul_character', path }],
  });
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

forEachDialect('input edges', (t) => {
  it('answers a `__proto__` key in any JSON body with 400 forbidden_field_name, not "not JSON"', async () => {
    const { call } = await startServer(t);
    const hook = await call(
      'POST',
      '/api/webhooks',
      '{"url":"https://example.com/hook","events":["*"],"__proto__":{"admin":true}}',
      'application/json',
    );
    expect(hook.statusCode).toBe(400);
    expect(hook.json()).toMatchObject({ errors: [{ code: 'forbidden_field_name', path: '/__proto__' }] });
    // Text that is not JSON is still that.
    const broken = await call('POST', '/api/webhooks', '{"url":', 'application/json');
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).not.toMatchObject({ errors: [{ code: 'forbidden_field_name' }] });
  });

  it('refuses text with a NUL character in a body, a field key, a query string, a path or a CSV: 400, nothing stored', async () => {
    const { deps, call } = await startServer(t);
    expectNul(await call('POST', '/api/records', { type: 'lead', name: 'Ada\u0000' }), '/name');
    expectNul(
      await call('POST', '/api/records', { type: 'lead', name: 'Ada', fields: { 'ti/t\u0000le': 'x' } }),
      '/fields/ti~1t\u0000le',
    );
    expectNul(
      await call('POST', '/api/signals', { signals: [{ id: 'a\u0000', type: 'email_opened' }] }),
      '/signals/0/id',
    );
    expectNul(await call('GET', '/api/records?q=a%00b'), '/querystring/q');
    expectNul(await call('GET', '/api/records/rec_%00'), '/params/id');
    // A CSV (or bulk) row with a NUL is that row's error; the other rows go in (records-import.test.ts).
    const csv = await call(
      'POST',
      '/api/records/import?type=lead',
      'name,email\nAda\u0000,ada@example.org\n',
      'text/csv',
    );
    expect(csv.statusCode).toBe(200);
    expect(csv.json()).toMatchObject({ created: 0, errors: [{ index: 0, code: 'nul_character', line: 2 }] });
    expectNul(
      await call('POST', '/api/auth/login', { email: 'a\u0000@example.org', password: 'x' }),
      '/email',
    );
    expect((await deps.store.records.list({ limit: 10 })).items).toEqual([]);

    // The six characters `\u0000` as text are not a NUL.
    const text = await call('POST', '/api/records', { type: 'lead', name: 'Ada \\u0000' });
    expect(text.statusCode, text.body).toBe(201);
    expect(text.json()).toMatchObject({ name: 'Ada \\u0000' });
  });

  it('refuses a lone UTF-16 surrogate in any JSON body, value or key, at any depth: 400 invalid_unicode, nothing stored', async () => {
    const { deps, call } = await startServer(t);
    const expectLone = (response: { statusCode: number; json(): unknown; body: string }, path: string) => {
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toMatchObject({
        code: 'bad_request',
        errors: [{ code: 'invalid_unicode', path }],
      });
    };
    // As JSON carries them: the escape alone (light-my-request's JSON.stringify writes a lone one so too).
    expectLone(
      await call('POST', '/api/records', '{"type":"lead","name":"A\\ud800"}', 'application/json'),
      '/name',
    );
    expectLone(
      await call('POST', '/api/records', { type: 'lead', name: 'Ada', fields: { '\udfff end': 1 } }),
      '/fields/\udfff end',
    );
    expectLone(
      await call('POST', '/api/records', { type: 'lead', name: 'Ada', fields: { title: 'x\ud83d' } }),
      '/fields/title',
    );
    const record = await call('POST', '/api/records', { type: 'lead', name: 'Ada' });
    expect(record.statusCode, record.body).toBe(201);
    const id: string = record.json().id;
    expectLone(await call('PATCH', `/api/records/${id}`, { company: '\udc00Acme' }), '/company');
    expectLone(
      await call('POST', '/api/signals', {
        signals: [{ type: 'email_opened', recordId: id, data: { list: [{ '\ud800': 1 }] } }],
      }),
      '/signals/0/data/list/0/\ud800',
    );
    expectLone(await call('POST', '/api/sequences', { name: 'Seq \ud800', entityType: 'lead' }), '/name');
    expectLone(
      await call('POST', '/api/sequences', {
        name: 'Seq',
        entityType: 'lead',
        definition: { start: 'c1', steps: [{ id: 'c1', type: 'phone_call', name: 'Call \udbff' }] },
      }),
      '/definition/steps/0/name',
    );
    const stored = (await deps.store.records.list({ limit: 10 })).items;
    expect(stored.map((r) => [r.name, r.company, r.fields])).toEqual([['Ada', null, {}]]);
    expect((await deps.store.sequences.list({ limit: 10 })).items).toEqual([]);

    // A pair is one character (an emoji), and `\ud800` as six characters of text is text.
    const pair = await call(
      'POST',
      '/api/records',
      '{"type":"lead","name":"\\ud83d\\ude00 \\\\ud800"}',
      'application/json',
    );
    expect(pair.statusCode, pair.body).toBe(201);
    expect(pair.json()).toMatchObject({ name: '\u{1F600} \\ud800' });

    // Percent-encoded, a surrogate is not UTF-8: a path parameter is a 400 bad_url, a query string stays the
    // text sent (a search finds nothing), and a cursor holding one is not one a list handed out.
    const param = await call('GET', '/api/records/%ED%A0%80');
    expect(param.statusCode).toBe(400);
    expect(param.json()).toMatchObject({ code: 'bad_request', errors: [{ code: 'bad_url' }] });
    const search = await call('GET', '/api/records?q=%ED%A0%80');
    expect(search.statusCode, search.body).toBe(200);
    expect(search.json()).toMatchObject({ items: [] });
    const cursor = await call('GET', `/api/records?cursor=${base64url(['A\ud800', id])}`);
    expect(cursor.statusCode, cursor.body).toBe(400);
    expect(cursor.json()).toMatchObject({ errors: [{ code: 'invalid_cursor' }] });
  });

  it('refuses a cursor of the users list that it did not hand out, and walks it with the ones it did', async () => {
    const { call } = await startServer(t);
    for (const email of ['b@example.org', 'c@example.org']) {
      const user = await call('POST', '/api/users', { email, name: email, role: 'salesperson' });
      expect(user.statusCode, user.body).toBe(201);
    }
    for (const forged of ['WyJ4Il0', base64url([1, 'x']), 'not-base64-json']) {
      const answer = await call('GET', `/api/users?cursor=${forged}`);
      expect(answer.statusCode, `${forged}: ${answer.body}`).toBe(400);
      expect(answer.json()).toMatchObject({ code: 'bad_request', errors: [{ code: 'invalid_cursor' }] });
    }
    const emails: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call('GET', `/api/users?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(page.statusCode, page.body).toBe(200);
      emails.push(...page.json().items.map((u: { email: string }) => u.email));
      cursor = page.json().nextCursor;
    } while (cursor !== null);
    expect(emails).toHaveLength(3);
    expect(emails).toEqual([...emails].sort());
    expect(emails).toEqual(expect.arrayContaining(['b@example.org', 'c@example.org']));
  });

  it('refuses a forged cursor whose number no list hands out (out of range, not an integer): 400', async () => {
    const { call } = await startServer(t);
    // A work list's cursor names the list and its owner, then the key: (due time, history row id).
    const list = `worklist:${(await call('GET', '/api/users/me')).json().id}`;
    for (const dueAt of [1e20, 1.5]) {
      const answer = await call(
        'GET',
        `/api/worklist?when=all&cursor=${base64url([list, dueAt, 'enr_x.0001'])}`,
      );
      expect(answer.statusCode, answer.body).toBe(400);
      expect(answer.json()).toMatchObject({ code: 'bad_request', errors: [{ code: 'invalid_cursor' }] });
    }
    const fine = await call(
      'GET',
      `/api/worklist?when=all&cursor=${base64url([list, Date.UTC(2026, 10, 23), 'enr_x.0001'])}`,
    );
    expect(fine.statusCode, fine.body).toBe(200);
  });

  it('refuses a forged cursor whose text holds a NUL character, on every list: 400', async () => {
    const { call } = await startServer(t);
    const forged = base64url(['a\u0000', 'rec_\u0000']);
    for (const url of [
      '/api/records',
      '/api/sequences',
      '/api/users',
      '/api/users/me/tokens',
      '/api/outbox',
    ]) {
      const answer = await call('GET', `${url}?cursor=${forged}`);
      expect(answer.statusCode, `${url}: ${answer.body}`).toBe(400);
      expect(answer.json()).toMatchObject({ code: 'bad_request' });
    }
  });
});
