// Tracking, unsubscribe and inbound mail through the HTTP server (and the SMTP listener), after a
// real send over loopback SMTP: opens and clicks become signals, forged tokens record nothing, a
// reply threads to its enrollment (exit on reply), a hard bounce and an unsubscribe end enrollments
// and suppress the address.
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../api/test-support/api-harness.js';
import { connectRecords } from '../engine/connect.js';
import { emailKey } from '../engine/enrollment-commit.js';
import { type MailSenderDeps, sendDueEmails } from '../engine/outbox-sender.js';
import { runDue } from '../engine/scheduler.js';
import { isSuppressed } from '../engine/suppression.js';
import { activeSequence, definition } from '../engine/test-support/engine-world.js';
import { handleInboundEmail } from './inbound/handle-inbound.js';
import { startInboundListener } from './inbound/smtp-listener.js';
import { messageIdFor } from './message-id.js';
import { SmtpMailer } from './smtp-mailer.js';
import { accountFromSmtpUrl } from './smtp-url.js';
import { type SmtpSink, startSmtpSink } from './test-support/smtp-sink.js';

const SECRET = 'tracking-test-secret-at-least-32-chars';
const PUBLIC_URL = 'https://sw.example';

describe('tracking, unsubscribe and inbound mail', () => {
  let h: Harness;
  let sink: SmtpSink;
  let mailer: SmtpMailer;
  let sequenceId: string;
  const sent = new Map<string, { enrollmentId: string; outboxId: string; raw: string }>();

  beforeAll(async () => {
    h = await startHarness({ env: { STEPWISE_SECRET: SECRET, STEPWISE_PUBLIC_URL: PUBLIC_URL } });
    sink = await startSmtpSink();
    mailer = new SmtpMailer({ publicUrl: PUBLIC_URL, secret: SECRET });
    const { deps, users } = h;
    await deps.store.emailTemplates.create({
      id: 'tpl_t',
      name: 'T',
      subject: 'Hi {{ record.name }}',
      body: 'Look: https://example.org/pricing\n\nUnsubscribe: {{ unsubscribeUrl }}',
      createdAt: deps.clock.now(),
    });
    sequenceId = await activeSequence(
      deps.store,
      users.admin.id,
      definition(
        [
          { id: 'a1', type: 'automated_email', templateId: 'tpl_t', next: 't1' },
          { id: 't1', type: 'task', name: 'Follow up' },
        ],
        { exitOnReply: true, workingHours: 'none' },
      ),
    );
    for (const name of ['reply', 'bounce', 'unsubscribe', 'open']) {
      const record = await deps.store.records.create({
        id: deps.ids.newId('rec'),
        type: 'lead',
        name,
        email: `${name}@customer.example`,
        ownerId: users.admin.id,
        createdAt: deps.clock.now(),
      });
      const { enrolled } = await connectRecords(deps, {
        sequenceId,
        recordIds: [record.id],
        actor: { id: users.admin.id, role: 'admin' },
      });
      const enrollmentId = enrolled[0]?.enrollmentId ?? '';
      sent.set(name, { enrollmentId, outboxId: '', raw: '' });
    }
    await runDue(deps, { batchSize: 100, leaseOwner: 'test' });
    const senderDeps: MailSenderDeps = {
      ...deps,
      mailer,
      fallbackAccount: accountFromSmtpUrl(`smtp://127.0.0.1:${sink.port}?dailyCap=off&minSpacingMs=0`),
      defaultFrom: 'sales@stepwise.example',
      isSuppressed: (email) => isSuppressed(deps, email),
    };
    expect((await sendDueEmails(senderDeps)).sent).toBe(4);
    const rows = (await deps.store.outbox.listByStatus('sent', { limit: 10 })).items;
    for (const [name, entry] of sent) {
      const row = rows.find((r) => r.idempotencyKey === emailKey(entry.enrollmentId, 1));
      const raw = sink.accepted
        .map((b) =>
          b
            .toString('utf8')
            .replace(/=\r\n/g, '')
            .replace(/\r\n[ \t]+/g, ' '),
        )
        .find((text) => text.includes(`${name}@customer.example`));
      entry.outboxId = row?.id ?? '';
      entry.raw = raw ?? '';
    }
  });

  afterAll(async () => {
    await mailer.close();
    await sink.close();
    await h.close();
  });

  const statusOf = async (name: string) => {
    const e = await h.deps.store.enrollments.get(sent.get(name)?.enrollmentId ?? '');
    return `${e?.status}:${e?.endReason ?? ''}`;
  };
  const tokenIn = (name: string, path: 't/o' | 't/c' | 'u') =>
    new RegExp(`https://sw\\.example/${path}/([\\w.-]+)`).exec(sent.get(name)?.raw ?? '')?.[1] ?? '';

  it('records an open (flagged as a likely machine open right after the send); a forged pixel records nothing', async () => {
    const token = tokenIn('open', 't/o');
    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    const bad = await h.app.inject({ method: 'GET', url: `/t/o/${forged}` });
    expect(bad.statusCode).toBe(200);
    expect(bad.headers['content-type']).toBe('image/gif');
    const minute = Math.floor(h.clock.now() / 60_000);
    const key = `open:${sent.get('open')?.outboxId}:${minute}`;
    expect(await h.deps.store.signals.existingDedupeKeys([key])).toEqual([]);
    const good = await h.app.inject({ method: 'GET', url: `/t/o/${token}` });
    expect(good.statusCode).toBe(200);
    expect(good.rawPayload.length).toBeGreaterThan(30);
    expect(await h.deps.store.signals.existingDedupeKeys([key])).toEqual([key]);
  });

  it('redirects a click to the original link and records it; a forged click token answers 404', async () => {
    const token = tokenIn('open', 't/c');
    const click = await h.app.inject({ method: 'GET', url: `/t/c/${token}` });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe('https://example.org/pricing');
    const forged = await h.app.inject({
      method: 'GET',
      url: `/t/c/${token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}`,
    });
    expect(forged.statusCode).toBe(404);
    expect(forged.body).not.toContain('example.org');
  });

  it('POST /api/inbound-email: a reply threads to its message and ends the enrollment (exit on reply)', async () => {
    const entry = sent.get('reply');
    const messageId = messageIdFor(SECRET, emailKey(entry?.enrollmentId ?? '', 1), 'stepwise.example');
    const reply = [
      'From: Reply Person <reply@customer.example>',
      'To: sales@stepwise.example',
      'Subject: Re: Hi reply',
      `In-Reply-To: ${messageId}`,
      `References: ${messageId}`,
      'Message-ID: <r1@customer.example>',
      '',
      'Yes, let us talk.',
      '',
    ].join('\r\n');
    const answer = await h.as('admin', {
      method: 'POST',
      url: '/api/inbound-email',
      headers: { 'content-type': 'message/rfc822' },
      payload: reply,
    });
    expect(answer.json()).toEqual({
      kind: 'reply',
      reason: 'threading headers',
      matched: 'message',
      signals: 1,
    });
    expect(await statusOf('reply')).toBe('disconnected:exit_on_reply');
    // The same message again (a retried webhook) changes nothing.
    expect(await handleInboundEmail(h.deps, reply)).toMatchObject({ signals: 0 });
    const tooBig = await h.as('admin', {
      method: 'POST',
      url: '/api/inbound-email',
      headers: { 'content-type': 'message/rfc822' },
      payload: Buffer.alloc(10 * 1024 * 1024 + 1, 'a'),
    });
    expect(tooBig.statusCode).toBe(413);
  });

  it('the SMTP listener: a hard bounce ends the record’s enrollments and suppresses the address', async () => {
    const listener = await startInboundListener({
      port: 0,
      host: '127.0.0.1',
      maxBytes: 1024 * 1024,
      onMessage: async (raw) => {
        await handleInboundEmail(h.deps, raw);
      },
    });
    try {
      const entry = sent.get('bounce');
      const original = messageIdFor(SECRET, emailKey(entry?.enrollmentId ?? '', 1), 'stepwise.example');
      const dsn = [
        'From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>',
        'To: sales@stepwise.example',
        'Subject: Undelivered Mail Returned to Sender',
        'Auto-Submitted: auto-replied',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
        '',
        '--B',
        'Content-Type: text/plain',
        '',
        'Your message could not be delivered.',
        '--B',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.customer.example',
        '',
        'Final-Recipient: rfc822; bounce@customer.example',
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
        '',
        '--B',
        'Content-Type: text/rfc822-headers',
        '',
        `Message-ID: ${original}`,
        'Subject: Hi bounce',
        '',
        '--B--',
        '',
      ].join('\r\n');
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: listener.port,
        secure: false,
        ignoreTLS: true,
      });
      await transport.sendMail({
        envelope: { from: '', to: ['bounces@stepwise.example'] },
        raw: dsn,
      });
      transport.close();
      expect(await statusOf('bounce')).toBe('disconnected:bounced');
      expect(await isSuppressed(h.deps, 'Bounce@Customer.example')).toBe(true);
    } finally {
      await listener.close();
    }
  });

  it('unsubscribe: GET shows a confirm button and changes nothing; POST suppresses and ends the enrollment', async () => {
    const token = tokenIn('unsubscribe', 'u');
    const page = await h.app.inject({ method: 'GET', url: `/u/${token}`, headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<button type="submit">Unsubscribe</button>');
    expect(await statusOf('unsubscribe')).toBe('active:');
    const oneClick = await h.app.inject({
      method: 'POST',
      url: `/u/${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.statusCode).toBe(200);
    expect(await statusOf('unsubscribe')).toBe('disconnected:unsubscribed');
    expect(await isSuppressed(h.deps, 'unsubscribe@customer.example')).toBe(true);
    const forged = await h.app.inject({ method: 'POST', url: `/u/${token.slice(0, -1)}x` });
    expect(forged.statusCode).toBe(404);
  });
});
