import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../api/auth/password.js';
import { loadConfig } from '../config.js';
import { encryptMailboxPassword } from '../mail/mailbox-password.js';
import { startImapTestServer } from '../mail/test-support/imap-server.js';
import { startSmtpSink } from '../mail/test-support/smtp-sink.js';
import { openStore } from '../storage/open-store.js';
import { serve } from './commands/serve.js';

/** Signs in as the administrator STEPWISE_ADMIN_* created: JSON headers with its bearer token. */
async function adminHeaders(url: string): Promise<Record<string, string>> {
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@example.com', password: 'a long admin password' }),
  });
  const { token } = (await login.json()) as { token: string };
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
}

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

  it('polls STEPWISE_IMAP_URL and the IMAP URL of each mailbox row (decrypted with the installation secret)', async () => {
    const secret = 'serve-imap-test-secret-of-32-chars!';
    const imap = await startImapTestServer({ users: { env: 'e-pass', box: 'b-pass' } });
    // The folder exists (SELECT of one that does not is refused); its old mail is read already.
    imap.deliver('Subject: old\r\n\r\nread\r\n', { mailbox: 'Replies', flags: ['\\Seen'] });
    const databaseUrl = join(mkdtempSync(join(tmpdir(), 'stepwise-serve-')), 'stepwise.db');
    const seed = await openStore(databaseUrl);
    await seed.mailboxes.create({
      id: 'mbx_replies',
      userId: null,
      host: 'smtp.example.com',
      port: 587,
      imapUrlEncrypted: encryptMailboxPassword(secret, `imap://box:b-pass@127.0.0.1:${imap.port}/Replies`),
      createdAt: 0,
    });
    await seed.close();
    const server = await serve(
      loadConfig({
        PORT: '0',
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'silent',
        STEPWISE_SECRET: secret,
        STEPWISE_IMAP_URL: `imap://env:e-pass@127.0.0.1:${imap.port}/INBOX`,
      }),
    );
    try {
      const searched = () => imap.commands.filter((c) => / UID SEARCH /.test(c)).length;
      await expect.poll(searched, { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(2);
      expect(imap.commands.filter((c) => / LOGIN /.test(c)).sort()).toEqual(
        [expect.stringMatching(/ LOGIN box \*\*\*$/), expect.stringMatching(/ LOGIN env \*\*\*$/)].sort(),
      );
      expect(imap.commands.some((c) => / SELECT "?Replies"?/.test(c))).toBe(true);
    } finally {
      await server.close();
      await imap.close();
    }
  });

  it('without users or STEPWISE_ADMIN_*, issues a set-up token at each start (the link is in the log)', async () => {
    const databaseUrl = join(mkdtempSync(join(tmpdir(), 'stepwise-serve-')), 'stepwise.db');
    const config = loadConfig({ PORT: '0', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' });
    const hashes: unknown[] = [];
    for (let start = 0; start < 2; start++) {
      const server = await serve(config, { worker: false });
      await server.close();
      const store = await openStore(databaseUrl);
      hashes.push(((await store.settings.get('setup_token')) as { hash?: unknown } | null)?.hash);
      expect(await store.users.count()).toBe(0);
      await store.close();
    }
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(hashes[1]).toMatch(/^[0-9a-f]{64}$/);
    expect(hashes[1]).not.toBe(hashes[0]);
  });

  it('says in the log that it stops and that it stopped, with no error on the way', async () => {
    const databaseUrl = join(mkdtempSync(join(tmpdir(), 'stepwise-serve-')), 'stepwise.db');
    const lines: { level: number; msg: string }[] = [];
    const logDestination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)) as { level: number; msg: string });
        done();
      },
    });
    const server = await serve(loadConfig({ PORT: '0', DATABASE_URL: databaseUrl, LOG_LEVEL: 'info' }), {
      logDestination,
    });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await server.close();
    const messages = lines.map((line) => line.msg);
    expect(messages.at(-1)).toBe('stopped');
    expect(messages).toContain('stopping: closing the HTTP server, then finishing the batch in hand');
    expect(
      messages.indexOf('stopping: closing the HTTP server, then finishing the batch in hand'),
    ).toBeGreaterThan(messages.indexOf('worker started'));
    // Level 50 is error, 60 fatal.
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
  });

  it("names HOST and PORT when it cannot listen, with the system's reason as the cause", async () => {
    const databaseUrl = join(mkdtempSync(join(tmpdir(), 'stepwise-serve-')), 'stepwise.db');
    const first = await serve(loadConfig({ PORT: '0', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' }), {
      worker: false,
    });
    try {
      const port = new URL(first.url).port;
      const taken = serve(loadConfig({ PORT: port, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' }), {
        worker: false,
      });
      await expect(taken).rejects.toThrow(`Cannot listen on 127.0.0.1:${port} (HOST, PORT)`);
      await expect(taken).rejects.toHaveProperty('cause.code', 'EADDRINUSE');
    } finally {
      await first.close();
    }
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
      const headers = await adminHeaders(server.url);
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

  it('POST /api/clock sends over SMTP every automated email that fell due, each step completed when it answers', async () => {
    const sink = await startSmtpSink();
    const databaseUrl = join(mkdtempSync(join(tmpdir(), 'stepwise-serve-')), 'stepwise.db');
    // The default limits: one message per 20 s per mailbox, counted in test time.
    const server = await serve(
      loadConfig({
        PORT: '0',
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'silent',
        STEPWISE_CLOCK: 'manual',
        STEPWISE_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
        STEPWISE_ADMIN_EMAIL: 'admin@example.com',
        STEPWISE_ADMIN_PASSWORD: 'a long admin password',
      }),
    );
    try {
      const headers = await adminHeaders(server.url);
      // biome-ignore lint/suspicious/noExplicitAny: JSON answers of the API under test
      const call = async (method: string, path: string, body?: unknown): Promise<any> => {
        const response = await fetch(`${server.url}${path}`, {
          method,
          headers,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        expect(response.status, `${method} ${path}: ${await response.clone().text()}`).toBeLessThan(300);
        return response.json();
      };
      const template = await call('POST', '/api/email-templates', {
        name: 'Intro',
        subject: 'Hello {{ record.name }}',
        body: 'Hi {{ record.name }}.',
      });
      const sequence = await call('POST', '/api/sequences', {
        name: 'Email first',
        entityType: 'lead',
        definition: {
          start: 'e1',
          options: { workingHours: 'none' },
          steps: [
            { id: 'e1', type: 'automated_email', templateId: template.id, next: 't1' },
            { id: 't1', type: 'task', name: 'Follow up' },
          ],
        },
      });
      await call('POST', `/api/sequences/${sequence.id}/activate`);
      const recordIds: string[] = [];
      for (let i = 0; i < 4; i++)
        recordIds.push(
          (
            await call('POST', '/api/records', {
              type: 'lead',
              name: `Lead ${i}`,
              email: `lead${i}@example.org`,
            })
          ).id,
        );
      const connected = await call('POST', `/api/sequences/${sequence.id}/enrollments`, { recordIds });
      expect(connected.rejected).toEqual([]);

      const moved = await call('POST', '/api/clock', { advance: 'P1D' });
      // When the move answers, every message is in the sink, once, and every email step is completed.
      expect(sink.accepted).toHaveLength(4);
      // The emails the move sent (connecting had queued them); the background sender may have sent the
      // first one at the connecting instant already, the spacing keeps it from sending more.
      expect([3, 4]).toContain(moved.processed);
      for (const { enrollmentId } of connected.enrolled as { enrollmentId: string }[]) {
        const detail = await call('GET', `/api/enrollments/${enrollmentId}`);
        expect(detail.currentStepId).toBe('t1');
        expect(detail.history.find((h: { stepId: string }) => h.stepId === 'e1')).toMatchObject({
          state: 'completed',
        });
      }
      // The background sender ran too: nothing went out twice.
      const again = await call('POST', '/api/clock', { advance: 'P1D' });
      expect(again.processed).toBe(0);
      expect(sink.received).toHaveLength(4);
    } finally {
      await server.close();
      await sink.close();
    }
  });
});
