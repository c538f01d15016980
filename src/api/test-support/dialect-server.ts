// A server over a forEachDialect test's store (SQLite and PostgreSQL alike), on a manual clock, for API
// tests that must run on both dialects; closed after each test.
import { pino } from 'pino';
import { afterEach } from 'vitest';
import { loadConfig } from '../../config.js';
import { ManualClock } from '../../engine/clock.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineDeps } from '../../engine/deps.js';
import { RandomIds } from '../../engine/ids.js';
import { aUser } from '../../engine/test-support/engine-world.js';
import type { DialectTest } from '../../storage/test-support/dialects.js';
import { createApiToken } from '../auth/api-tokens.js';
import { type App, buildServer } from '../server.js';

/** STEPWISE_SECRET of these servers: tests sign tracking and unsubscribe tokens with it. */
export const DIALECT_SERVER_SECRET = 'x'.repeat(32);

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

export async function startDialectServer(
  t: DialectTest,
): Promise<{ app: App; deps: EngineDeps; clock: ManualClock }> {
  const clock = new ManualClock('2026-11-23T09:00:00Z');
  const deps: EngineDeps = {
    store: t.store(),
    clock,
    ids: new RandomIds(clock),
    settings: DEFAULT_ENGINE_SETTINGS,
  };
  const app = await buildServer({
    config: loadConfig({ DATABASE_URL: ':memory:', STEPWISE_SECRET: DIALECT_SERVER_SECRET }),
    engine: deps,
    logger: pino({ level: 'silent' }),
  });
  apps.push(app);
  return { app, deps, clock };
}

/**
 * A server as above and `call`, which sends requests as an administrator with an API token; the body
 * is sent as given (a string stays a string: a CSV, or JSON text that must not be re-encoded).
 */
export async function startDialectServerAsAdmin(t: DialectTest) {
  const { app, deps, clock } = await startDialectServer(t);
  const admin = await aUser(deps.store, 'admin');
  const { token } = await createApiToken(deps, admin.id, 'tests');
  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
    contentType?: string,
  ) =>
    app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${token}`,
        ...(contentType === undefined ? {} : { 'content-type': contentType }),
      },
      ...(payload === undefined ? {} : { payload: payload as string }),
    });
  return { app, deps, clock, call };
}
