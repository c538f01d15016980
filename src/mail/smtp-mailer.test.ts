// Every SMTP exchange of the mailer ends, against real servers on loopback that never finish one: a server
// that answers a line at a time forever (no silence for an idle timeout to see) is cut off at the
// exchange's own limit, and a sender that may wait no longer (`breakOff`) ends an exchange at once; in both
// cases the outcome says where the exchange stood: `transient` before the message went out, `unknown` after.
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmailDraft, MailboxAccount, PreparedEmail } from '../engine/ports/mailer.js';
import { SmtpMailer } from './smtp-mailer.js';
import { accountFromSmtpUrl } from './smtp-url.js';
import { type StallingSmtp, startStallingSmtp } from './test-support/stalling-smtp.js';
import { verifyToken } from './tracking-token.js';

const SECRET = 'a-test-secret-of-at-least-32-characters';
const EMAIL: PreparedEmail = {
  messageId: '<sw.00000000000000000000000000000000@stepwise.example>',
  envelope: { from: 'sales@stepwise.example', to: 'ada@customer.example' },
  raw: Buffer.from('Subject: Hello\r\n\r\nHi there.\r\n'),
};

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

function mailer(timeouts: ConstructorParameters<typeof SmtpMailer>[0]['timeouts']): SmtpMailer {
  const made = new SmtpMailer({ publicUrl: 'https://sw.example', secret: SECRET, timeouts });
  cleanups.push(() => made.close());
  return made;
}

function accountAt(port: number): MailboxAccount {
  return accountFromSmtpUrl(`smtp://127.0.0.1:${port}?dailyCap=off&minSpacingMs=0`);
}

async function stalling(mode: 'greeting' | 'data'): Promise<StallingSmtp> {
  const smtp = await startStallingSmtp(mode);
  cleanups.push(() => smtp.close());
  return smtp;
}

/**
 * A server that greets, then answers EHLO with one `250-` continuation line every 100 ms and never the last
 * line: the client is never silent-timed-out, and never gets to send the message.
 */
async function drippingServer(): Promise<number> {
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setInterval>>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.write('220 drip.example ESMTP\r\n');
    socket.once('data', () => {
      const timer = setInterval(() => {
        if (!socket.destroyed) socket.write('250-drip.example still thinking\r\n');
      }, 100);
      timers.add(timer);
      socket.on('close', () => clearInterval(timer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(async () => {
    for (const timer of timers) clearInterval(timer);
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
}

describe('SmtpMailer: every exchange ends', () => {
  it('cuts off a server that answers a line at a time forever at the exchange limit: transient', async () => {
    const port = await drippingServer();
    // The idle timeout alone never fires: the server is never silent for 1 s.
    const m = mailer({ socket: 1_000, exchange: 1_500 });
    const { value: outcome, ms } = await timed(() => m.deliver(accountAt(port), EMAIL));
    expect(outcome).toEqual({ kind: 'transient', reason: expect.stringMatching(/within 1.5 s/) });
    expect(ms).toBeGreaterThanOrEqual(1_400);
    expect(ms).toBeLessThan(4_000);
  });

  it('a server that never greets ends at the greeting timeout: transient', async () => {
    const smtp = await stalling('greeting');
    const m = mailer({ greeting: 500 });
    const { value: outcome, ms } = await timed(() => m.deliver(accountAt(smtp.port), EMAIL));
    expect(outcome.kind).toBe('transient');
    expect(ms).toBeLessThan(3_000);
    expect(smtp.received).toHaveLength(0);
  });

  it('breaks off at once when the sender says so: transient before the message went out', async () => {
    const smtp = await stalling('greeting');
    const m = mailer({});
    const breakOff = new AbortController();
    setTimeout(() => breakOff.abort(), 300);
    const { value: outcome, ms } = await timed(() =>
      m.deliver(accountAt(smtp.port), EMAIL, { breakOff: breakOff.signal }),
    );
    expect(outcome).toEqual({ kind: 'transient', reason: expect.stringMatching(/^connect: broken off/) });
    expect(ms).toBeLessThan(2_000);
    expect(smtp.connections).toBe(1);
    expect(smtp.received).toHaveLength(0);
    // Already broken off: no connection is even opened.
    const again = await m.deliver(accountAt(smtp.port), EMAIL, { breakOff: breakOff.signal });
    expect(again.kind).toBe('transient');
    expect(smtp.connections).toBe(1);
  });

  it('breaks off at once when the sender says so: unknown once the server has the message', async () => {
    const smtp = await stalling('data');
    const m = mailer({});
    const breakOff = new AbortController();
    const delivering = timed(() => m.deliver(accountAt(smtp.port), EMAIL, { breakOff: breakOff.signal }));
    const deadline = Date.now() + 5_000;
    while (smtp.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(smtp.received).toHaveLength(1);
    breakOff.abort();
    const { value: outcome, ms } = await delivering;
    expect(outcome).toEqual({ kind: 'unknown', reason: expect.stringMatching(/broken off/) });
    expect(ms).toBeLessThan(5_000);
    // The mailer still works afterwards (the broken session left its pool).
    smtp.mode = 'accept';
    expect((await m.deliver(accountAt(smtp.port), EMAIL)).kind).toBe('sent');
    expect(smtp.accepted).toHaveLength(1);
  });
});

describe('SmtpMailer: Message-IDs', () => {
  const draft: EmailDraft = {
    outboxId: 'out_01',
    outboxKey: 'enr_01m89np4zb2dw77ec5r9:1',
    from: { name: 'Sam', address: 'sam@stepwise.example' },
    to: { name: 'Ada', address: 'ada@customer.example' },
    template: { subject: 'Hi', body: 'Hello' },
    context: {
      record: { name: 'Ada', fields: {} },
      sender: { name: 'Sam', address: 'sam@stepwise.example' },
      owner: { name: 'Sam', address: 'sam@stepwise.example' },
      sequence: { name: 'Q3' },
    },
    tracking: false,
    date: Date.UTC(2026, 10, 25),
  };

  it('are the same for a re-send, but cannot be computed from the outbox key without the secret', async () => {
    // A forged reply or bounce names a message by its Message-ID (handle-inbound.ts); enrollment ids are
    // guessable within a bulk connect, so the ID of another recipient's message must not follow from one.
    const other = new SmtpMailer({ publicUrl: 'https://sw.example', secret: `${SECRET}-another` });
    const first = await mailer({}).prepare(draft);
    expect((await mailer({}).prepare(draft)).messageId).toBe(first.messageId);
    expect(first.messageId).toMatch(/^<sw\.[0-9a-f]{32}@stepwise\.example>$/);
    const plain = createHash('sha256').update(draft.outboxKey).digest('hex').slice(0, 32);
    expect(first.messageId).not.toContain(plain);
    expect((await other.prepare(draft)).messageId).not.toBe(first.messageId);
  });
});

describe('SmtpMailer: links and tracking', () => {
  it("tracks the template's own links only: a URL in record data stays text, never a signed redirect", async () => {
    // Record data comes from web forms and CSV imports; a /t/c/ token never expires, so a prospect's URL
    // wrapped in one would be an open redirect on the company's tracking domain.
    const draft: EmailDraft = {
      outboxId: 'out_02',
      outboxKey: 'enr_01m89np4zb2dw77ec5r9:2',
      from: { name: 'Sam', address: 'sam@stepwise.example' },
      to: { name: 'Ada', address: 'ada@customer.example' },
      template: {
        subject: 'Hi {{ record.company }}',
        body: 'Hi {{ record.company }}\n\nOffer: https://example.com/offer?id={{ record.id }}\nBye: {{ unsubscribeUrl }}',
      },
      context: {
        record: { id: 'rec_42', name: 'Ada', company: 'ACME https://evil.example/login', fields: {} },
        sender: { name: 'Sam', address: 'sam@stepwise.example' },
        owner: { name: 'Sam', address: 'sam@stepwise.example' },
        sequence: { name: 'Q3' },
      },
      tracking: true,
      date: Date.UTC(2026, 10, 25),
    };
    const parsed = await simpleParser((await mailer({}).prepare(draft)).raw);
    const html = typeof parsed.html === 'string' ? parsed.html : '';
    const hrefs = [...html.matchAll(/<a href="([^"]*)"/g)].map((match) => match[1] ?? '');
    expect(hrefs).toHaveLength(2);
    const clicks = hrefs
      .filter((href) => href.startsWith('https://sw.example/t/c/'))
      .map((href) => verifyToken(SECRET, href.slice('https://sw.example/t/c/'.length)));
    expect(clicks).toEqual([
      { kind: 'click', messageId: 'out_02', linkIndex: 0, url: 'https://example.com/offer?id=rec_42' },
    ]);
    expect(hrefs[1]).toMatch(/^https:\/\/sw\.example\/u\//);
    expect(html).toContain('<p>Hi ACME https://evil.example/login</p>');
    expect(parsed.subject).toBe('Hi ACME https://evil.example/login');
    expect(parsed.text).toContain('Hi ACME https://evil.example/login\n');
    for (const part of [html, parsed.subject ?? '', parsed.text ?? ''])
      expect(part).not.toMatch(/[\uE000-\uF8FF]/);
  });
});
