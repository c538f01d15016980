// A database another process holds locked for longer than the store waits (SQLite: another connection
// holding the write lock past busy_timeout; PostgreSQL: a table lock past lock_timeout): a write answers
// 503 database_busy with Retry-After, not a 500, changes nothing, and the same request succeeds once the
// lock is gone.
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { ManualClock } from '../engine/clock.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineDeps } from '../engine/deps.js';
import { RandomIds } from '../engine/ids.js';
import { aUser } from '../engine/test-support/engine-world.js';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { holdWriteLock, impatientStore } from '../storage/test-support/locks.js';
import { createApiToken } from './auth/api-tokens.js';
import { BUSY_RETRY_AFTER_SECONDS } from './problem.js';
import { type App, buildServer } from './server.js';

const WAIT_MS = 300;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

forEachDialect('database busy', (t) => {
  it('a write that meets a lock held past the wait answers 503 database_busy, and a retry succeeds', async () => {
    const store = await impatientStore(t, WAIT_MS);
    cleanups.push(() => store.close());
    const clock = new ManualClock('2026-11-23T09:00:00Z');
    const deps: EngineDeps = { store, clock, ids: new RandomIds(clock), settings: DEFAULT_ENGINE_SETTINGS };
    const app: App = await buildServer({
      config: loadConfig({ DATABASE_URL: ':memory:', STEPWISE_SECRET: 'x'.repeat(32) }),
      engine: deps,
      logger: pino({ level: 'silent' }),
    });
    cleanups.push(() => app.close());
    const admin = await aUser(store, 'admin');
    const { token } = await createApiToken(deps, admin.id, 'tests');
    const create = () =>
      app.inject({
        method: 'POST',
        url: '/api/records',
        headers: { authorization: `Bearer ${token}` },
        payload: { type: 'lead', name: 'Locked out', externalId: 'busy-1' },
      });

    const lock = await holdWriteLock(t, 'records');
    try {
      const busy = await create();
      expect(busy.statusCode).toBe(503);
      expect(busy.headers['content-type']).toContain('application/problem+json');
      expect(busy.headers['retry-after']).toBe(String(BUSY_RETRY_AFTER_SECONDS));
      expect(busy.json()).toMatchObject({ status: 503, code: 'database_busy' });
    } finally {
      await lock.release();
    }

    const retried = await create();
    expect(retried.statusCode).toBe(201);
    const records = await store.records.list({ limit: 10 });
    expect(records.items.map((record) => record.externalId)).toEqual(['busy-1']);
  });
});
