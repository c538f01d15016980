// Input that one store took and the other answered with a 500 (a black-box run of the audits on
// PostgreSQL found them): text with a NUL character, and a forged cursor whose number is out of range.
// Both stores now give the same 400, at the door (nul-characters.ts, storage/cursor.ts).
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

  it('refuses a forged cursor whose number no list hands out (out of range, not an integer): 400', async () => {
    const { call } = await startServer(t);
    for (const key of [
      [1e20, 'x'],
      [1.5, 'x'],
    ]) {
      const answer = await call('GET', `/api/worklist?when=all&cursor=${base64url(key)}`);
      expect(answer.statusCode, answer.body).toBe(400);
      expect(answer.json()).toMatchObject({ code: 'bad_request' });
    }
    const fine = await call(
      'GET',
      `/api/worklist?when=all&cursor=${base64url([Date.UTC(2026, 10, 23), 'x'])}`,
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
