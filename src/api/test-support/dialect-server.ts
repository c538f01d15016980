// A server over a forEachDialect test's store (SQLite and PostgreSQL alike), on a manual clock, for API
// tests that must run on both dialects; closed after each test.
import { pino } from 'pino';
import { afterEach } from 'vitest';
import { loadConfig } from '../../config.js';
import { ManualClock } from '../../engine/clock.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineDeps } from '../../engine/deps.js';
import { RandomIds } from '../../engine/ids.js';
import type { DialectTest } from '../../storage/test-support/dialects.js';
import { type App, buildServer } from '../server.js';

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
    config: loadConfig({ DATABASE_URL: ':memory:', STEPWISE_SECRET: 'x'.repeat(32) }),
    engine: deps,
    logger: pino({ level: 'silent' }),
  });
  apps.push(app);
  return { app, deps, clock };
}
