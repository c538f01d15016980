// A mailbox's IMAP URL (where its replies and bounces are polled) through the HTTP API, on both the admin
// routes and /api/users/me/mailbox: write-only like the password (stored encrypted as a whole, answered
// as `imap` without the password); a string sets it, null or "" clears it, absent keeps it; a URL that
// is not an IMAP one is a 400 naming /imapUrl, never a 500, and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptMailboxPassword } from '../mail/mailbox-password.js';
import { type Harness, mailboxBody, startHarness } from './test-support/api-harness.js';

const SECRET = 'mailbox-imap-test-secret-of-32-chars';
const IMAP_URL = 'imaps://sales%40corp.example:s3cret%2Fpass@imap.corp.example/Replies';
const IMAP_VIEW = {
  host: 'imap.corp.example',
  port: 993,
  secure: true,
  mailbox: 'Replies',
  username: 'sales@corp.example',
};
const INVALID = [
  'not a url',
  'https://u:p@imap.example',
  'imap://imap.example/INBOX',
  'imaps://u:p@imap.example:99999',
  'imap://u%E0%A4%A:p@imap.example',
  'imap:///INBOX',
];

describe('a mailbox’s IMAP URL', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env: { STEPWISE_SECRET: SECRET } });
  });
  afterAll(async () => {
    await h.close();
  });

  const storedUrl = async (id: string) => {
    const stored = (await h.deps.store.mailboxes.get(id))?.imapUrlEncrypted ?? null;
    return stored === null ? null : decryptMailboxPassword(SECRET, stored);
  };

  const expectInvalid = (response: {
    statusCode: number;
    headers: Record<string, unknown>;
    json(): unknown;
  }) => {
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      code: 'bad_request',
      errors: [{ code: 'invalid_imap_url', path: '/imapUrl' }],
    });
  };

  it('admins set, keep, change and clear it; it is stored encrypted and never answered with its password', async () => {
    const created = await h.as('admin', {
      method: 'POST',
      url: '/api/mailboxes',
      payload: { ...mailboxBody(null), imapUrl: IMAP_URL },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().imap).toEqual(IMAP_VIEW);
    expect(created.body).not.toContain('s3cret');
    const id: string = created.json().id;
    const row = await h.deps.store.mailboxes.get(id);
    expect(row?.imapUrlEncrypted).not.toContain('s3cret');
    expect(await storedUrl(id)).toBe(IMAP_URL);

    const patch = (payload: object) =>
      h.as('admin', { method: 'PATCH', url: `/api/mailboxes/${id}`, payload });
    // Absent: kept.
    expect((await patch({ name: 'Renamed' })).json().imap).toEqual(IMAP_VIEW);
    const one = await h.as('admin', { method: 'GET', url: `/api/mailboxes/${id}` });
    expect(one.json().imap).toEqual(IMAP_VIEW);
    const list = await h.as('admin', { method: 'GET', url: '/api/mailboxes' });
    expect(list.json().items.find((m: { id: string }) => m.id === id).imap).toEqual(IMAP_VIEW);
    expect(list.body).not.toContain('s3cret');

    expect((await patch({ imapUrl: 'imap://bob:pw@127.0.0.1:1143' })).json().imap).toEqual({
      host: '127.0.0.1',
      port: 1143,
      secure: false,
      mailbox: 'INBOX',
      username: 'bob',
    });
    expect((await patch({ imapUrl: null })).json().imap).toBeNull();
    expect(await storedUrl(id)).toBeNull();
    expect((await patch({ imapUrl: IMAP_URL })).json().imap).toEqual(IMAP_VIEW);
    expect((await patch({ imapUrl: '' })).json().imap).toBeNull();

    // A mailbox made without one has none.
    const plain = await h.as('admin', {
      method: 'POST',
      url: '/api/mailboxes',
      payload: mailboxBody(h.users.seller2.id),
    });
    expect(plain.json().imap).toBeNull();
  });

  it('answers 400 invalid_imap_url at /imapUrl for a URL that is not an IMAP one, and changes nothing', async () => {
    const created = await h.as('admin', {
      method: 'POST',
      url: '/api/mailboxes',
      payload: { ...mailboxBody(h.users.sales_manager.id), imapUrl: IMAP_URL },
    });
    const id: string = created.json().id;
    for (const imapUrl of INVALID) {
      expectInvalid(
        await h.as('admin', { method: 'PATCH', url: `/api/mailboxes/${id}`, payload: { imapUrl } }),
      );
      expectInvalid(
        await h.as('admin', {
          method: 'POST',
          url: '/api/mailboxes',
          payload: { ...mailboxBody(h.users.sequence_manager.id), imapUrl },
        }),
      );
    }
    expect(await storedUrl(id)).toBe(IMAP_URL);
    expect(await h.deps.store.mailboxes.forUser(h.users.sequence_manager.id)).toBeNull();
    // Not a string: the documented shape says so.
    const shape = await h.as('admin', {
      method: 'PATCH',
      url: `/api/mailboxes/${id}`,
      payload: { imapUrl: 5 },
    });
    expect([shape.statusCode, shape.json().errors[0].path]).toEqual([400, '/imapUrl']);
  });

  it('everyone sets, keeps and clears their own at /api/users/me/mailbox; unknown fields stay refused', async () => {
    const { userId: _, ...mailbox } = mailboxBody(null);
    const body = { ...mailbox, fromAddress: h.users.salesperson.email };
    const put = (payload: object) =>
      h.as('salesperson', { method: 'PUT', url: '/api/users/me/mailbox', payload });
    const set = await put({ ...body, imapUrl: IMAP_URL });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().imap).toEqual(IMAP_VIEW);
    expect(set.body).not.toContain('s3cret');
    expect((await put({ ...body, port: 2526 })).json()).toMatchObject({ port: 2526, imap: IMAP_VIEW });
    const got = await h.as('salesperson', { method: 'GET', url: '/api/users/me/mailbox' });
    expect(got.json().imap).toEqual(IMAP_VIEW);
    for (const imapUrl of INVALID) expectInvalid(await put({ ...body, imapUrl }));
    expect((await put({ ...body })).json().imap).toEqual(IMAP_VIEW);
    expect((await put({ ...body, imapUrl: null })).json().imap).toBeNull();
    expect((await put({ ...body, imapUrl: IMAP_URL })).json().imap).toEqual(IMAP_VIEW);
    expect((await put({ ...body, imapUrl: '' })).json().imap).toBeNull();

    const unknown = await put({ ...body, imap: IMAP_VIEW });
    expect([unknown.statusCode, unknown.json().errors[0]]).toEqual([
      400,
      expect.objectContaining({ code: 'bad_shape', path: '/imap' }),
    ]);
  });
});
