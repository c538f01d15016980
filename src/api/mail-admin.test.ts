// Mailboxes and the send_unknown outbox through the HTTP API: the password is write-only (stored
// encrypted, answered as hasPassword), verify talks to a real SMTP server on loopback, and a message
// left send_unknown is shown with its rendered message, then re-sent or dropped (409 otherwise).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRecords } from '../engine/connect.js';
import { runDue } from '../engine/scheduler.js';
import { activeSequence, definition } from '../engine/test-support/engine-world.js';
import { decryptMailboxPassword } from '../mail/mailbox-password.js';
import { type SmtpSink, startSmtpSink } from '../mail/test-support/smtp-sink.js';
import { type Harness, startHarness } from './test-support/api-harness.js';

const SECRET = 'mail-admin-test-secret-of-32-chars!';

describe('mailboxes and the outbox (admin)', () => {
  let h: Harness;
  let sink: SmtpSink;

  beforeAll(async () => {
    h = await startHarness({ env: { STEPWISE_SECRET: SECRET, STEPWISE_PUBLIC_URL: 'https://sw.example' } });
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
    await h.close();
  });

  const body = (port: number) => ({
    name: 'Sales team',
    host: '127.0.0.1',
    port,
    secure: false,
    username: 'sales',
    password: 'hunter2-very-secret',
    fromAddress: 'sales@stepwise.example',
    fromName: 'Stepwise Sales',
  });

  it('creates, lists, changes, verifies and deletes a mailbox; the password never comes back', async () => {
    const created = await h.as('admin', {
      method: 'POST',
      url: '/api/mailboxes',
      payload: { ...body(sink.port), userId: null },
    });
    expect(created.statusCode).toBe(201);
    const mailbox = created.json();
    expect(mailbox).toMatchObject({
      userId: null,
      name: 'Sales team',
      hasPassword: true,
      dailyCap: 400,
      minSpacingSeconds: 20,
      sentLast24h: 0,
      fromName: 'Stepwise Sales',
    });
    expect(created.body).not.toContain('hunter2');
    const stored = await h.deps.store.mailboxes.get(mailbox.id);
    expect(stored?.passwordEncrypted).not.toContain('hunter2');
    expect(decryptMailboxPassword(SECRET, stored?.passwordEncrypted ?? '')).toBe('hunter2-very-secret');

    const again = await h.as('admin', {
      method: 'POST',
      url: '/api/mailboxes',
      payload: { ...body(1), userId: null },
    });
    expect([again.statusCode, again.json().code]).toEqual([409, 'mailbox_exists']);
    const nobody = await h.as('admin', {
      method: 'POST',
      url: '/api/mailboxes',
      payload: { ...body(1), userId: 'usr_nobody' },
    });
    expect([nobody.statusCode, nobody.json().code]).toEqual([422, 'unknown_user']);
    const badPort = await h.as('admin', {
      method: 'POST',
      url: '/api/mailboxes',
      payload: { ...body(0), userId: null },
    });
    expect(badPort.statusCode).toBe(400);
    expect(badPort.headers['content-type']).toContain('application/problem+json');

    const list = await h.as('admin', { method: 'GET', url: '/api/mailboxes' });
    expect(list.json().items.map((m: { id: string }) => m.id)).toContain(mailbox.id);
    expect(list.body).not.toContain('password"');

    const patched = await h.as('admin', {
      method: 'PATCH',
      url: `/api/mailboxes/${mailbox.id}`,
      payload: { dailyCap: null, minSpacingSeconds: 0, name: 'Renamed' },
    });
    expect(patched.json()).toMatchObject({
      dailyCap: null,
      minSpacingSeconds: 0,
      name: 'Renamed',
      hasPassword: true,
    });

    const verified = await h.as('admin', { method: 'POST', url: `/api/mailboxes/${mailbox.id}/verify` });
    expect(verified.json()).toEqual({ ok: true });
    const cleared = await h.as('admin', {
      method: 'PATCH',
      url: `/api/mailboxes/${mailbox.id}`,
      payload: { port: 1, password: null },
    });
    expect(cleared.json()).toMatchObject({ port: 1, hasPassword: false });
    const refused = await h.as('admin', { method: 'POST', url: `/api/mailboxes/${mailbox.id}/verify` });
    expect(refused.json()).toMatchObject({ ok: false, error: expect.stringContaining('ECONNREFUSED') });

    expect((await h.as('admin', { method: 'DELETE', url: `/api/mailboxes/${mailbox.id}` })).statusCode).toBe(
      204,
    );
    expect((await h.as('admin', { method: 'GET', url: `/api/mailboxes/${mailbox.id}` })).statusCode).toBe(
      404,
    );
  });

  it('a salesperson keeps their own mailbox at /api/users/me/mailbox (a password left out is kept)', async () => {
    expect((await h.as('salesperson', { method: 'GET', url: '/api/users/me/mailbox' })).statusCode).toBe(404);
    // From their own address, in any case of ASCII letters (another is refused: me-mailbox.test.ts).
    const own = (port: number) => ({ ...body(port), fromAddress: 'Salesperson@EXAMPLE.com' });
    const put = await h.as('salesperson', {
      method: 'PUT',
      url: '/api/users/me/mailbox',
      payload: own(2525),
    });
    expect(put.json()).toMatchObject({ userId: h.users.salesperson.id, hasPassword: true, port: 2525 });
    const { password: _, ...withoutPassword } = own(2526);
    const changed = await h.as('salesperson', {
      method: 'PUT',
      url: '/api/users/me/mailbox',
      payload: withoutPassword,
    });
    expect(changed.json()).toMatchObject({ id: put.json().id, port: 2526, hasPassword: true });
    expect((await h.as('salesperson', { method: 'GET', url: '/api/mailboxes' })).statusCode).toBe(403);
  });

  it('shows a send_unknown message with its rendered message; resend and drop answer 409 for other states', async () => {
    const { deps, users } = h;
    await deps.store.emailTemplates.create({
      id: 'tpl_adm',
      name: 'Adm',
      subject: 'Hello {{ record.name }}',
      body: 'Hi {{ record.name }}, see https://example.org/x',
      createdAt: deps.clock.now(),
    });
    const sequenceId = await activeSequence(
      deps.store,
      users.admin.id,
      definition([{ id: 'a1', type: 'automated_email', templateId: 'tpl_adm' }], { workingHours: 'none' }),
    );
    const record = await deps.store.records.create({
      id: deps.ids.newId('rec'),
      type: 'lead',
      name: 'Grace',
      email: 'grace@customer.example',
      ownerId: users.admin.id,
      createdAt: deps.clock.now(),
    });
    await connectRecords(deps, {
      sequenceId,
      recordIds: [record.id],
      actor: { id: users.admin.id, role: 'admin' },
    });
    await runDue(deps, { batchSize: 10, leaseOwner: 'test' });
    // A sender that died after handing the message over: `sending` past its lease → send_unknown.
    const now = deps.clock.now();
    const [row] = await deps.store.outbox.claimDue('email', now, 10, now + 60_000);
    if (row === undefined) throw new Error('nothing queued');
    await deps.store.outbox.markSending(row.id, {
      at: now,
      leaseUntil: now + 1,
      messageKeyHash: 'a'.repeat(32),
      mailboxKey: 'env',
    });
    await deps.store.mailboxes.logSend({ id: 'snd_1', mailboxKey: 'env', outboxId: row.id, at: now });
    expect(await deps.store.outbox.expireSending(now + 2)).toHaveLength(1);

    const list = await h.as('admin', { method: 'GET', url: '/api/outbox?status=send_unknown&limit=10' });
    expect(list.json()).toMatchObject({
      items: [
        {
          id: row.id,
          recordId: record.id,
          stepId: 'a1',
          to: 'grace@customer.example',
          subject: 'Hello Grace',
          status: 'send_unknown',
          mailboxId: 'env',
          handedOverAt: new Date(now).toISOString(),
        },
      ],
      nextCursor: null,
    });
    const one = (await h.as('admin', { method: 'GET', url: `/api/outbox/${row.id}` })).json();
    expect(one.message.text).toContain('Hi Grace');
    // Shown without tracking: reading it or following its link records nothing for the recipient.
    expect(one.message.html).toContain('href="https://example.org/x"');
    expect(one.message.html).not.toContain('https://sw.example/t/');
    expect(one.message.headers).toContainEqual({
      name: 'list-unsubscribe-post',
      value: 'List-Unsubscribe=One-Click',
    });
    expect(one.messageProblem).toBeNull();

    const resend = await h.as('admin', { method: 'POST', url: `/api/outbox/${row.id}/resend` });
    expect(resend.json()).toEqual({ id: row.id, status: 'pending' });
    const twice = await h.as('admin', { method: 'POST', url: `/api/outbox/${row.id}/resend` });
    expect([twice.statusCode, twice.json().code]).toEqual([409, 'not_send_unknown']);
    const drop = await h.as('admin', { method: 'POST', url: `/api/outbox/${row.id}/drop` });
    expect([drop.statusCode, drop.json().code]).toEqual([409, 'not_send_unknown']);
    expect((await h.as('admin', { method: 'GET', url: '/api/outbox?status=bogus' })).statusCode).toBe(400);
    expect((await h.as('sales_manager', { method: 'GET', url: '/api/outbox' })).statusCode).toBe(403);
  });
});
