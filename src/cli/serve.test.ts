import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../api/auth/password.js';
import { loadConfig } from '../config.js';
import { openStore } from '../storage/open-store.js';
import { serve } from './commands/serve.js';

describe('stepwise serve', () => {
  it('creates and migrates the database, the first administrator, and answers /healthz over HTTP', async () => {
    const databaseUrl = join(mkdtempSync(join(tmpdir(), 'stepwise-serve-')), 'stepwise.db');
    const server = await serve(
      loadConfig({
        PORT: '0',
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'silent',
        STEPWISE_ADMIN_EMAIL: 'admin@example.com',
        STEPWISE_ADMIN_PASSWORD: 'a long admin password',
      }),
    );
    try {
      const response = await fetch(`${server.url}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      await server.close();
    }
    const store = await openStore(databaseUrl);
    const admin = await store.users.getByEmail('admin@example.com');
    expect(admin?.role).toBe('admin');
    expect(await verifyPassword(admin?.passwordHash ?? '', 'a long admin password')).toBe(true);
    // The generated signing key is kept for the next start.
    expect(typeof (await store.settings.get('secret'))).toBe('string');
    await store.close();
  });

  it('runs engine, worker and API on one test clock under STEPWISE_CLOCK=manual', async () => {
    const databaseUrl = join(mkdtempSync(join(tmpdir(), 'stepwise-serve-')), 'stepwise.db');
    const server = await serve(
      loadConfig({
        PORT: '0',
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'silent',
        STEPWISE_CLOCK: 'manual',
        STEPWISE_ADMIN_EMAIL: 'admin@example.com',
        STEPWISE_ADMIN_PASSWORD: 'a long admin password',
      }),
    );
    try {
      const login = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@example.com', password: 'a long admin password' }),
      });
      const { token } = (await login.json()) as { token: string };
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const before = (await (await fetch(`${server.url}/api/clock`, { headers })).json()) as { now: string };
      const moved = await fetch(`${server.url}/api/clock`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ advance: 'P2D' }),
      });
      expect(moved.status).toBe(200);
      const after = (await moved.json()) as { now: string; processed: number };
      expect(Date.parse(after.now) - Date.parse(before.now)).toBe(2 * 86_400_000);
      const now = (await (await fetch(`${server.url}/api/clock`, { headers })).json()) as { now: string };
      expect(now.now).toBe(after.now);
      const metrics = await fetch(`${server.url}/metrics`);
      expect(await metrics.text()).toContain('stepwise_engine_due_backlog');
    } finally {
      await server.close();
    }
  });
});
