// The save-time half of STEPWISE_OUTBOUND_HOSTS over HTTP: a webhook URL, a mailbox host or an IMAP URL the
// server would refuse to connect to is answered 422 `host_not_allowed` naming the field (a literal address,
// or a name that resolves to a refused one); a name that does not resolve is saved (DNS may be down);
// loopback stays usable by default, and `public` (from the environment) refuses it, verify included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HostResolver, OutboundPolicy } from '../engine/outbound-hosts.js';
import { type SmtpSink, startSmtpSink } from '../mail/test-support/smtp-sink.js';
import { type Harness, mailboxBody, startHarness } from './test-support/api-harness.js';

const resolver: HostResolver = async (hostname) => {
  const table: Record<string, string[]> = {
    'metadata.test': ['169.254.169.254'],
    'relay.test': ['127.0.0.1'],
  };
  const addresses = table[hostname];
  if (addresses === undefined) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: 4 as const }));
};

const refusedAt = (path: string) => ({
  status: 422,
  code: 'host_not_allowed',
  errors: [expect.objectContaining({ code: 'host_not_allowed', path })],
});

describe('outbound hosts at save time (default rules)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ outbound: new OutboundPolicy({ mode: 'default', allow: [] }, { resolver }) });
  });

  afterAll(async () => {
    await h.close();
  });

  const createWebhook = (url: string) =>
    h.as('admin', { method: 'POST', url: '/api/webhooks', payload: { url, events: ['*'] } });

  it('refuses a webhook URL on a metadata or link-local address, by literal or by name', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'https://[fe80::1]/hook',
      'http://[::ffff:a9fe:a9fe]/',
      'http://0.0.0.0:8080/',
      'http://metadata.test/hook',
    ]) {
      const answer = await createWebhook(url);
      expect(answer.statusCode, url).toBe(422);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(answer.json(), url).toMatchObject(refusedAt('/url'));
    }
    expect((await createWebhook('http://metadata.test/')).json().errors[0].message).toBe(
      'metadata.test (169.254.169.254) is a link-local address (where cloud metadata services answer), which STEPWISE_OUTBOUND_HOSTS=default does not let the server connect to',
    );
    const list = await h.as('admin', { method: 'GET', url: '/api/webhooks' });
    expect(list.json().items).toEqual([]);
  });

  it('keeps loopback and private webhook URLs, and a name that does not resolve now', async () => {
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://10.1.2.3/hook',
      'http://relay.test/',
      'https://unknown.test/',
    ]) {
      const answer = await createWebhook(url);
      expect(answer.statusCode, `${url} ${answer.body}`).toBe(201);
    }
    const webhook = (await createWebhook('http://127.0.0.1:9/other')).json();
    const patched = await h.as('admin', {
      method: 'PATCH',
      url: `/api/webhooks/${webhook.id}`,
      payload: { url: 'http://169.254.169.254/' },
    });
    expect(patched.json()).toMatchObject(refusedAt('/url'));
    const kept = await h.as('admin', { method: 'GET', url: `/api/webhooks/${webhook.id}` });
    expect(kept.json().url).toBe('http://127.0.0.1:9/other');
  });

  it("refuses a seller's own mailbox on a metadata address (SMTP host or IMAP URL), keeps loopback", async () => {
    const { userId: _, ...body } = mailboxBody(null);
    const put = (change: object) =>
      h.as('salesperson', {
        method: 'PUT',
        url: '/api/users/me/mailbox',
        payload: { ...body, fromAddress: h.users.salesperson.email, ...change },
      });
    expect((await put({ host: '169.254.169.254' })).json()).toMatchObject(refusedAt('/host'));
    expect((await put({ host: 'metadata.test' })).json()).toMatchObject(refusedAt('/host'));
    expect((await put({ host: '127.0.0.1', imapUrl: 'imap://u:p@169.254.1.1/INBOX' })).json()).toMatchObject(
      refusedAt('/imapUrl'),
    );
    expect((await h.as('salesperson', { method: 'GET', url: '/api/users/me/mailbox' })).statusCode).toBe(404);
    const saved = await put({ host: '127.0.0.1', imapUrl: 'imap://u:p@relay.test/INBOX' });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ host: '127.0.0.1', imap: { host: 'relay.test' } });
  });

  it("refuses an administrator's mailbox on an unspecified address (create and change)", async () => {
    const created = await h.as('admin', {
      method: 'POST',
      url: '/api/mailboxes',
      payload: { ...mailboxBody(null), host: '0.0.0.0' },
    });
    expect(created.json()).toMatchObject(refusedAt('/host'));
    const ok = await h.as('admin', { method: 'POST', url: '/api/mailboxes', payload: mailboxBody(null) });
    expect(ok.statusCode, ok.body).toBe(201);
    const patched = await h.as('admin', {
      method: 'PATCH',
      url: `/api/mailboxes/${ok.json().id}`,
      payload: { host: '::' },
    });
    expect(patched.json()).toMatchObject(refusedAt('/host'));
  });
});

describe('outbound hosts with STEPWISE_OUTBOUND_HOSTS=public', () => {
  let h: Harness;
  let sink: SmtpSink;

  beforeAll(async () => {
    h = await startHarness({ env: { STEPWISE_OUTBOUND_HOSTS: 'public' } });
    sink = await startSmtpSink();
  });

  afterAll(async () => {
    await h.close();
    await sink.close();
  });

  it('refuses loopback and private hosts when saved, and a loopback mailbox when verified', async () => {
    const { userId: _, ...body } = mailboxBody(null);
    const put = await h.as('salesperson', {
      method: 'PUT',
      url: '/api/users/me/mailbox',
      payload: { ...body, fromAddress: h.users.salesperson.email, host: '127.0.0.1', port: sink.port },
    });
    expect(put.json()).toMatchObject(refusedAt('/host'));
    expect(put.json().detail).toBe(
      'The server does not connect there: 127.0.0.1 is a loopback address, which STEPWISE_OUTBOUND_HOSTS=public does not let the server connect to.',
    );
    const webhook = await h.as('admin', {
      method: 'POST',
      url: '/api/webhooks',
      payload: { url: 'http://192.168.1.10/hook', events: ['*'] },
    });
    expect(webhook.json()).toMatchObject(refusedAt('/url'));

    // A mailbox saved before the setting changed is refused when verified, without a connection.
    const mailbox = await h.deps.store.mailboxes.create({
      id: 'mbx_loopback',
      userId: null,
      name: 'Local relay',
      host: '127.0.0.1',
      port: sink.port,
      secure: false,
      username: null,
      passwordEncrypted: null,
      fromAddress: 'sales@example.com',
      fromName: null,
      dailyCap: null,
      minSpacingMs: 0,
      imapUrlEncrypted: null,
      createdAt: h.clock.now(),
    });
    const verified = await h.as('admin', { method: 'POST', url: `/api/mailboxes/${mailbox.id}/verify` });
    expect(verified.json()).toEqual({
      ok: false,
      error:
        'host_not_allowed: 127.0.0.1 is a loopback address, which STEPWISE_OUTBOUND_HOSTS=public does not let the server connect to',
    });
  });
});
