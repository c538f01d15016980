// The sender end to end on both dialects, over real SMTP on loopback: nodemailer → smtp-server.
// The raw message (headers, parts, merge fields, tracking), exactly one message per step after 4xx
// retries and after a crash between "handed over" and "marked sent", 5xx → failed and the enrollment
// moves on, the daily cap and spacing on a manual clock, suppression, and no mailbox.
import { simpleParser } from 'mailparser';
import { afterEach, expect, it } from 'vitest';
import { connectRecords } from '../engine/connect.js';
import { emailKey, stepRowId } from '../engine/enrollment-commit.js';
import { enrollmentDetailOf } from '../engine/enrollment-views.js';
import {
  dropUnknown,
  listUnknown,
  type MailSenderDeps,
  recoverInterruptedSends,
  resendUnknown,
  sendDueEmails,
} from '../engine/outbox-sender.js';
import { updateUser } from '../engine/owner-calendar.js';
import type { Store } from '../engine/ports/store.js';
import { changeRecordOwner, recordTimezoneChanged } from '../engine/record-lifecycle.js';
import { runDue } from '../engine/scheduler.js';
import { markEmailSent } from '../engine/seller-actions.js';
import { isSuppressed, suppress } from '../engine/suppression.js';
import {
  activeSequence,
  aUser,
  DAY,
  definition,
  engineDeps,
  HOUR,
  someRecords,
  statsOf,
  T0,
} from '../engine/test-support/engine-world.js';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { type HeldLock, holdWriteLock, impatientStore } from '../storage/test-support/locks.js';
import { messageIdFor } from './message-id.js';
import { SmtpMailer } from './smtp-mailer.js';
import { accountFromSmtpUrl } from './smtp-url.js';
import { type SinkAnswer, type SmtpSink, startSmtpSink } from './test-support/smtp-sink.js';
import { verifyToken } from './tracking-token.js';

const SECRET = 'a-test-secret-of-at-least-32-characters';
const PUBLIC_URL = 'https://sw.example';
/** The same hours Monday to Friday, none at the weekend. */
const weekdays = (hours: [string, string][]) => ({
  mon: hours,
  tue: hours,
  wed: hours,
  thu: hours,
  fri: hours,
  sat: [],
  sun: [],
});

let sinks: SmtpSink[] = [];
let mailers: SmtpMailer[] = [];
afterEach(async () => {
  await Promise.all(mailers.map((m) => m.close()));
  await Promise.all(sinks.map((s) => s.close()));
  sinks = [];
  mailers = [];
});

type T = Parameters<Parameters<typeof forEachDialect>[1]>[0];

async function world(
  t: T,
  options: {
    plan?: (n: number) => SinkAnswer;
    records?: number;
    limits?: string;
    tracking?: boolean;
    /** The first step is a manual `email` the seller sends, instead of an automated one. */
    manual?: boolean;
    /** The first step names no template (activation refuses that now; older sequences may hold it). */
    noTemplate?: boolean;
    /** Automated emails go out in the record's working hours (its time zone). */
    recipientHours?: boolean;
    /** Awaited by the SMTP server once a message is in, before it answers. */
    beforeAnswer?: (n: number) => Promise<void>;
    /** The store to work on (default: the test's). */
    store?: Store;
  } = {},
) {
  const sink = await startSmtpSink(options.plan, options.beforeAnswer);
  sinks.push(sink);
  const engine = engineDeps(options.store ?? t.store());
  const mailer = new SmtpMailer({ publicUrl: PUBLIC_URL, secret: SECRET, timeouts: { socket: 1_500 } });
  mailers.push(mailer);
  const deps: MailSenderDeps & { clock: typeof engine.clock } = {
    ...engine,
    mailer,
    fallbackAccount: accountFromSmtpUrl(
      `smtp://127.0.0.1:${sink.port}${options.limits ?? '?dailyCap=off&minSpacingMs=0'}`,
    ),
    defaultFrom: 'sales@stepwise.example',
    isSuppressed: (email) => isSuppressed(engine, email),
  };
  const owner = await aUser(deps.store, 'admin', { name: 'Olivia Owner' });
  await deps.store.emailTemplates.create({
    id: 'tpl_intro',
    name: 'Intro',
    subject: 'Hello {{ record.name }} from {{ sequence.name }}',
    body: 'Hi {{ record.fields.title | default: "there" }},\n\nSee https://example.org/pricing and reply.\n\n{{ sender.name }}',
    createdAt: T0,
  });
  const sequenceId = await activeSequence(
    deps.store,
    owner.id,
    definition(
      [
        {
          id: 'a1',
          type: options.manual ? 'email' : 'automated_email',
          ...(options.noTemplate ? {} : { templateId: 'tpl_intro' }),
          next: 't1',
        },
        { id: 't1', type: 'task', name: 'Follow up' },
      ],
      {
        tracking: options.tracking ?? true,
        ...(options.recipientHours ? { workingHours: 'recipient' } : {}),
      },
    ),
  );
  const recordIds = await someRecords(deps.store, owner.id, options.records ?? 1, 'lead', {
    fields: { title: 'Dr.' },
  });
  for (const [i, id] of recordIds.entries())
    await deps.store.records.update(id, { name: `Ada ${i}`, email: `ada.${i}@customer.example` }, T0);
  const { enrolled } = await connectRecords(deps, {
    sequenceId,
    recordIds,
    actor: { id: owner.id, role: 'admin' },
  });
  await runDue(deps, { batchSize: 100, leaseOwner: 'test' });
  const enrollmentIds = enrolled.map((e) => e.enrollmentId);
  return { deps, sink, owner, sequenceId, recordIds, enrollmentIds };
}

async function outboxRow(deps: MailSenderDeps, enrollmentId: string) {
  const page = await deps.store.outbox.listByStatus('pending', { limit: 1000 });
  const all = [
    ...page.items,
    ...(await deps.store.outbox.listByStatus('sent', { limit: 1000 })).items,
    ...(await deps.store.outbox.listByStatus('failed', { limit: 1000 })).items,
    ...(await deps.store.outbox.listByStatus('send_unknown', { limit: 1000 })).items,
    ...(await deps.store.outbox.listByStatus('dropped', { limit: 1000 })).items,
    ...(await deps.store.outbox.listByStatus('sending', { limit: 1000 })).items,
  ];
  const row = all.find((r) => r.idempotencyKey === emailKey(enrollmentId, 1));
  if (row === undefined) throw new Error('no outbox row');
  return row;
}

/** `step:state` of each history row; the task after the email is `t1:next` whether it is open yet or not. */
async function stepStates(deps: MailSenderDeps, enrollmentId: string) {
  return (await deps.store.enrollments.listSteps(enrollmentId)).map((s) =>
    s.stepId === 't1' ? 't1:next' : `${s.stepId}:${s.state}`,
  );
}

forEachDialect('mail sender over SMTP', (t) => {
  it('sends one message with Message-ID, RFC 8058 headers, both parts, merge fields and tracking', async () => {
    const { deps, sink, enrollmentIds } = await world(t);
    const [enrollmentId = ''] = enrollmentIds;
    const result = await sendDueEmails(deps);
    expect(result.sent).toBe(1);
    expect(sink.accepted).toHaveLength(1);

    const mail = await simpleParser(sink.accepted[0] as Buffer);
    expect(mail.messageId).toBe(messageIdFor(SECRET, emailKey(enrollmentId, 1), 'stepwise.example'));
    expect(mail.subject).toMatch(/^Hello Ada 0 from seq_/);
    expect(mail.date?.getTime()).toBe(T0);
    expect(mail.from?.value[0]).toMatchObject({ name: 'Olivia Owner', address: 'sales@stepwise.example' });
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0] : null).toMatchObject({
      name: 'Ada 0',
      address: 'ada.0@customer.example',
    });
    const rawText = (sink.accepted[0] as Buffer).toString('utf8').replace(/\r\n[ \t]+/g, ' ');
    expect(rawText).toMatch(/^List-Unsubscribe: <https:\/\/sw\.example\/u\/[\w-]+\.[\w-]+>\r$/m);
    expect(rawText).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    expect(mail.attachments).toHaveLength(0);
    expect(mail.text).toContain('Hi Dr.,');
    expect(mail.text).toContain('https://example.org/pricing');
    expect(mail.text).toContain('Olivia Owner');
    const html = String(mail.html);
    const click = /href="https:\/\/sw\.example\/t\/c\/([^"]+)"/.exec(html)?.[1] ?? '';
    const row = await outboxRow(deps, enrollmentId);
    expect(verifyToken(SECRET, click)).toEqual({
      kind: 'click',
      messageId: row.id,
      linkIndex: 0,
      url: 'https://example.org/pricing',
    });
    const open = /src="https:\/\/sw\.example\/t\/o\/([^"]+)"/.exec(html)?.[1] ?? '';
    expect(verifyToken(SECRET, open)).toEqual({ kind: 'open', messageId: row.id });

    expect(row.status).toBe('sent');
    expect(row.providerResponse).toContain('queued as Q1');
    expect(row.messageKeyHash).toHaveLength(32);
    expect(await stepStates(deps, enrollmentId)).toEqual(['a1:completed', 't1:next']);
    // Nothing left to send: a second pass sends nothing.
    expect((await sendDueEmails(deps)).sent).toBe(0);
    expect(sink.received).toHaveLength(1);
  });

  it("sends a manual email step through the owner's mailbox with the seller's edits, once", async () => {
    const { deps, sink, owner, enrollmentIds } = await world(t, { manual: true });
    const [enrollmentId = ''] = enrollmentIds;
    expect(await stepStates(deps, enrollmentId)).toEqual(['a1:open']);
    const actor = { id: owner.id, role: 'admin' as const };
    const edits = {
      subject: 'Quick question, Ada',
      body: 'Hi Ada,\n\nas promised: https://example.org/pricing\n\nOlivia',
    };
    const first = await markEmailSent(deps, actor, stepRowId(enrollmentId, 1), { send: edits });
    expect(first.applied).toBe(true);
    // A repeated request (a double click, a retry) queues nothing more.
    expect((await markEmailSent(deps, actor, stepRowId(enrollmentId, 1), { send: edits })).applied).toBe(
      false,
    );
    expect(await stepStates(deps, enrollmentId)).toEqual(['a1:completed', 't1:next']);

    expect((await sendDueEmails(deps)).sent).toBe(1);
    expect((await sendDueEmails(deps)).sent).toBe(0);
    expect(sink.accepted).toHaveLength(1);
    const mail = await simpleParser(sink.accepted[0] as Buffer);
    expect(mail.subject).toBe('Quick question, Ada');
    expect(mail.text).toContain('as promised: https://example.org/pricing');
    expect(mail.messageId).toBe(messageIdFor(SECRET, emailKey(enrollmentId, 1), 'stepwise.example'));
    expect(String(mail.html)).toContain('/t/o/');
    expect((await outboxRow(deps, enrollmentId)).status).toBe('sent');
  });

  it("sends a seller's text as written: braces stay words, the preview's unsubscribe link becomes the recipient's", async () => {
    const { deps, sink, owner, enrollmentIds } = await world(t, { manual: true });
    const [enrollmentId = ''] = enrollmentIds;
    const edits = {
      subject: 'About {{ record.name }} and {% raw %}',
      body: `Hi {{ record.name }},\n\n{% for i in (1..100000000) %}x{% endfor %}\n\nStop these emails: ${PUBLIC_URL}/u/preview`,
    };
    await markEmailSent(deps, { id: owner.id, role: 'admin' }, stepRowId(enrollmentId, 1), { send: edits });
    expect((await sendDueEmails(deps)).sent).toBe(1);
    const mail = await simpleParser(sink.accepted[0] as Buffer);
    expect(mail.subject).toBe('About {{ record.name }} and {% raw %}');
    expect(mail.text).toContain('Hi {{ record.name }},');
    expect(mail.text).toContain('{% for i in (1..100000000) %}x{% endfor %}');
    expect(mail.text).not.toContain('/u/preview');
    const link = /Stop these emails: (\S+)/.exec(mail.text ?? '')?.[1] ?? '';
    expect(link).toMatch(new RegExp(`^${PUBLIC_URL}/u/[^/]+$`));
    // The same link as the List-Unsubscribe header's (folded onto its own line there).
    expect((sink.accepted[0] as Buffer).toString().replace(/\r\n\s+/g, ' ')).toContain(
      `List-Unsubscribe: <${link}>`,
    );
  });

  it('counts a manual email as sent when the mail server takes it, not when it refuses it', async () => {
    const refused = await world(t, {
      manual: true,
      records: 2,
      plan: (n) => (n === 1 ? 'accept' : { code: 550, message: '5.1.1 User unknown' }),
    });
    const actor = { id: refused.owner.id, role: 'admin' as const };
    for (const id of refused.enrollmentIds)
      await markEmailSent(refused.deps, actor, stepRowId(id, 1), { send: { subject: 'Hi', body: 'Hello' } });
    // Queued, not sent yet: not counted.
    expect((await statsOf(refused.deps.store, refused.sequenceId))['a1/email_sent']).toBeUndefined();
    const result = await sendDueEmails(refused.deps);
    expect(result).toMatchObject({ sent: 1, failed: 1 });
    expect(await statsOf(refused.deps.store, refused.sequenceId)).toMatchObject({
      'a1/email_sent': 1,
      'a1/completed': 2,
    });
  });

  it('counts a manual email sent elsewhere (nothing for the outbox) at once, as the seller says', async () => {
    const elsewhere = await world(t, { manual: true });
    await markEmailSent(
      elsewhere.deps,
      { id: elsewhere.owner.id, role: 'admin' },
      stepRowId(elsewhere.enrollmentIds[0] as string, 1),
    );
    expect((await statsOf(elsewhere.deps.store, elsewhere.sequenceId))['a1/email_sent']).toBe(1);
  });

  it('leaves links alone and adds no pixel when the sequence switches tracking off', async () => {
    const { deps, sink } = await world(t, { tracking: false });
    await sendDueEmails(deps);
    const html = String((await simpleParser(sink.accepted[0] as Buffer)).html);
    expect(html).toContain('href="https://example.org/pricing"');
    expect(html).not.toContain('/t/o/');
  });

  it('retries 4xx with backoff and sends exactly one message', async () => {
    const { deps, sink, enrollmentIds } = await world(t, {
      plan: (n) => (n <= 2 ? { code: 451, message: '4.3.0 Try again later' } : 'accept'),
    });
    const [enrollmentId = ''] = enrollmentIds;
    expect((await sendDueEmails(deps)).retried).toBe(1);
    let row = await outboxRow(deps, enrollmentId);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, availableAt: T0 + 60_000 });
    expect(row.lastError).toContain('451');
    expect((await sendDueEmails(deps)).sent).toBe(0); // not due yet
    deps.clock.advance(60_000);
    expect((await sendDueEmails(deps)).retried).toBe(1);
    expect((await outboxRow(deps, enrollmentId)).availableAt).toBe(T0 + 60_000 + 120_000);
    deps.clock.advance(120_000);
    expect((await sendDueEmails(deps)).sent).toBe(1);
    row = await outboxRow(deps, enrollmentId);
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
    expect(sink.received).toHaveLength(3);
    expect(sink.accepted).toHaveLength(1);
    deps.clock.advance(DAY);
    await sendDueEmails(deps);
    expect(sink.accepted).toHaveLength(1);
  });

  it('fails an automated email without a template and moves its enrollment on, instead of stranding it', async () => {
    const { deps, sink, enrollmentIds } = await world(t, { noTemplate: true });
    const [enrollmentId = ''] = enrollmentIds;
    expect((await sendDueEmails(deps)).failed).toBe(1);
    const row = await outboxRow(deps, enrollmentId);
    expect(row).toMatchObject({ status: 'failed', lastError: expect.stringContaining('has no template') });
    expect(await stepStates(deps, enrollmentId)).toEqual(['a1:failed', 't1:next']);
    expect(sink.accepted).toHaveLength(0);
  });

  it('fails on 5xx and moves the enrollment on (a failed email counts as not opened, not replied)', async () => {
    const { deps, sink, enrollmentIds } = await world(t, {
      plan: () => ({ code: 550, message: '5.1.1 User unknown' }),
    });
    const [enrollmentId = ''] = enrollmentIds;
    expect((await sendDueEmails(deps)).failed).toBe(1);
    const row = await outboxRow(deps, enrollmentId);
    expect(row.status).toBe('failed');
    expect(row.lastError).toContain('550');
    expect(await stepStates(deps, enrollmentId)).toEqual(['a1:failed', 't1:next']);
    expect(sink.accepted).toHaveLength(0);
  });

  it('a crash after the hand-over leaves send_unknown: nothing re-sent until an administrator decides', async () => {
    const { deps, sink, enrollmentIds } = await world(t);
    const [enrollmentId = ''] = enrollmentIds;
    // The "crashed" process: claims, commits `sending`, hands the message over, and dies before the answer is stored.
    const [claimed] = await deps.store.outbox.claimDue('email', T0, 10, T0 + 60_000);
    if (claimed === undefined) throw new Error('nothing claimed');
    const account = deps.fallbackAccount;
    if (account === null) throw new Error('no account');
    const key = emailKey(enrollmentId, 1);
    const messageId = messageIdFor(SECRET, key, 'stepwise.example');
    expect(
      await deps.store.outbox.markSending(claimed.id, {
        at: T0,
        leaseUntil: T0 + 600_000,
        messageKeyHash: messageId.slice(4, 36),
        mailboxKey: account.key,
      }),
    ).toBe(true);
    const raw = Buffer.from(`Message-ID: ${messageId}\r\nSubject: x\r\n\r\nbody\r\n`);
    expect(
      (
        await deps.mailer.deliver(account, {
          messageId,
          envelope: { from: 'a@b.example', to: 'c@d.example' },
          raw,
        })
      ).kind,
    ).toBe('sent');
    expect(sink.accepted).toHaveLength(1);

    // A new sender before the lease ran out: the row is someone else's exchange, left alone, and
    // counted as in flight by /metrics (stepwise_outbox_depth{status="sending"}).
    expect((await sendDueEmails(deps)).sent).toBe(0);
    expect(await deps.store.operations.outboxDepth()).toMatchObject({ sending: 1, send_unknown: 0 });
    deps.clock.advance(600_001);
    const result = await sendDueEmails(deps);
    expect(result).toMatchObject({ recovered: 1, sent: 0 });
    expect(await deps.store.operations.outboxDepth()).toMatchObject({ sending: 0, send_unknown: 1 });
    // The sender cannot know whether the exchange got as far as the message (a kill before DATA
    // leaves the same row), and says so.
    expect((await outboxRow(deps, enrollmentId)).lastError).toMatch(/may or may not have reached the server/);
    expect((await outboxRow(deps, enrollmentId)).status).toBe('send_unknown');
    expect((await listUnknown(deps)).items.map((r) => r.id)).toEqual([claimed.id]);
    deps.clock.advance(DAY);
    await sendDueEmails(deps);
    expect(sink.accepted).toHaveLength(1);
    expect(await stepStates(deps, enrollmentId)).toEqual(['a1:waiting']);

    // The administrator re-sends: one more message, the same Message-ID.
    expect(await resendUnknown(deps, claimed.id)).toBe(true);
    expect((await sendDueEmails(deps)).sent).toBe(1);
    expect(sink.accepted).toHaveLength(2);
    expect((await simpleParser(sink.accepted[1] as Buffer)).messageId).toBe(messageId);
    expect(await stepStates(deps, enrollmentId)).toEqual(['a1:completed', 't1:next']);
  });

  it('no answer after DATA was accepted → send_unknown at once; dropping it moves the enrollment on', async () => {
    const { deps, sink, enrollmentIds } = await world(t, { plan: () => 'hang' });
    const [enrollmentId = ''] = enrollmentIds;
    expect((await sendDueEmails(deps)).unknown).toBe(1);
    const row = await outboxRow(deps, enrollmentId);
    expect(row.status).toBe('send_unknown');
    expect(sink.received).toHaveLength(1);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 0, unknown: 0 });
    expect(sink.received).toHaveLength(1);
    expect(await dropUnknown(deps, row.id)).toBe(true);
    expect(await stepStates(deps, enrollmentId)).toEqual(['a1:failed', 't1:next']);
  });

  it('a connection refused is transient: the message waits and is sent when the server is back', async () => {
    const { deps, sink, enrollmentIds } = await world(t);
    const [enrollmentId = ''] = enrollmentIds;
    const live = deps.fallbackAccount;
    if (live === null) throw new Error('no account');
    deps.fallbackAccount = { ...live, port: 1, version: 1 };
    expect((await sendDueEmails(deps)).retried).toBe(1);
    expect((await outboxRow(deps, enrollmentId)).status).toBe('pending');
    deps.fallbackAccount = live;
    deps.clock.advance(60_000);
    expect((await sendDueEmails(deps)).sent).toBe(1);
    expect(sink.accepted).toHaveLength(1);
  });

  it('keeps the minimum spacing and the rolling daily cap: over the cap a message waits, never dropped', async () => {
    const { deps, sink, enrollmentIds } = await world(t, {
      records: 3,
      limits: '?dailyCap=2&minSpacingMs=20000',
    });
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 1, deferred: 2 });
    const rows = await Promise.all(enrollmentIds.map((id) => outboxRow(deps, id)));
    // Each waiting message gets a slot of its own: the next spacing, then, two sends in the last 24
    // hours by then, the instant the first leaves the window (not the spacing after, which the cap refuses).
    expect(
      rows
        .filter((r) => r.status === 'pending')
        .map((r) => r.availableAt)
        .sort((a, b) => a - b),
    ).toEqual([T0 + 20_000, T0 + DAY + 1]);
    deps.clock.advance(20_000);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 1, deferred: 0 });
    deps.clock.advance(20_000);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 0, deferred: 0 });
    // Two sends in the last 24 hours: the third waits until the first leaves the window.
    const waiting = (await Promise.all(enrollmentIds.map((id) => outboxRow(deps, id)))).find(
      (r) => r.status === 'pending',
    );
    expect(waiting?.availableAt).toBe(T0 + DAY + 1);
    deps.clock.advance(DAY - 40_000);
    expect((await sendDueEmails(deps)).sent).toBe(0);
    deps.clock.advance(1);
    expect((await sendDueEmails(deps)).sent).toBe(1);
    expect(sink.accepted).toHaveLength(3);
  });

  it('gives each message a daily cap holds back a slot of its own: the time shown is the time it goes out', async () => {
    // A cap of 3 a day and 7 emails: 3 go now, 3 a day later, the 7th a day after those. Before, all
    // 4 held back were given the next day (shown so by the enrollment), and 3 of them went out then.
    const { deps, sink, enrollmentIds } = await world(t, {
      records: 7,
      limits: '?dailyCap=3&minSpacingMs=0',
    });
    expect(await sendDueEmails(deps, { concurrency: 4 })).toMatchObject({ sent: 3, deferred: 4 });
    const shown = new Map<string, number | null>();
    for (const id of enrollmentIds) {
      const row = await outboxRow(deps, id);
      if (row.status === 'pending') shown.set(id, (await enrollmentDetailOf(deps, id)).dueAt);
    }
    expect([...shown.values()].sort()).toEqual([T0 + DAY + 1, T0 + DAY + 1, T0 + DAY + 1, T0 + 2 * DAY + 2]);
    deps.clock.advance(DAY + 1);
    expect(await sendDueEmails(deps, { concurrency: 4 })).toMatchObject({ sent: 3, deferred: 0 });
    deps.clock.advance(DAY + 1);
    expect(await sendDueEmails(deps, { concurrency: 4 })).toMatchObject({ sent: 1, deferred: 0 });
    expect(sink.accepted).toHaveLength(7);
    // Each went out at the time its enrollment showed.
    for (const [id, dueAt] of shown) {
      const row = await outboxRow(deps, id);
      expect(row.status).toBe('sent');
      expect(row.sentAt).toBe(dueAt);
    }
  });

  it('gives a message the spacing pushes past the working hours the next start of them: shown as it goes', async () => {
    // T0 is Monday 09:00 UTC; the owner works 08:00–10:00 UTC on weekdays, the mailbox sends once an hour.
    // The first email goes now; the second's slot, 10:00, is after hours: it goes (and shows) Tuesday
    // 08:00, the third an hour later. Before, they showed Monday 10:00 and 11:00 and went out on Tuesday.
    const { deps, sink, owner, enrollmentIds } = await world(t, {
      records: 3,
      limits: '?dailyCap=off&minSpacingMs=3600000',
    });
    await deps.store.users.update(owner.id, { workingHours: weekdays([['08:00', '10:00']]) }, T0);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 1, deferred: 2 });
    const shown = new Map<string, number | null>();
    for (const id of enrollmentIds)
      if ((await outboxRow(deps, id)).status === 'pending')
        shown.set(id, (await enrollmentDetailOf(deps, id)).dueAt);
    expect([...shown.values()].sort()).toEqual([T0 + 23 * HOUR, T0 + 24 * HOUR]);
    deps.clock.advance(HOUR);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 0, deferred: 0 });
    deps.clock.advance(22 * HOUR);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 1, deferred: 0 });
    deps.clock.advance(HOUR);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 1, deferred: 0 });
    expect(sink.accepted).toHaveLength(3);
    for (const [id, dueAt] of shown) expect((await outboxRow(deps, id)).sentAt).toBe(dueAt);
  });

  it('gives a message the daily cap holds back the first start of the hours after its slot', async () => {
    // One a day, and the owner works Mondays only (08:00–17:00 UTC): at T0 (Monday 09:00) one goes; the
    // cap's next slots (Tuesday 09:00, Wednesday) are no working time, so the others go (and show) the next
    // Mondays at 08:00, one a week. Before, they showed Tuesday and Wednesday and went out on Mondays.
    const { deps, sink, owner, enrollmentIds } = await world(t, {
      records: 3,
      limits: '?dailyCap=1&minSpacingMs=0',
    });
    await deps.store.users.update(
      owner.id,
      { workingHours: { mon: [['08:00', '17:00']], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } },
      T0,
    );
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 1, deferred: 2 });
    const shown = new Map<string, number>();
    for (const id of enrollmentIds) shown.set(id, (await outboxRow(deps, id)).availableAt);
    const week = 7 * DAY;
    expect([...shown.values()].sort((a, b) => a - b)).toEqual([T0, T0 + week - HOUR, T0 + 2 * week - HOUR]);
    deps.clock.advance(week - HOUR);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 1, deferred: 0 });
    deps.clock.advance(week);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 1, deferred: 0 });
    expect(sink.accepted).toHaveLength(3);
    for (const [id, at] of shown) expect((await outboxRow(deps, id)).sentAt).toBe(at);
  });

  it('keeps the slots before a message whose hours are over for the messages that may go then', async () => {
    // One mailbox, once an hour, two owners: the first works 08:00–10:00 UTC, the second at any hour. At
    // T0 (Monday 09:00) one message goes; the first owner's others wait for Tuesday 08:00 (and 09:00),
    // and the second owner's take 10:00 and 11:00 on Monday, not slots after Tuesday's.
    const { deps, sink, owner, recordIds, enrollmentIds } = await world(t, {
      records: 4,
      limits: '?dailyCap=off&minSpacingMs=3600000',
    });
    await deps.store.users.update(owner.id, { workingHours: weekdays([['08:00', '10:00']]) }, T0);
    const allDay: [string, string][] = [['00:00', '24:00']];
    const night = await aUser(deps.store, 'salesperson', {
      workingHours: { ...weekdays(allDay), sat: allDay, sun: allDay },
    });
    for (const recordId of recordIds.slice(2))
      await changeRecordOwner(deps, { id: owner.id, role: 'admin' }, recordId, night.id);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 1, deferred: 3 });
    const shown = new Map<string, number>();
    for (const id of enrollmentIds) shown.set(id, (await outboxRow(deps, id)).availableAt);
    const nights = enrollmentIds.slice(2).map((id) => shown.get(id) as number);
    const days = enrollmentIds.slice(0, 2).map((id) => shown.get(id) as number);
    expect(Math.max(...nights)).toBeLessThanOrEqual(T0 + 2 * HOUR);
    for (const at of days) expect([T0, T0 + 23 * HOUR, T0 + 24 * HOUR]).toContain(at);
    for (const step of [HOUR, HOUR, 21 * HOUR, HOUR]) {
      deps.clock.advance(step);
      await sendDueEmails(deps);
    }
    expect(sink.accepted).toHaveLength(4);
    for (const [id, at] of shown) expect((await outboxRow(deps, id)).sentAt).toBe(at);
  });

  it('under a daily cap, one read of the mailbox serves a pass: not one per deferred message', async () => {
    const { deps, sink } = await world(t, { records: 30, limits: '?dailyCap=3&minSpacingMs=0' });
    // The real repository, its reads of the mail_sends log counted.
    const { mailboxes } = deps.store;
    let reads = 0;
    for (const name of ['sendWindow', 'sendsSince'] as const) {
      const read = mailboxes[name].bind(mailboxes) as (...args: unknown[]) => Promise<never>;
      (mailboxes as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        reads++;
        return read(...args);
      };
    }
    expect(await sendDueEmails(deps, { concurrency: 4 })).toMatchObject({ sent: 3, deferred: 27 });
    expect(sink.accepted).toHaveLength(3);
    // The 3 sends' looks (the cheap one and the one under the lock, 4 in flight), the look that found
    // the cap full, and the pass's one read for the slots: each deferral after those reads nothing.
    expect(reads).toBeLessThanOrEqual(16);
  });

  it('sends a batch with several messages in flight: one message per step, every enrollment moved on', async () => {
    const { deps, sink, enrollmentIds } = await world(t, { records: 12 });
    const result = await sendDueEmails(deps, { concurrency: 4, batchSize: 5 });
    expect(result).toMatchObject({ sent: 12, failed: 0, unknown: 0 });
    expect(sink.accepted).toHaveLength(12);
    const ids = await Promise.all(sink.accepted.map(async (raw) => (await simpleParser(raw)).messageId));
    expect(new Set(ids).size).toBe(12);
    for (const enrollmentId of enrollmentIds)
      expect(await stepStates(deps, enrollmentId)).toEqual(['a1:completed', 't1:next']);
    expect((await sendDueEmails(deps, { concurrency: 4 })).sent).toBe(0);
  });

  it('records answers as they come, not at the batch end: a crash leaves only the message in flight unknown', async () => {
    // The fourth message gets no answer: while the sender waits for it, the first three must be recorded,
    // their enrollments moved on (before, a crash there left all four `sending` and their enrollments stuck).
    const { deps, sink, enrollmentIds } = await world(t, {
      records: 5,
      plan: (n) => (n === 4 ? 'hang' : 'accept'), // n counts the messages received, this one included
    });
    const pass = sendDueEmails(deps, { concurrency: 1, batchSize: 50, settleWithinMs: 0 });
    const deadline = Date.now() + 10_000;
    while (sink.received.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(sink.received).toHaveLength(4);
    const states = await Promise.all(enrollmentIds.map((id) => stepStates(deps, id)));
    const moved = states.filter((s) => s.join() === 'a1:completed,t1:next');
    expect(moved).toHaveLength(3);
    const rows = await Promise.all(enrollmentIds.map((id) => outboxRow(deps, id)));
    expect(rows.map((r) => r.status).sort()).toEqual(['pending', 'sending', 'sent', 'sent', 'sent']);
    expect(await pass).toMatchObject({ sent: 4, unknown: 1 });
  });

  it('a database busy while the answers are recorded is waited out: every message sent once, every enrollment moved on', async () => {
    // Another process holds the database (SQLite's write lock, a PostgreSQL table lock) from the moment the
    // first message is in until a second later, longer than the store waits for it. Before, the failed
    // commit fell back to marking the rows `sent` without their events: enrollments stuck on the email.
    const store = await impatientStore(t, 200);
    let lock: HeldLock | null = null;
    try {
      const { deps, sink, enrollmentIds } = await world(t, {
        records: 3,
        store,
        beforeAnswer: async (n) => {
          if (n !== 1) return;
          lock = await holdWriteLock(t, 'enrollments');
          const held = lock;
          setTimeout(() => void held.release(), 1_000);
        },
      });
      const result = await sendDueEmails(deps, { concurrency: 1, settleWithinMs: 0 });
      expect(lock).not.toBeNull();
      expect(result).toMatchObject({ sent: 3, unknown: 0 });
      expect(sink.accepted).toHaveLength(3);
      for (const enrollmentId of enrollmentIds) {
        expect((await outboxRow(deps, enrollmentId)).status).toBe('sent');
        expect(await stepStates(deps, enrollmentId)).toEqual(['a1:completed', 't1:next']);
      }
    } finally {
      await (lock as HeldLock | null)?.release();
      await store.close();
    }
  });

  it('a stopping sender ends its pass after the batch in hand, not after the whole backlog', async () => {
    const { deps, sink } = await world(t, { records: 6 });
    let batches = 0;
    const result = await sendDueEmails(deps, { batchSize: 2, keepGoing: () => batches++ < 1 });
    expect(result.sent).toBe(2);
    expect(sink.accepted).toHaveLength(2);
    expect((await sendDueEmails(deps, { batchSize: 2 })).sent).toBe(4);
  });

  it('a pass told to stop starts no more exchanges, gives back the rows it holds, and breaks off when told', async () => {
    // The first message gets no answer; the pass is told to stop while it waits, then to break it off.
    const { deps, sink } = await world(t, { records: 5, plan: (n) => (n === 1 ? 'hang' : 'accept') });
    const stop = new AbortController();
    const breakOff = new AbortController();
    const pass = sendDueEmails(deps, { concurrency: 1, stop: stop.signal, breakOff: breakOff.signal });
    const deadline = Date.now() + 5_000;
    while (sink.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(sink.received).toHaveLength(1);
    stop.abort();
    breakOff.abort();
    // Handed over and broken off: send_unknown (the crash rule); the four others never went out.
    expect(await pass).toMatchObject({ sent: 0, unknown: 1, brokenOff: 1, retried: 0 });
    const unknown = (await deps.store.outbox.listByStatus('send_unknown')).items;
    expect(unknown).toHaveLength(1);
    expect(unknown[0]?.lastError).toMatch(/broken off/);
    const pending = (await deps.store.outbox.listByStatus('pending')).items;
    expect(pending).toHaveLength(4);
    // Given back as they were: not attempted, still due, their claim released.
    for (const row of pending) expect(row).toMatchObject({ attempts: 0, availableAt: T0, leaseUntil: null });
    expect(sink.received).toHaveLength(1);
    // So the next pass takes them at once (the clock has not moved past the claim's lease).
    expect((await sendDueEmails(deps)).sent).toBe(4);
    expect(sink.accepted).toHaveLength(4);
    expect(sink.received).toHaveLength(5);
  });

  it('keeps the spacing with several messages in flight: one message, the others wait', async () => {
    const { deps, sink } = await world(t, { records: 6, limits: '?dailyCap=3&minSpacingMs=20000' });
    expect(await sendDueEmails(deps, { concurrency: 4 })).toMatchObject({ sent: 1, deferred: 5 });
    expect(sink.accepted).toHaveLength(1);
  });

  it('skips a suppressed address: no message, the step is skipped with reason suppressed', async () => {
    const { deps, sink, enrollmentIds } = await world(t);
    const [enrollmentId = ''] = enrollmentIds;
    await suppress(deps, { email: 'ADA.0@customer.example', reason: 'unsubscribed' });
    expect((await sendDueEmails(deps)).suppressed).toBe(1);
    expect(sink.received).toHaveLength(0);
    const row = await outboxRow(deps, enrollmentId);
    expect(row).toMatchObject({ status: 'dropped', lastError: 'suppressed' });
    const steps = await deps.store.enrollments.listSteps(enrollmentId);
    expect(steps[0]).toMatchObject({
      id: stepRowId(enrollmentId, 1),
      state: 'skipped',
      outcome: 'suppressed',
    });
  });

  it('reads the sending window again at send time: time off or a new time zone after queueing holds the email', async () => {
    // T0 is Monday 09:00 UTC, inside the owner's default hours (UTC, Mon–Fri 08:00–17:00): queued for now.
    const { deps, sink, owner, enrollmentIds } = await world(t, { records: 2 });
    const [first = '', second = ''] = enrollmentIds;
    expect((await outboxRow(deps, first)).availableAt).toBe(T0);
    // The owner then takes Monday off: nothing goes out today; both wait for Tuesday 08:00.
    await deps.store.users.update(
      owner.id,
      { timeOff: [{ start: T0 - 9 * HOUR, end: T0 + 15 * HOUR }] },
      // The same instant as the user was made (a test clock stands still): the change still shows.
      T0,
    );
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 0, deferred: 2 });
    expect(sink.accepted).toHaveLength(0);
    expect((await outboxRow(deps, second)).availableAt).toBe(T0 + 23 * HOUR);
    // Back to work, but in Tokyo (UTC+9), where Tuesday 08:00 is Monday 23:00 UTC: they go then.
    await deps.store.users.update(owner.id, { timeOff: [], timezone: 'Asia/Tokyo' }, T0);
    deps.clock.advance(23 * HOUR);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 0, deferred: 2 });
    expect((await outboxRow(deps, first)).availableAt).toBe(T0 + 14 * HOUR + DAY);
    deps.clock.advance(14 * HOUR + DAY - 23 * HOUR);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 2 });
    expect(sink.accepted).toHaveLength(2);
  });

  it("a record handed to another seller while its email waits is sent in the new owner's hours, as theirs", async () => {
    // Queued at T0 (Monday 09:00 UTC) in the first owner's hours; the record then goes to a seller in
    // New York (UTC−5, 08:00–17:00), where it is 04:00: the email waits for 08:00 there and goes from them.
    const { deps, sink, owner, recordIds, enrollmentIds } = await world(t);
    const [recordId = '', enrollmentId = ''] = [recordIds[0], enrollmentIds[0]];
    const newOwner = await aUser(deps.store, 'salesperson', {
      name: 'Nora New York',
      email: 'nora@stepwise.example',
      timezone: 'America/New_York',
    });
    await changeRecordOwner(deps, { id: owner.id, role: 'admin' }, recordId, newOwner.id);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 0, deferred: 1 });
    expect((await outboxRow(deps, enrollmentId)).availableAt).toBe(T0 + 4 * HOUR);
    deps.clock.advance(4 * HOUR);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 1 });
    const message = await simpleParser(sink.accepted[0] as Buffer);
    expect(message.text).toContain('Nora New York');
    expect((message.from?.value ?? []).map((a) => a.name)).toEqual(['Nora New York']);
    // The row names who sent it, for its details and a re-send.
    expect((await outboxRow(deps, enrollmentId)).payload).toMatchObject({ ownerId: newOwner.id });
  });

  it('a calendar that opens sooner brings a waiting email forward; one that does not lets it wait again', async () => {
    // T0 is Monday 09:00 UTC. The owner is off until Tuesday 08:00: the email waits for then.
    const { deps, sink, owner, enrollmentIds } = await world(t);
    const [enrollmentId = ''] = enrollmentIds;
    await updateUser(deps, owner.id, { timeOff: [{ start: T0 - 9 * HOUR, end: T0 + 15 * HOUR }] });
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 0, deferred: 1 });
    expect((await outboxRow(deps, enrollmentId)).availableAt).toBe(T0 + 23 * HOUR);
    // Another zone where it is still night (Los Angeles, 01:00): due again, placed at 08:00 there.
    await updateUser(deps, owner.id, { timeOff: [], timezone: 'America/Los_Angeles' });
    expect((await outboxRow(deps, enrollmentId)).availableAt).toBe(T0);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 0, deferred: 1 });
    expect((await outboxRow(deps, enrollmentId)).availableAt).toBe(T0 + 7 * HOUR);
    // Back in UTC, where it is 09:00 on a working day: it goes now, not at 15:00.
    deps.clock.advance(HOUR);
    await updateUser(deps, owner.id, { timezone: 'UTC' });
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 1 });
    expect(sink.accepted).toHaveLength(1);
  });

  it("a record's new time zone places its waiting email again at once, in the record's hours", async () => {
    // T0 is Monday 09:00 UTC: 01:00 in Los Angeles, where the record is; the email waits for 08:00 there.
    const { deps, sink, recordIds, enrollmentIds } = await world(t, { recipientHours: true });
    const [recordId = ''] = recordIds;
    const [enrollmentId = ''] = enrollmentIds;
    await deps.store.records.update(recordId, { timezone: 'America/Los_Angeles' }, T0);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 0, deferred: 1 });
    expect((await outboxRow(deps, enrollmentId)).availableAt).toBe(T0 + 7 * HOUR);
    // The record moves to Berlin, where it is 10:00 on a Monday: the email goes now, not at 16:00 UTC.
    await deps.store.records.update(recordId, { timezone: 'Europe/Berlin' }, T0);
    await recordTimezoneChanged(deps, [recordId]);
    expect((await outboxRow(deps, enrollmentId)).availableAt).toBe(T0);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 1 });
    expect(sink.accepted).toHaveLength(1);
  });

  it('without any mailbox, messages wait (with a warning) instead of failing', async () => {
    const { deps, enrollmentIds } = await world(t);
    const [enrollmentId = ''] = enrollmentIds;
    deps.fallbackAccount = null;
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 0, deferred: 1 });
    const row = await outboxRow(deps, enrollmentId);
    expect(row).toMatchObject({ status: 'pending', availableAt: T0 + 5 * 60_000 });
    expect(await recoverInterruptedSends(deps)).toEqual([]);
  });
});
