// GET /api/users/me says which mailbox sends the user's emails, as the sender chooses it (their own, the
// installation's, or none), so the app can tell a seller that an email they send will wait in the outbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, mailboxBody, startHarness } from './test-support/api-harness.js';

describe("the signed-in user's mailbox", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  const mailboxOf = async (who: 'salesperson' | 'seller2') =>
    (await h.as(who, { method: 'GET', url: '/api/users/me' })).json().mailbox;

  const addMailbox = async (userId: string | null) => {
    const created = await h.as('admin', {
      method: 'POST',
      url: '/api/mailboxes',
      payload: mailboxBody(userId),
    });
    expect(created.statusCode, created.body).toBe(201);
  };

  it('is none, then the default once the installation has one, then their own', async () => {
    expect(await mailboxOf('salesperson')).toBe('none');
    await addMailbox(null);
    expect(await mailboxOf('salesperson')).toBe('default');
    await addMailbox(h.users.salesperson.id);
    expect(await mailboxOf('salesperson')).toBe('own');
    expect(await mailboxOf('seller2')).toBe('default');
  });

  it("sends from the user's own address: another is refused to everyone but administrators", async () => {
    const { userId: _, ...body } = mailboxBody(null);
    const put = (who: 'salesperson' | 'sales_manager' | 'seller2' | 'admin', fromAddress: string) =>
      h.as(who, { method: 'PUT', url: '/api/users/me/mailbox', payload: { ...body, fromAddress } });
    for (const who of ['salesperson', 'sales_manager'] as const) {
      const refused = await put(who, 'ceo@example.com');
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toMatchObject({
        code: 'bad_request',
        errors: [expect.objectContaining({ code: 'from_address_not_yours', path: '/fromAddress' })],
      });
    }
    // Not a colleague's either, and a refused change leaves the stored mailbox as it was.
    const own = await put('seller2', h.users.seller2.email.toUpperCase());
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().fromAddress).toBe(h.users.seller2.email.toUpperCase());
    expect((await put('seller2', h.users.salesperson.email)).statusCode).toBe(400);
    expect((await h.as('seller2', { method: 'GET', url: '/api/users/me/mailbox' })).json().fromAddress).toBe(
      h.users.seller2.email.toUpperCase(),
    );
    // An administrator's own mailbox, like the ones they keep in Settings, may send as any address.
    const admin = await put('admin', 'ceo@example.com');
    expect(admin.statusCode, admin.body).toBe(200);
    expect(admin.json().fromAddress).toBe('ceo@example.com');
  });

  it('is the default under STEPWISE_SMTP_URL', async () => {
    const withUrl = await startHarness({ env: { STEPWISE_SMTP_URL: 'smtp://127.0.0.1:2525' } });
    try {
      expect((await withUrl.as('salesperson', { method: 'GET', url: '/api/users/me' })).json().mailbox).toBe(
        'default',
      );
    } finally {
      await withUrl.close();
    }
  });
});
