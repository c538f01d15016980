// An administrator lists and revokes another user's API tokens (GET /api/users/{id}/tokens, DELETE
// /api/users/{id}/tokens/{tokenId}) on both stores: the token stops working at once, the revocation is in
// the audit trail with the administrator as actor, and no other role may do it.
import { expect, it } from 'vitest';
import type { Role } from '../engine/ports/store.js';
import { aUser } from '../engine/test-support/engine-world.js';
import { type DialectTest, forEachDialect } from '../storage/test-support/dialects.js';
import { createApiToken } from './auth/api-tokens.js';
import { iso } from './schemas.js';
import { startDialectServer } from './test-support/dialect-server.js';

interface TokenView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

async function startServer(t: DialectTest) {
  const { app, deps, clock } = await startDialectServer(t);
  const tokenOf = async (role: Role) => {
    const user = await aUser(deps.store, role);
    return { user, token: (await createApiToken(deps, user.id, `${role} session`)).token };
  };
  const admin = await tokenOf('admin');
  const seller = await tokenOf('salesperson');
  const call = (token: string | null, method: 'GET' | 'DELETE', url: string) =>
    app.inject({ method, url, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { app, deps, clock, admin, seller, tokenOf, call };
}

forEachDialect('administrators and other users’ API tokens', (t) => {
  it("lists a user's tokens a page at a time, without the tokens or their hashes", async () => {
    const { deps, clock, admin, seller, call } = await startServer(t);
    const extra: string[] = [];
    for (const name of ['zapier', 'crm sync']) {
      clock.advance(1_000);
      extra.push((await createApiToken(deps, seller.user.id, name)).token);
    }
    const url = `/api/users/${seller.user.id}/tokens`;
    const all = await call(admin.token, 'GET', url);
    expect(all.statusCode, all.body).toBe(200);
    const { items, nextCursor } = all.json() as { items: TokenView[]; nextCursor: string | null };
    expect(items.map((item) => item.name)).toEqual(['salesperson session', 'zapier', 'crm sync']);
    expect(nextCursor).toBeNull();
    expect(Object.keys(items[0] ?? {}).sort()).toEqual([
      'createdAt',
      'id',
      'lastUsedAt',
      'name',
      'revokedAt',
    ]);
    const stored = await deps.store.apiTokens.listForUser(seller.user.id);
    for (const secret of [seller.token, ...extra, ...stored.map((s) => s.tokenHash)])
      expect(all.body).not.toContain(secret);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=1${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const page = await call(admin.token, 'GET', `${url}${query}`);
      expect(page.statusCode, page.body).toBe(200);
      const body = page.json() as { items: TokenView[]; nextCursor: string | null };
      expect(body.items).toHaveLength(1);
      seen.push(...body.items.map((item) => item.id));
      cursor = body.nextCursor;
    } while (cursor !== null && seen.length <= items.length);
    expect(seen).toEqual(items.map((item) => item.id));

    // Only that user's tokens: the administrator's own list is separate.
    const own = (await call(admin.token, 'GET', `/api/users/${admin.user.id}/tokens`)).json();
    expect(own.items.map((item: TokenView) => item.name)).toEqual(['admin session']);

    const tampered = await call(admin.token, 'GET', `${url}?cursor=garbage`);
    expect(tampered.statusCode).toBe(400);
    expect(tampered.json()).toMatchObject({ code: 'bad_request' });
  });

  it('a user revoking their own token is audited too, with themselves as actor', async () => {
    const { deps, seller, call } = await startServer(t);
    const { id, token } = await createApiToken(deps, seller.user.id, 'old laptop');
    expect((await call(seller.token, 'DELETE', `/api/users/me/tokens/${id}`)).statusCode).toBe(204);
    expect((await call(token, 'GET', '/api/users/me')).statusCode).toBe(401);
    expect((await call(seller.token, 'DELETE', `/api/users/me/tokens/${id}`)).statusCode).toBe(204);
    expect((await deps.store.audit.list({ subject: { type: 'api_token', id } })).items).toEqual([
      expect.objectContaining({
        actorId: seller.user.id,
        action: 'api_token.revoked',
        data: { userId: seller.user.id, name: 'old laptop' },
      }),
    ]);
  });

  it('revokes one token at once, leaves the other working, audits it, and shows it revoked to its owner', async () => {
    const { deps, clock, admin, seller, call } = await startServer(t);
    const leaked = await createApiToken(deps, seller.user.id, 'leaked integration');
    expect((await call(leaked.token, 'GET', '/api/users/me')).statusCode).toBe(200);

    clock.advance(60_000);
    const revoked = await call(admin.token, 'DELETE', `/api/users/${seller.user.id}/tokens/${leaked.id}`);
    expect(revoked.statusCode, revoked.body).toBe(204);
    expect(revoked.body).toBe('');

    const refused = await call(leaked.token, 'GET', '/api/users/me');
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'unauthenticated' });
    expect((await call(seller.token, 'GET', '/api/users/me')).statusCode).toBe(200);

    const mine = (await call(seller.token, 'GET', '/api/users/me/tokens')).json() as { items: TokenView[] };
    expect(mine.items.find((item) => item.id === leaked.id)).toMatchObject({
      name: 'leaked integration',
      revokedAt: iso(clock.now()),
    });
    expect(mine.items.find((item) => item.name === 'salesperson session')?.revokedAt).toBeNull();

    const audit = await deps.store.audit.list({ subject: { type: 'api_token', id: leaked.id } });
    expect(audit.items).toEqual([
      {
        id: expect.any(String),
        at: clock.now(),
        actorId: admin.user.id,
        action: 'api_token.revoked',
        subjectType: 'api_token',
        subjectId: leaked.id,
        data: { userId: seller.user.id, name: 'leaked integration' },
      },
    ]);

    // Again, as DELETE /api/users/me/tokens/:id does: 204, the first revocation's time kept, no second entry.
    const revokedAt = mine.items.find((item) => item.id === leaked.id)?.revokedAt;
    clock.advance(60_000);
    const again = await call(admin.token, 'DELETE', `/api/users/${seller.user.id}/tokens/${leaked.id}`);
    expect(again.statusCode).toBe(204);
    const after = (await call(admin.token, 'GET', `/api/users/${seller.user.id}/tokens`)).json();
    expect(after.items.find((item: TokenView) => item.id === leaked.id)?.revokedAt).toBe(revokedAt);
    expect(
      (await deps.store.audit.list({ subject: { type: 'api_token', id: leaked.id } })).items,
    ).toHaveLength(1);
  });

  it('answers 404 for an unknown user, an unknown token, and a token of another user', async () => {
    const { deps, admin, seller, tokenOf, call } = await startServer(t);
    const other = await tokenOf('salesperson');
    const othersToken = await createApiToken(deps, other.user.id, 'not yours');
    const notFound = [
      await call(admin.token, 'GET', '/api/users/usr_nobody/tokens'),
      await call(admin.token, 'DELETE', '/api/users/usr_nobody/tokens/tok_nothing'),
      await call(admin.token, 'DELETE', `/api/users/${seller.user.id}/tokens/tok_nothing`),
      await call(admin.token, 'DELETE', `/api/users/${seller.user.id}/tokens/${othersToken.id}`),
      await call(admin.token, 'GET', `/api/users/${'x'.repeat(200)}/tokens`),
    ];
    for (const answer of notFound) {
      expect(answer.statusCode, answer.body).toBe(404);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(answer.json()).toMatchObject({ code: 'not_found' });
    }
    expect((await call(othersToken.token, 'GET', '/api/users/me')).statusCode).toBe(200);

    // Over-long ids and NUL characters are refused at the door, never a 5xx.
    for (const url of [
      `/api/users/${'x'.repeat(201)}/tokens`,
      `/api/users/${seller.user.id}/tokens/${'x'.repeat(201)}`,
      '/api/users/usr_%00/tokens',
      `/api/users/${seller.user.id}/tokens/tok_%00`,
    ]) {
      const method = url.endsWith('/tokens') ? 'GET' : 'DELETE';
      const answer = await call(admin.token, method, url);
      expect(answer.statusCode, `${url}: ${answer.body}`).toBe(400);
      expect(answer.json()).toMatchObject({ code: 'bad_request' });
    }
  });

  it('refuses every other role with 403 and no credentials with 401, revoking nothing', async () => {
    const { deps, seller, tokenOf, call } = await startServer(t);
    const target = await createApiToken(deps, seller.user.id, 'target');
    const callers: (string | null)[] = [
      (await tokenOf('sequence_manager')).token,
      (await tokenOf('sales_manager')).token,
      (await tokenOf('salesperson')).token,
      seller.token,
      null,
    ];
    for (const token of callers) {
      for (const [method, url] of [
        ['GET', `/api/users/${seller.user.id}/tokens`],
        ['DELETE', `/api/users/${seller.user.id}/tokens/${target.id}`],
      ] as const) {
        const answer = await call(token, method, url);
        const expected = token === null ? 401 : 403;
        expect(answer.statusCode, `${method} ${url}`).toBe(expected);
        expect(answer.json()).toMatchObject({ code: token === null ? 'unauthenticated' : 'forbidden' });
      }
    }
    expect((await call(target.token, 'GET', '/api/users/me')).statusCode).toBe(200);
    expect((await deps.store.audit.list({ subject: { type: 'api_token', id: target.id } })).items).toEqual(
      [],
    );
  });
});
