// The test clock survives a restart (engine/clock.ts `resumeTestClock`, routes/clock.ts): a real `serve` on
// STEPWISE_CLOCK=manual, on both dialects, moved forward, stopped and started again on the same database,
// resumes where the last move left it, so a step due later in test time is still later, and due when
// the clock reaches it. `stepwise worker` refuses the test clock (it would run on real time).
import { afterEach, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { activeSequence, definition, someRecords } from '../engine/test-support/engine-world.js';
import { type DialectTest, forEachDialect } from '../storage/test-support/dialects.js';
import { serve } from './commands/serve.js';
import { run } from './main.js';

const DAY = 86_400_000;
const ADMIN = { email: 'admin@example.com', password: 'a long admin password' };

// Each server is closed by the test; this is for a failed one, before the dialect suite drops the database.
let running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const server of running) await server.close().catch(() => undefined);
  running = [];
});

/** DATABASE_URL for a `serve` on this test's database (on PostgreSQL, the URL names the test's schema). */
function databaseUrl(t: DialectTest): string {
  const db = t.database();
  if (db.dialect === 'sqlite') return db.url;
  const url = new URL(db.url);
  url.searchParams.set('options', `-c search_path=${db.options.schema}`);
  return url.toString();
}

/** A `serve` on the test clock over this test's database, and its API as the administrator. */
async function start(t: DialectTest) {
  const server = await serve(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl(t),
      LOG_LEVEL: 'silent',
      STEPWISE_CLOCK: 'manual',
      STEPWISE_SECRET: 'a-test-secret-of-at-least-32-characters',
      STEPWISE_ADMIN_EMAIL: ADMIN.email,
      STEPWISE_ADMIN_PASSWORD: ADMIN.password,
    }),
  );
  running.push(server);
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  const { token } = (await login.json()) as { token: string };
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const api = async (method: string, path: string, body?: unknown, status = 200) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.status, `${method} ${path}`).toBe(status);
    return response.json() as Promise<Record<string, unknown>>;
  };
  const now = async () => Date.parse(String((await api('GET', '/api/clock')).now));
  const close = async () => {
    running = running.filter((each) => each !== server);
    await server.close();
  };
  return { api, now, close };
}

forEachDialect('test clock across restarts', (t) => {
  it('a restarted serve resumes the test clock where the last move left it, days ahead of real time', async () => {
    let s = await start(t);
    // The server's administrator, read on the test's own store: serve works on this test's database.
    const admin = await t.store().users.getByEmail(ADMIN.email);
    if (admin === null) throw new Error('serve did not create its administrator in the test database');
    const sequenceId = await activeSequence(
      t.store(),
      admin.id,
      definition([
        { id: 'w1', type: 'wait', duration: 'P4D', next: 't1' },
        { id: 't1', type: 'task', name: 'Call' },
      ]),
    );
    const [recordId] = await someRecords(t.store(), admin.id, 1);
    const connected = (await s.api('POST', `/api/sequences/${sequenceId}/enrollments`, {
      recordIds: [recordId],
    })) as { enrolled: { enrollmentId: string }[] };
    const enrollment = `/api/enrollments/${connected.enrolled[0]?.enrollmentId}`;
    // A move of nothing starts the enrollment now: its wait falls due four days on.
    await s.api('POST', '/api/clock', { advance: 'PT0S' });
    const started = await s.now();
    const waiting = await s.api('GET', enrollment);
    expect(waiting.currentStepId).toBe('w1');
    const dueAt = Date.parse(String(waiting.dueAt));
    expect(dueAt - started).toBeGreaterThanOrEqual(4 * DAY);

    expect(await s.api('POST', '/api/clock', { set: new Date(dueAt - DAY).toISOString() })).toMatchObject({
      processed: 0,
    });
    await s.close();
    s = await start(t);
    // Not the real time again: the wait is a day away in test time, as it was before the restart.
    expect(await s.now()).toBe(dueAt - DAY);
    expect((await s.api('GET', enrollment)).currentStepId).toBe('w1');
    expect(await s.api('POST', '/api/clock', { advance: 'P1D' })).toMatchObject({ processed: 1 });
    expect(await s.api('GET', enrollment)).toMatchObject({ currentStepId: 't1', status: 'active' });
    await s.close();

    s = await start(t);
    expect(await s.now()).toBe(dueAt);
    // Back to before that restart's instant is refused as ever: the clock never goes backwards.
    await s.api('POST', '/api/clock', { set: new Date(dueAt - DAY).toISOString() }, 409);
    await s.close();
  });
});

it('stepwise worker refuses the test clock, saying where it runs', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['node', 'stepwise', 'worker'], {
    output: { out: (line) => out.push(line), err: (line) => err.push(line) },
    env: { LOG_LEVEL: 'silent', STEPWISE_CLOCK: 'manual', DATABASE_URL: ':memory:' },
  });
  expect(code).toBe(1);
  expect(err.join('\n')).toMatch(
    /^stepwise: stepwise worker does not run on the test clock .*stepwise serve/,
  );
  expect(out).toEqual([]);
});

it('stepwise serve --no-worker refuses the test clock: its automated emails would never go out', async () => {
  const err: string[] = [];
  const code = await run(['node', 'stepwise', 'serve', '--no-worker', '--port', '0'], {
    output: { out: () => undefined, err: (line) => err.push(line) },
    env: { LOG_LEVEL: 'silent', STEPWISE_CLOCK: 'manual', DATABASE_URL: ':memory:' },
  });
  expect(code).toBe(1);
  expect(err.join('\n')).toMatch(/^stepwise: stepwise serve --no-worker does not run on the test clock/);
});
