// The IMAP tests' world: an exit-on-reply sequence whose first emails really went out over loopback
// SMTP, and the IMAP4rev1 test server their replies and bounces are put in; the messages to put there.
import { expect } from 'vitest';
import { connectRecords } from '../../engine/connect.js';
import { emailKey } from '../../engine/enrollment-commit.js';
import { type MailSenderDeps, sendDueEmails } from '../../engine/outbox-sender.js';
import { runDue } from '../../engine/scheduler.js';
import { isSuppressed } from '../../engine/suppression.js';
import { activeSequence, aUser, definition, engineDeps, T0 } from '../../engine/test-support/engine-world.js';
import type { forEachDialect } from '../../storage/test-support/dialects.js';
import { ImapPoller, parseImapUrl } from '../inbound/imap-poller.js';
import { messageIdFor } from '../message-id.js';
import { SmtpMailer } from '../smtp-mailer.js';
import { accountFromSmtpUrl } from '../smtp-url.js';
import { type ImapTestServer, startImapTestServer } from './imap-server.js';
import { type SmtpSink, startSmtpSink } from './smtp-sink.js';

export const SECRET = 'imap-test-secret-of-at-least-32-chars';

type T = Parameters<Parameters<typeof forEachDialect>[1]>[0];

/**
 * Two leads, each sent the first email of an exit-on-reply sequence; an IMAP server for their answers,
 * with two users (`poller`, `replies`). `cleanup` is given what to close after the test, in order.
 */
export async function imapWorld(t: T, cleanup: (step: () => Promise<void>) => void) {
  const sink: SmtpSink = await startSmtpSink();
  const imap: ImapTestServer = await startImapTestServer({
    users: { poller: 'p@ss word', replies: 'r3plies' },
  });
  const mailer = new SmtpMailer({ publicUrl: 'https://sw.example', secret: SECRET });
  cleanup(() => sink.close());
  cleanup(() => imap.close());
  cleanup(() => mailer.close());
  const engine = engineDeps(t.store());
  const owner = await aUser(engine.store, 'admin');
  await engine.store.emailTemplates.create({
    id: 'tpl_i',
    name: 'I',
    subject: 'Hi {{ record.name }}',
    body: 'Shall we talk?',
    createdAt: T0,
  });
  const sequenceId = await activeSequence(
    engine.store,
    owner.id,
    definition(
      [
        { id: 'a1', type: 'automated_email', templateId: 'tpl_i', next: 't1' },
        { id: 't1', type: 'task', name: 'Follow up' },
      ],
      { exitOnReply: true, workingHours: 'none' },
    ),
  );
  const leads: Record<'ada' | 'bob', { recordId: string; enrollmentId: string; messageId: string }> = {
    ada: { recordId: '', enrollmentId: '', messageId: '' },
    bob: { recordId: '', enrollmentId: '', messageId: '' },
  };
  for (const name of ['ada', 'bob'] as const) {
    const record = await engine.store.records.create({
      id: engine.ids.newId('rec'),
      type: 'lead',
      name,
      email: `${name}@customer.example`,
      ownerId: owner.id,
      createdAt: T0,
    });
    const { enrolled } = await connectRecords(engine, {
      sequenceId,
      recordIds: [record.id],
      actor: { id: owner.id, role: 'admin' },
    });
    const enrollmentId = enrolled[0]?.enrollmentId ?? '';
    leads[name] = {
      recordId: record.id,
      enrollmentId,
      messageId: messageIdFor(SECRET, emailKey(enrollmentId, 1), 'stepwise.example'),
    };
  }
  await runDue(engine, { batchSize: 100, leaseOwner: 'test' });
  const senderDeps: MailSenderDeps = {
    ...engine,
    mailer,
    fallbackAccount: accountFromSmtpUrl(`smtp://127.0.0.1:${sink.port}?dailyCap=off&minSpacingMs=0`),
    defaultFrom: 'sales@stepwise.example',
    isSuppressed: (email) => isSuppressed(engine, email),
  };
  expect((await sendDueEmails(senderDeps)).sent).toBe(2);
  const url = `imap://poller:${encodeURIComponent('p@ss word')}@127.0.0.1:${imap.port}/INBOX`;
  const poller = (options = {}) => {
    const p = new ImapPoller(engine, parseImapUrl(url), { timeoutMs: 2_000, ...options });
    cleanup(() => p.stop());
    return p;
  };
  const status = async (name: 'ada' | 'bob') => {
    const e = await engine.store.enrollments.get(leads[name].enrollmentId);
    return `${e?.status}:${e?.endReason ?? ''}`;
  };
  return { engine, imap, leads, poller, status, url };
}

export const reply = (inReplyTo: string, id: string) =>
  [
    'From: Ada Lovelace <ada@customer.example>',
    'To: sales@stepwise.example',
    'Subject: Re: Hi ada',
    `In-Reply-To: ${inReplyTo}`,
    `References: ${inReplyTo}`,
    `Message-ID: <${id}@customer.example>`,
    '',
    'Yes, Tuesday works.',
    '',
  ].join('\r\n');

export const bounce = (original: string) =>
  [
    'From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>',
    'To: sales@stepwise.example',
    'Subject: Undelivered Mail Returned to Sender',
    'Message-ID: <dsn1@mx.customer.example>',
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
    'Final-Recipient: rfc822; bob@customer.example',
    'Action: failed',
    'Status: 5.1.1',
    'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
    '',
    '--B',
    'Content-Type: text/rfc822-headers',
    '',
    `Message-ID: ${original}`,
    'Subject: Hi bob',
    '',
    '--B--',
    '',
  ].join('\r\n');
