import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import type { Store } from '../engine/ports/store.js';
import { openStore } from '../storage/open-store.js';
import { type App, buildServer } from './server.js';

describe('HTTP server', () => {
  let store: Store;
  let app: App;

  beforeAll(async () => {
    const databaseUrl = join(mkdtempSync(join(tmpdir(), 'stepwise-api-')), 'stepwise.db');
    store = await openStore(databaseUrl);
    app = await buildServer({
      config: loadConfig({ DATABASE_URL: databaseUrl }),
      store,
      logger: pino({ level: 'silent' }),
      webRoot: join(tmpdir(), 'no-such-web-build'),
    });
  });

  afterAll(async () => {
    await app.close();
    await store.close();
  });

  it('answers /healthz and /readyz', async () => {
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('answers an unknown route with a problem+json 404', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/nothing-here?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 404, code: 'not_found', type: '/problems/not-found' });
  });

  it('publishes an OpenAPI 3.1 document and the browsable reference', async () => {
    const document = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(document.statusCode).toBe(200);
    expect(document.json()).toMatchObject({ openapi: '3.1.0', info: { title: 'Stepwise API' } });
    expect(Object.keys(document.json().paths)).toContain('/healthz');
    const docs = await app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
  });

  it('says the web app is not built when there is no build', async () => {
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Stepwise is running');
  });

  it('answers 503 not_ready when the database is gone', async () => {
    const databaseUrl = join(mkdtempSync(join(tmpdir(), 'stepwise-api-')), 'gone.db');
    const closed = await openStore(databaseUrl);
    const lonely = await buildServer({
      config: loadConfig({}),
      store: closed,
      logger: pino({ level: 'silent' }),
    });
    await closed.close();
    const ready = await lonely.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ code: 'not_ready' });
    await lonely.close();
  });
});
