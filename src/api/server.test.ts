import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { SystemClock } from '../engine/clock.js';
import { DEFAULT_ENGINE_SETTINGS } from '../engine/deps.js';
import { RandomIds } from '../engine/ids.js';
import { openStore } from '../storage/open-store.js';
import { buildServer } from './server.js';
import { type Harness, startHarness } from './test-support/api-harness.js';

describe('HTTP server', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  it('answers /healthz and /readyz', async () => {
    const health = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('answers an unknown route with a problem+json 404', async () => {
    const response = await h.app.inject({ method: 'GET', url: '/api/nothing-here?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 404, code: 'not_found', type: '/problems/not-found' });
  });

  it('publishes an OpenAPI 3.1 document and the browsable reference', async () => {
    const document = await h.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(document.statusCode).toBe(200);
    expect(document.json()).toMatchObject({ openapi: '3.1.0', info: { title: 'Stepwise API' } });
    expect(Object.keys(document.json().paths)).toContain('/healthz');
    const docs = await h.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
  });

  it('says the web app is not built when there is no build', async () => {
    const page = await h.app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Stepwise is running');
  });

  it('answers bodies that are not JSON, unknown fields and missing ones with 400 bad_request naming the field', async () => {
    const notJson = await h.as('admin', {
      method: 'POST',
      url: '/api/records',
      headers: { 'content-type': 'application/json' },
      payload: '{"type": "lead",',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json()).toMatchObject({ code: 'bad_request' });
    const unknown = await h.as('admin', {
      method: 'POST',
      url: '/api/records',
      payload: { type: 'lead', name: 'Ada', colour: 'blue' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({
      code: 'bad_request',
      errors: [{ code: 'bad_shape', path: '/colour', message: expect.stringContaining('"colour"') }],
    });
    // Deep in a list, and a field's name that needs escaping in a JSON Pointer.
    const nested = await h.as('admin', {
      method: 'POST',
      url: '/api/signals',
      payload: {
        signals: [
          { type: 'email_opened', recordId: 'rec_x' },
          { type: 'email_opened', 'a/b~c': 1 },
        ],
      },
    });
    expect(nested.statusCode).toBe(400);
    expect(nested.json().errors).toEqual([expect.objectContaining({ path: '/signals/1/a~1b~0c' })]);
    const notOneOf = await h.as('admin', { method: 'GET', url: '/api/worklist?when=someday' });
    expect(notOneOf.statusCode).toBe(400);
    expect(notOneOf.json().errors).toEqual([
      { code: 'bad_shape', path: '/querystring/when', message: expect.stringContaining('"overdue"') },
    ]);
    const missing = await h.as('admin', { method: 'POST', url: '/api/records', payload: { type: 'lead' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors).toEqual([
      { code: 'bad_shape', path: '/name', message: expect.stringContaining('"name"') },
    ]);
  });

  it('never coerces a body’s JSON types: a string for a list or a number for a string is 400 naming the field', async () => {
    const created = await h.as('admin', {
      method: 'POST',
      url: '/api/sequences',
      payload: { name: 'Strict bodies', entityType: 'lead' },
    });
    expect(created.statusCode).toBe(201);
    const sequenceId = created.json().id as string;
    const cases: { url: string; payload: unknown; path: string }[] = [
      { url: `/api/sequences/${sequenceId}/enrollments`, payload: { recordIds: 'x' }, path: '/recordIds' },
      { url: '/api/records/bulk', payload: { records: 'x' }, path: '/records' },
      { url: `/api/sequences/${sequenceId}/clone`, payload: { name: 5 }, path: '/name' },
      {
        url: `/api/sequences/${sequenceId}/activate`,
        payload: { versionDescription: 42 },
        path: '/versionDescription',
      },
      { url: '/api/records', payload: { type: 'lead', name: 5 }, path: '/name' },
    ];
    for (const { url, payload, path } of cases) {
      const response = await h.as('admin', { method: 'POST', url, payload: payload as object });
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json(), url).toMatchObject({
        code: 'bad_request',
        errors: expect.arrayContaining([expect.objectContaining({ code: 'bad_shape', path })]),
      });
    }
    // Nothing was created or changed by the refused requests.
    const after = await h.as('admin', { method: 'GET', url: `/api/sequences/${sequenceId}` });
    expect(after.json()).toMatchObject({ status: 'inactive', name: 'Strict bodies' });
  });

  it('still reads query strings and path parameters, which arrive as text', async () => {
    const page = await h.as('admin', { method: 'GET', url: '/api/records?type=lead&limit=1' });
    expect(page.statusCode).toBe(200);
    expect(page.json()).toMatchObject({ items: expect.any(Array) });
    const ten = await h.as('admin', { method: 'GET', url: '/api/sequences?limit=10' });
    expect(ten.statusCode).toBe(200);
    const notANumber = await h.as('admin', { method: 'GET', url: '/api/records?limit=ten' });
    expect(notANumber.statusCode).toBe(400);
    expect(notANumber.json().errors).toEqual([expect.objectContaining({ path: '/querystring/limit' })]);
  });

  it('answers what Fastify itself refuses (a URL that does not decode, a body that is not JSON) as problem+json 400', async () => {
    const badUrl = await h.as('admin', { method: 'GET', url: '/api/records/%00%ff' });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.headers['content-type']).toContain('application/problem+json');
    expect(badUrl.json()).toMatchObject({ status: 400, code: 'bad_request', errors: [{ code: 'bad_url' }] });

    const xml = await h.as('admin', {
      method: 'POST',
      url: '/api/records',
      headers: { 'content-type': 'application/xml' },
      payload: '<record><type>lead</type><name>Ada</name></record>',
    });
    expect(xml.statusCode).toBe(400);
    expect(xml.headers['content-type']).toContain('application/problem+json');
    expect(xml.json()).toMatchObject({
      status: 400,
      code: 'bad_request',
      errors: [{ code: 'unsupported_media_type', path: '' }],
    });

    const empty = await h.as('admin', {
      method: 'POST',
      url: '/api/records',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.headers['content-type']).toContain('application/problem+json');
    expect(empty.json()).toMatchObject({ code: 'bad_request' });

    const proto = await h.as('admin', {
      method: 'POST',
      url: '/api/records',
      headers: { 'content-type': 'application/json' },
      payload: '{"type": "lead", "name": "Ada", "__proto__": {"admin": true}}',
    });
    expect(proto.statusCode).toBe(400);
    expect(proto.json()).toMatchObject({ code: 'bad_request' });
  });

  it("reads a JSON body only as application/json: text/plain (fetch's default for a string) or no Content-Type says so", async () => {
    const json = '{"type":"lead","name":"Ada"}';
    for (const headers of [{ 'content-type': 'text/plain;charset=UTF-8' }, {}]) {
      const answer = await h.as('admin', { method: 'POST', url: '/api/records', headers, payload: json });
      expect(answer.statusCode, answer.body).toBe(400);
      expect(answer.json()).toMatchObject({
        code: 'bad_request',
        detail: 'The body must be JSON, sent with Content-Type: application/json.',
        errors: [
          { code: 'unsupported_media_type', path: '', message: expect.stringContaining('application/json') },
        ],
      });
    }
    const form = await h.as('admin', {
      method: 'POST',
      url: '/api/records',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'type=lead&name=Ada',
    });
    expect(form.json()).toMatchObject({ errors: [{ code: 'unsupported_media_type' }] });
    expect((await h.deps.store.records.list({ limit: 10 })).items).toEqual([]);

    // A route without a JSON body still takes a POST without one, or an empty text/plain one (fetch's
    // `body: ''`), and a route that reads another type still reads it.
    for (const request of [
      {},
      { headers: { 'content-type': 'text/plain;charset=UTF-8' }, payload: '' },
      { headers: { 'content-type': 'text/plain' }, payload: 'ignored' },
    ]) {
      const revise = await h.as('admin', {
        method: 'POST',
        url: '/api/sequences/seq_none/revise',
        ...request,
      });
      expect(revise.statusCode, revise.body).toBe(404);
    }
    const csv = await h.as('admin', {
      method: 'POST',
      url: '/api/records/import?type=lead',
      headers: { 'content-type': 'text/csv' },
      payload: 'name\nFrom CSV\n',
    });
    expect(csv.json()).toMatchObject({ created: 1, errors: [] });
    const mail = await h.as('admin', {
      method: 'POST',
      url: '/api/inbound-email',
      headers: { 'content-type': 'text/plain' },
      payload: 'not a message',
    });
    expect(mail.json()).toMatchObject({ errors: [{ code: 'not_a_message' }] });
  });

  it('answers a request the HTTP parser refuses with problem+json 400', async () => {
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.app.server.address() as AddressInfo;
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'),
      );
      let answer = '';
      socket.on('data', (chunk) => {
        answer += chunk.toString();
      });
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain('Content-Type: application/problem+json');
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({
      status: 400,
      code: 'bad_request',
    });
  });

  it('answers 500 with a problem naming only the request id', async () => {
    // A store that fails like a broken disk: the answer must not leak the failure.
    const store = h.deps.store;
    const broken = {
      ...h.deps,
      store: {
        ...store,
        records: { ...store.records, list: () => Promise.reject(new Error('disk on fire at /var/db')) },
      },
    };
    const app = await buildServer({
      config: loadConfig({}),
      engine: broken,
      logger: pino({ level: 'silent' }),
    });
    const response = await app.inject({
      method: 'GET',
      url: '/api/records',
      headers: { authorization: `Bearer ${h.tokens.admin}` },
    });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('disk on fire');
    expect(response.json()).toMatchObject({ status: 500, code: 'internal' });
    expect(response.json().detail).toMatch(/request [0-9a-f-]{36}\b/);
    await app.close();
  });

  it('answers 503 not_ready when the database is gone', async () => {
    const databaseUrl = join(mkdtempSync(join(tmpdir(), 'stepwise-api-')), 'gone.db');
    const closed = await openStore(databaseUrl);
    const clock = new SystemClock();
    const lonely = await buildServer({
      config: loadConfig({}),
      engine: { store: closed, clock, ids: new RandomIds(clock), settings: DEFAULT_ENGINE_SETTINGS },
      logger: pino({ level: 'silent' }),
    });
    await closed.close();
    const ready = await lonely.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ code: 'not_ready' });
    await lonely.close();
  });

  it('serves the built web app, with index.html for client-side routes', async () => {
    const webRoot = mkdtempSync(join(tmpdir(), 'stepwise-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Stepwise app</title>');
    mkdirSync(join(webRoot, 'assets'));
    writeFileSync(join(webRoot, 'assets', 'app.js'), 'console.log(1)');
    const app = await buildServer({
      config: loadConfig({}),
      engine: h.deps,
      logger: pino({ level: 'silent' }),
      webRoot,
    });
    for (const url of ['/', '/sequences/seq_123', '/records/lead?q=x']) {
      const page = await app.inject({ method: 'GET', url });
      expect(page.statusCode, url).toBe(200);
      expect(page.body).toContain('Stepwise app');
    }
    const asset = await app.inject({ method: 'GET', url: '/assets/app.js' });
    expect(asset.body).toBe('console.log(1)');
    // A missing asset is a 404, never the app's index.html served where a script or style was asked for.
    for (const url of ['/assets/nope.js', '/assets/app.js.map', '/assets/', '/assets/a/b.css?v=1']) {
      const missing = await app.inject({ method: 'GET', url });
      expect(missing.statusCode, url).toBe(404);
      expect(missing.headers['content-type'], url).toContain('application/problem+json');
    }
    const api = await app.inject({ method: 'GET', url: '/api/no-such-thing' });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toContain('application/problem+json');
    const post = await app.inject({ method: 'POST', url: '/sequences/seq_123' });
    expect(post.statusCode).toBe(404);
    await app.close();
  });

  it('answers an empty id (a trailing slash) with 404 not_found, before asking for credentials', async () => {
    for (const url of [
      '/api/records/',
      '/api/sequences/',
      '/api/email-templates/',
      '/api/records//up-next',
      '/api/sequences//stats',
    ]) {
      for (const who of ['admin', 'anonymous'] as const) {
        const response = await h.as(who, { method: 'GET', url });
        expect(response.statusCode, `${who} ${url}`).toBe(404);
        expect(response.json(), url).toMatchObject({ code: 'not_found' });
      }
    }
    const write = await h.as('admin', { method: 'DELETE', url: '/api/records/' });
    expect(write.statusCode).toBe(404);
  });

  it('sends the security headers on pages, the API, the reference, tracking and unsubscribe', async () => {
    const webRoot = mkdtempSync(join(tmpdir(), 'stepwise-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Stepwise app</title>');
    const answers = async (publicUrl: string) => {
      const app = await buildServer({
        config: loadConfig({ STEPWISE_PUBLIC_URL: publicUrl }),
        engine: h.deps,
        logger: pino({ level: 'silent' }),
        webRoot,
      });
      const urls = [
        '/',
        '/sign-in',
        '/api/records',
        '/api/nope',
        '/api/docs/',
        '/u/forged',
        '/t/c/forged',
        '/t/o/x',
      ];
      const headers = new Map<string, Record<string, unknown>>();
      for (const url of urls) headers.set(url, (await app.inject({ method: 'GET', url })).headers);
      await app.close();
      return headers;
    };

    for (const [url, headers] of await answers('http://localhost:3000')) {
      const csp = String(headers['content-security-policy']);
      expect(csp, url).toContain("default-src 'self'");
      expect(csp, url).toContain("script-src 'self';");
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).toContain("object-src 'none'");
      expect(csp, url).not.toContain('upgrade-insecure-requests');
      expect(headers['x-frame-options'], url).toBe('DENY');
      expect(headers['x-content-type-options'], url).toBe('nosniff');
      expect(headers['referrer-policy'], url).toBe('no-referrer');
      expect(headers['strict-transport-security'], url).toBeUndefined();
    }
    for (const [url, headers] of await answers('https://stepwise.example.com')) {
      expect(headers['strict-transport-security'], url).toBe('max-age=31536000; includeSubDomains');
      expect(String(headers['content-security-policy']), url).toContain('upgrade-insecure-requests');
    }
  });
});
