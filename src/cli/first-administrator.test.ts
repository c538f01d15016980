import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { isSetupTokenLive } from '../api/auth/setup-token.js';
import { loadConfig } from '../config.js';
import { ManualClock } from '../engine/clock.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineDeps } from '../engine/deps.js';
import { RandomIds } from '../engine/ids.js';
import { openStore } from '../storage/open-store.js';
import { ensureAdministrator, linkBase, printSetupLink } from './first-administrator.js';

const opened: EngineDeps[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((deps) => deps.store.close()));
});

async function emptyInstallation(): Promise<EngineDeps> {
  const store = await openStore(join(mkdtempSync(join(tmpdir(), 'stepwise-first-admin-')), 'stepwise.db'));
  const clock = new ManualClock('2026-11-23T09:00:00Z');
  const deps: EngineDeps = { store, clock, ids: new RandomIds(clock), settings: DEFAULT_ENGINE_SETTINGS };
  opened.push(deps);
  return deps;
}

/** A pino logger whose lines are kept, parsed. */
function capturedLog() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as { level: number; msg: string });
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

const WARN = 40;

describe('the first administrator', () => {
  it('without STEPWISE_ADMIN_*, asks for set-up and logs a one-time link at warn level', async () => {
    const deps = await emptyInstallation();
    const config = loadConfig({ STEPWISE_PUBLIC_URL: 'https://sales.example.com/' });
    const { log, lines } = capturedLog();
    expect(await ensureAdministrator(deps, config, log)).toBe(true);
    const link = await printSetupLink(deps, linkBase(config, 'http://127.0.0.1:3000'), log);
    expect(link).toMatch(/^https:\/\/sales\.example\.com\/setup\?token=[A-Za-z0-9_-]{43}$/);
    const warning = lines.find((line) => line.msg.includes(link));
    expect(warning?.level).toBe(WARN);
    expect(warning?.msg).toContain('STEPWISE_ADMIN_EMAIL');
    const token = new URL(link).searchParams.get('token') ?? '';
    expect(await isSetupTokenLive(deps, token)).toBe(true);
    // Only the hash is stored.
    expect(JSON.stringify(await deps.store.settings.get('setup_token'))).not.toContain(token);

    // The next start prints a fresh link; the earlier one stops working.
    const next = await printSetupLink(deps, config.publicUrl, log);
    expect(await isSetupTokenLive(deps, new URL(next).searchParams.get('token') ?? '')).toBe(true);
    expect(await isSetupTokenLive(deps, token)).toBe(false);
  });

  it('creates the administrator from STEPWISE_ADMIN_EMAIL and STEPWISE_ADMIN_PASSWORD instead', async () => {
    const deps = await emptyInstallation();
    const config = loadConfig({
      STEPWISE_ADMIN_EMAIL: 'admin@example.com',
      STEPWISE_ADMIN_PASSWORD: 'a long admin password',
    });
    const { log, lines } = capturedLog();
    expect(await ensureAdministrator(deps, config, log)).toBe(false);
    expect((await deps.store.users.getByEmail('admin@example.com'))?.role).toBe('admin');
    expect(lines.some((line) => line.msg.includes('/setup?token='))).toBe(false);
    // With a user, nothing more to do at the next start.
    expect(await ensureAdministrator(deps, loadConfig({}), log)).toBe(false);
    expect(lines.some((line) => line.msg.includes('read only while there are no users'))).toBe(false);
    // The variables still set at a later start, with another password: no second administrator, no
    // password changed, and the log says so.
    const later = loadConfig({
      STEPWISE_ADMIN_EMAIL: 'second@example.com',
      STEPWISE_ADMIN_PASSWORD: 'another long password',
    });
    expect(await ensureAdministrator(deps, later, log)).toBe(false);
    expect(await deps.store.users.count()).toBe(1);
    expect(lines.at(-1)?.msg).toMatch(
      /^STEPWISE_ADMIN_EMAIL and STEPWISE_ADMIN_PASSWORD are read only while there are no users: they changed nothing/,
    );
  });

  it('links to http://localhost:PORT by default, and where the server listens when PORT=0', () => {
    expect(linkBase(loadConfig({}), 'http://127.0.0.1:3000')).toBe('http://localhost:3000');
    expect(linkBase(loadConfig({ PORT: '8080' }), 'http://127.0.0.1:8080')).toBe('http://localhost:8080');
    expect(linkBase(loadConfig({ PORT: '0' }), 'http://127.0.0.1:41234')).toBe('http://127.0.0.1:41234');
    expect(
      linkBase(loadConfig({ PORT: '0', STEPWISE_PUBLIC_URL: 'https://sales.example.com' }), 'http://x:1'),
    ).toBe('https://sales.example.com');
  });
});
