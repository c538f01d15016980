// Mail under the outbound rules (STEPWISE_OUTBOUND_HOSTS), against a real smtp-server and the IMAP test
// server on loopback: by default a loopback mailbox sends, verifies and is polled as always; in `public`
// mode the same mailbox is refused before any connection, with the reason where that target's errors go
// (the outbox row's last_error, the verify answer, the failed poll). A name is resolved by the policy and
// the connection goes to the address it checked; one that resolves to a refused address is refused.
import { Socket } from 'node:net';
import { afterEach, expect, it, vi } from 'vitest';
import { connectRecords } from '../engine/connect.js';
import { emailKey } from '../engine/enrollment-commit.js';
import { type HostResolver, OutboundPolicy, type OutboundRules } from '../engine/outbound-hosts.js';
import { type MailSenderDeps, sendDueEmails } from '../engine/outbox-sender.js';
import type { MailboxAccount } from '../engine/ports/mailer.js';
import { runDue } from '../engine/scheduler.js';
import { isSuppressed } from '../engine/suppression.js';
import { activeSequence, aUser, definition, engineDeps, T0 } from '../engine/test-support/engine-world.js';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { ImapPoller, parseImapUrl } from './inbound/imap-poller.js';
import { SmtpMailer } from './smtp-mailer.js';
import { accountFromSmtpUrl } from './smtp-url.js';
import { startImapTestServer } from './test-support/imap-server.js';
import { type SmtpSink, startSmtpSink } from './test-support/smtp-sink.js';
import { verifyMailbox } from './verify-mailbox.js';

const SECRET = 'a-test-secret-of-at-least-32-characters';
const DEFAULT: OutboundRules = { mode: 'default', allow: [] };
const PUBLIC: OutboundRules = { mode: 'public', allow: [] };

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function sink(): Promise<SmtpSink> {
  const started = await startSmtpSink();
  cleanup.push(() => started.close());
  return started;
}

function mailer(outbound: OutboundPolicy): SmtpMailer {
  const made = new SmtpMailer({ publicUrl: 'https://sw.example', secret: SECRET, outbound });
  cleanup.push(() => made.close());
  return made;
}

const dns =
  (table: Record<string, string[]>): HostResolver =>
  async (hostname) => {
    const addresses = table[hostname];
    if (addresses === undefined) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const account = (host: string, port: number): MailboxAccount => ({
  ...accountFromSmtpUrl(`smtp://${host}:${port}`),
  host,
});

type T = Parameters<Parameters<typeof forEachDialect>[1]>[0];

/** One automated email due, to go out through `smtp://host:port` with the mailer's rules. */
async function oneEmailDue(t: T, outbound: OutboundPolicy, host: string, port: number) {
  const engine = engineDeps(t.store());
  const deps: MailSenderDeps = {
    ...engine,
    mailer: mailer(outbound),
    fallbackAccount: accountFromSmtpUrl(`smtp://${host}:${port}?dailyCap=off&minSpacingMs=0`),
    defaultFrom: 'sales@stepwise.example',
    isSuppressed: (email) => isSuppressed(engine, email),
  };
  const owner = await aUser(deps.store, 'admin');
  await deps.store.emailTemplates.create({
    id: 'tpl_o',
    name: 'O',
    subject: 'Hello',
    body: 'Hi',
    createdAt: T0,
  });
  const sequenceId = await activeSequence(
    deps.store,
    owner.id,
    definition([{ id: 'a1', type: 'automated_email', templateId: 'tpl_o' }], { workingHours: 'none' }),
  );
  const record = await deps.store.records.create({
    id: deps.ids.newId('rec'),
    type: 'lead',
    name: 'Ada',
    email: 'ada@customer.example',
    ownerId: owner.id,
    createdAt: T0,
  });
  const { enrolled } = await connectRecords(deps, {
    sequenceId,
    recordIds: [record.id],
    actor: { id: owner.id, role: 'admin' },
  });
  await runDue(deps, { batchSize: 10, leaseOwner: 'test' });
  const key = emailKey(enrolled[0]?.enrollmentId ?? '', 1);
  const row = async () => {
    for (const status of ['pending', 'sent', 'failed'] as const) {
      const found = (await deps.store.outbox.listByStatus(status, { limit: 10 })).items.find(
        (r) => r.idempotencyKey === key,
      );
      if (found !== undefined) return found;
    }
    throw new Error('no outbox row');
  };
  return { deps, row };
}

forEachDialect('mail under the outbound rules', (t) => {
  it('sends through a loopback mailbox by default', async () => {
    const smtp = await sink();
    const { deps, row } = await oneEmailDue(t, new OutboundPolicy(DEFAULT), '127.0.0.1', smtp.port);
    expect((await sendDueEmails(deps)).sent).toBe(1);
    expect(await row()).toMatchObject({ status: 'sent' });
    expect(smtp.accepted).toHaveLength(1);
  });

  it('in public mode refuses the same mailbox: no connection, the reason in last_error, and it waits', async () => {
    const smtp = await sink();
    const { deps, row } = await oneEmailDue(t, new OutboundPolicy(PUBLIC), '127.0.0.1', smtp.port);
    expect((await sendDueEmails(deps)).retried).toBe(1);
    const refused = await row();
    expect(refused.status).toBe('pending');
    expect(refused.lastError).toBe(
      'connect: host_not_allowed: 127.0.0.1 is a loopback address, which STEPWISE_OUTBOUND_HOSTS=public does not let the server connect to',
    );
    expect(smtp.received).toHaveLength(0);
  });

  it('refuses a mail server name that resolves to a link-local address, with the name in last_error', async () => {
    const smtp = await sink();
    const outbound = new OutboundPolicy(DEFAULT, { resolver: dns({ 'smtp.test': ['169.254.10.10'] }) });
    const { deps, row } = await oneEmailDue(t, outbound, 'smtp.test', smtp.port);
    expect((await sendDueEmails(deps)).retried).toBe(1);
    expect((await row()).lastError).toMatch(
      /^connect: host_not_allowed: smtp\.test \(169\.254\.10\.10\) is a link-local address/,
    );
  });
});

it('connects to the address the policy resolved a mail server name to (send and verify)', async () => {
  const smtp = await sink();
  const table: Record<string, string[]> = { 'smtp.test': ['127.0.0.1'] };
  const outbound = new OutboundPolicy(DEFAULT, { resolver: dns(table) });
  expect(await verifyMailbox(account('smtp.test', smtp.port), SECRET, outbound, 5_000)).toEqual({ ok: true });
  const prepared = {
    messageId: '<m@x>',
    envelope: { from: 'a@x.example', to: 'b@y.example' },
    raw: Buffer.from('Subject: x\r\n\r\nhi\r\n'),
  };
  const m = mailer(outbound);
  expect(await m.deliver(account('smtp.test', smtp.port), prepared)).toMatchObject({ kind: 'sent' });
  // The name now points at the metadata service: the next connection is refused (a rebinding).
  table['smtp.test'] = ['169.254.169.254'];
  expect(await verifyMailbox(account('smtp.test', smtp.port), SECRET, outbound, 5_000)).toEqual({
    ok: false,
    error:
      'host_not_allowed: smtp.test (169.254.169.254) is a link-local address (where cloud metadata services answer), which STEPWISE_OUTBOUND_HOSTS=default does not let the server connect to',
  });
  delete table['smtp.test'];
  expect(await verifyMailbox(account('smtp.test', smtp.port), SECRET, outbound, 5_000)).toEqual({
    ok: false,
    error: 'cannot resolve smtp.test: ENOTFOUND',
  });
  expect(smtp.accepted).toHaveLength(1);
});

it('verifies a loopback mailbox by default and refuses it in public mode without connecting', async () => {
  const smtp = await sink();
  const loopback = account('127.0.0.1', smtp.port);
  const connects = vi.spyOn(Socket.prototype, 'connect');
  const refused = await verifyMailbox(loopback, SECRET, new OutboundPolicy(PUBLIC), 5_000);
  expect(refused).toEqual({
    ok: false,
    error:
      'host_not_allowed: 127.0.0.1 is a loopback address, which STEPWISE_OUTBOUND_HOSTS=public does not let the server connect to',
  });
  expect(connects).not.toHaveBeenCalled();
  expect(await verifyMailbox(loopback, SECRET, new OutboundPolicy(DEFAULT), 5_000)).toEqual({ ok: true });
  expect(connects).toHaveBeenCalled();
});

forEachDialect('IMAP polling under the outbound rules', (t) => {
  it('polls a loopback mailbox by default (through a name too) and refuses it in public mode', async () => {
    const imap = await startImapTestServer({ users: { poller: 'secret' } });
    cleanup.push(() => imap.close());
    const engine = engineDeps(t.store());
    const poller = (host: string, outbound: OutboundPolicy) => {
      const p = new ImapPoller(engine, parseImapUrl(`imap://poller:secret@${host}:${imap.port}/INBOX`), {
        timeoutMs: 2_000,
        outbound,
      });
      cleanup.push(() => p.stop());
      return p;
    };
    await expect(poller('127.0.0.1', new OutboundPolicy(PUBLIC)).pollOnce()).rejects.toThrow(
      'host_not_allowed: 127.0.0.1 is a loopback address, which STEPWISE_OUTBOUND_HOSTS=public does not let the server connect to',
    );
    const metadata = new OutboundPolicy(DEFAULT, { resolver: dns({ 'imap.test': ['fe80::1'] }) });
    await expect(poller('imap.test', metadata).pollOnce()).rejects.toThrow(
      /^host_not_allowed: imap\.test \(fe80::1\) is a link-local address/,
    );
    expect(imap.connections()).toBe(0);
    expect(await poller('127.0.0.1', new OutboundPolicy(DEFAULT)).pollOnce()).toMatchObject({ handled: 0 });
    const named = new OutboundPolicy(DEFAULT, { resolver: dns({ 'imap.test': ['127.0.0.1'] }) });
    expect(await poller('imap.test', named).pollOnce()).toMatchObject({ handled: 0 });
    expect(imap.connections()).toBe(2);
  });
});
