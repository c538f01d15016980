import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from './auth/api-tokens.js';
import { DEFAULT_BODY_LIMIT, PUBLIC_BODY_LIMIT } from './json-body.js';
import { type Harness, PASSWORD, startHarness } from './test-support/api-harness.js';

function sessionCookie(setCookie: string | string[] | undefined): string {
  const header = (Array.isArray(setCookie) ? setCookie : [setCookie ?? '']).find((c) =>
    c.startsWith('stepwise_session='),
  );
  expect(header).toBeDefined();
  return header ?? '';
}

describe('authentication', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      loginLimits: { perAccountAndAddress: 3, perAddress: 6, perAccount: 12, windowMs: 60_000 },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  const login = (email: string, password: string, remoteAddress = '10.0.0.1') =>
    h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, remoteAddress });

  it('signs in with email and password: a bearer token, an HttpOnly SameSite=Lax cookie and a CSRF token', async () => {
    const response = await login('SalesPerson@Example.com', PASSWORD, '10.0.1.1');
    expect(response.statusCode).toBe(200);
    const answer = response.json();
    expect(answer).toMatchObject({
      token: expect.any(String),
      csrfToken: expect.any(String),
      user: { email: 'salesperson@example.com', role: 'salesperson' },
    });
    expect(answer.user).not.toHaveProperty('passwordHash');
    const cookie = sessionCookie(response.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).not.toContain('Secure');

    const bearer = await h.app.inject({
      method: 'GET',
      url: '/api/users/me',
      headers: { authorization: `Bearer ${answer.token}` },
    });
    expect(bearer.statusCode).toBe(200);
    expect(bearer.json()).toMatchObject({ id: h.users.salesperson.id, csrfToken: answer.csrfToken });
    // Bearer-authenticated writes need no CSRF token.
    const write = await h.app.inject({
      method: 'POST',
      url: '/api/records',
      headers: { authorization: `Bearer ${answer.token}` },
      payload: { type: 'lead', name: 'By bearer' },
    });
    expect(write.statusCode).toBe(201);
  });

  it('takes the cookie for reads, and for writes only with the CSRF token', async () => {
    const answer = await login('sales.manager@example.com', PASSWORD, '10.0.2.1');
    const cookies = { stepwise_session: answer.json().token as string };
    const read = await h.app.inject({ method: 'GET', url: '/api/records', cookies });
    expect(read.statusCode).toBe(200);
    const payload = { type: 'lead', name: 'By cookie' };
    const noCsrf = await h.app.inject({ method: 'POST', url: '/api/records', cookies, payload });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json()).toMatchObject({ code: 'forbidden' });
    const wrongCsrf = await h.app.inject({
      method: 'POST',
      url: '/api/records',
      cookies,
      payload,
      headers: { 'x-csrf-token': 'nope' },
    });
    expect(wrongCsrf.statusCode).toBe(403);
    const withCsrf = await h.app.inject({
      method: 'POST',
      url: '/api/records',
      cookies,
      payload,
      headers: { 'x-csrf-token': answer.json().csrfToken },
    });
    expect(withCsrf.statusCode).toBe(201);
  });

  it('marks the cookie Secure when the public URL is https', async () => {
    const secure = await startHarness({ env: { STEPWISE_PUBLIC_URL: 'https://sales.example.com' } });
    const response = await secure.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'admin@example.com', password: PASSWORD },
    });
    expect(sessionCookie(response.headers['set-cookie'])).toContain('Secure');
    await secure.close();
  });

  it('answers an unknown user, a wrong password and a disabled user alike', async () => {
    const unknown = await login('nobody@example.com', PASSWORD, '10.0.3.1');
    const wrong = await login('admin@example.com', 'not the password', '10.0.3.2');
    const disabled = await h.deps.store.users.create({
      id: h.deps.ids.newId('usr'),
      email: 'gone@example.com',
      name: 'Gone',
      role: 'salesperson',
      passwordHash: h.users.admin.passwordHash,
      disabled: true,
      createdAt: h.clock.now(),
    });
    const off = await login(disabled.email, PASSWORD, '10.0.3.3');
    for (const response of [unknown, wrong, off]) {
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({
        code: 'unauthenticated',
        detail: 'The email or the password is not right.',
      });
    }
  });

  it('rate-limits sign-in per account and address, per address and per account with 429 rate_limited', async () => {
    // Per account and address: the fourth attempt from the guessing address is refused...
    for (let i = 0; i < 3; i++)
      expect((await login('sequence.manager@example.com', 'wrong', '10.1.0.99')).statusCode).toBe(401);
    const limited = await login('sequence.manager@example.com', PASSWORD, '10.1.0.99');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // ...and the account's owner still signs in from elsewhere (found by the security audit: anyone could
    // lock the administrator out for the window with ten wrong passwords).
    expect((await login('sequence.manager@example.com', PASSWORD, '10.1.1.1')).statusCode).toBe(200);
    for (let i = 0; i < 3; i++)
      expect((await login('admin@example.com', 'wrong', '10.6.6.6')).statusCode).toBe(401);
    expect((await login('admin@example.com', PASSWORD, '10.6.6.6')).statusCode).toBe(429);
    expect((await login('admin@example.com', PASSWORD, '10.0.6.1')).statusCode).toBe(200);
    // Per account from every address together (distributed guessing): 12 failures, the 13th is refused.
    for (let i = 0; i < 12; i++)
      expect((await login('seller2@example.com', 'wrong', `10.4.0.${i}`)).statusCode).toBe(401);
    expect((await login('seller2@example.com', PASSWORD, '10.4.1.1')).statusCode).toBe(429);
    // Per address: one client spraying accounts.
    for (let i = 0; i < 6; i++)
      expect((await login(`spray${i}@example.com`, 'x', '10.2.0.1')).statusCode).toBe(401);
    expect((await login('spray9@example.com', 'x', '10.2.0.1')).statusCode).toBe(429);
    // The window is wall-clock time: moving the engine's (test) clock does not end it
    // (login-limiter.test.ts shows it ending on the wall clock).
    h.clock.advance(60_000);
    expect((await login('sequence.manager@example.com', PASSWORD, '10.1.0.99')).statusCode).toBe(429);
    expect((await login('spray9@example.com', 'x', '10.2.0.1')).statusCode).toBe(429);
  });

  it('counts only failed sign-ins: many successful ones from one address are never refused', async () => {
    // The harness allows 6 failures per address; a test suite signs in far more often than that.
    for (let i = 0; i < 35; i++)
      expect((await login('sales.manager@example.com', PASSWORD, '10.3.0.1')).statusCode).toBe(200);
    // Failures still count, and a success does not wipe the address's earlier ones.
    for (let i = 0; i < 6; i++)
      expect((await login(`guess${i}@example.com`, 'x', '10.3.0.1')).statusCode).toBe(401);
    expect((await login('sales.manager@example.com', PASSWORD, '10.3.0.1')).statusCode).toBe(429);
  });

  it('signs out: the session token stops working', async () => {
    const answer = (await login('admin@example.com', PASSWORD, '10.0.4.1')).json();
    const headers = { authorization: `Bearer ${answer.token}` };
    expect((await h.app.inject({ method: 'POST', url: '/api/auth/logout', headers })).statusCode).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: '/api/users/me', headers })).statusCode).toBe(401);
  });

  it('expires sessions', async () => {
    const answer = (await login('admin@example.com', PASSWORD, '10.0.5.1')).json();
    h.clock.advance(8 * 24 * 60 * 60_000);
    const response = await h.app.inject({
      method: 'GET',
      url: '/api/users/me',
      headers: { authorization: `Bearer ${answer.token}` },
    });
    expect(response.statusCode).toBe(401);
  });

  it('takes API tokens, notes their use at most once a minute, and refuses revoked ones', async () => {
    const { id, token } = await createApiToken(h.deps, h.users.sales_manager.id, 'script');
    const headers = { authorization: `Bearer ${token}` };
    expect((await h.app.inject({ method: 'GET', url: '/api/users/me', headers })).statusCode).toBe(200);
    const first = (await h.deps.store.apiTokens.listForUser(h.users.sales_manager.id)).find(
      (t) => t.id === id,
    );
    expect(first?.lastUsedAt).toBe(h.clock.now());
    h.clock.advance(30_000);
    await h.app.inject({ method: 'GET', url: '/api/users/me', headers });
    const second = (await h.deps.store.apiTokens.listForUser(h.users.sales_manager.id)).find(
      (t) => t.id === id,
    );
    expect(second?.lastUsedAt).toBe(first?.lastUsedAt);
    await h.deps.store.apiTokens.revoke(id, h.clock.now());
    const revoked = await h.app.inject({ method: 'GET', url: '/api/users/me', headers });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it('refuses missing, malformed and forged credentials with 401', async () => {
    for (const authorization of [
      undefined,
      'Basic abc',
      'Bearer',
      'Bearer sw_forgedforgedforgedforgedforgedforged',
      'Bearer ses_forgedforgedforgedforgedforged',
    ]) {
      const response = await h.app.inject({
        method: 'GET',
        url: '/api/records',
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(response.statusCode).toBe(401);
    }
    const cookie = await h.app.inject({
      method: 'GET',
      url: '/api/records',
      cookies: { stepwise_session: 'ses_forgedforgedforgedforgedforged' },
    });
    expect(cookie.statusCode).toBe(401);
  });

  it('reads at most 16 KiB of the bodies anyone may send (sign-in, set-up, unsubscribe): 413 beyond', async () => {
    const padding = 'x'.repeat(PUBLIC_BODY_LIMIT);
    for (const url of ['/api/auth/login', '/api/setup', '/u/some.token']) {
      const response = await h.app.inject({
        method: 'POST',
        url,
        payload: { email: 'admin@example.com', password: padding, token: 'x', name: 'x' },
      });
      expect(response.statusCode, `${url}: ${response.body}`).toBe(413);
      expect(response.json()).toMatchObject({ code: 'payload_too_large' });
    }
    // A sign-in of ordinary size is read as before.
    const ordinary = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'nobody@example.com', password: 'x'.repeat(200) },
    });
    expect(ordinary.statusCode).toBe(401);
  });
});

describe('body limits of signed-in routes', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  it('8 MiB on most routes, 64 MiB only on the bulk ones (upsert, import, connect, disconnect, signals)', async () => {
    // Past 8 MiB: a salesperson's PATCH of their own profile is refused before it is parsed.
    const big = JSON.stringify({ name: 'x'.repeat(DEFAULT_BODY_LIMIT) });
    const refused = await h.as('salesperson', {
      method: 'PATCH',
      url: '/api/users/me',
      headers: { 'content-type': 'application/json' },
      payload: big,
    });
    expect(refused.statusCode).toBe(413);
    expect(refused.json()).toMatchObject({ code: 'payload_too_large' });
    // The same size is read on a bulk route: 100,000 ids of 100 characters (~10 MiB) reach the connect.
    const ids = Array.from({ length: 100_000 }, (_, i) => `rec_${String(i).padStart(96, '0')}`);
    const connect = await h.as('admin', {
      method: 'POST',
      url: '/api/sequences/seq_missing/enrollments',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ recordIds: ids }),
    });
    expect(connect.statusCode).toBe(404);
  });
});

describe('API tokens over HTTP', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  it('changes your own password: the old one stops working, every session ends, the answer signs you in', async () => {
    const login = async (password: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: h.users.seller2.email, password },
      });
    const first = await login(PASSWORD);
    expect(first.statusCode).toBe(200);
    const oldSession = { authorization: `Bearer ${first.json().token}` };

    const wrong = await h.as('seller2', {
      method: 'PUT',
      url: '/api/users/me/password',
      payload: { currentPassword: 'not my password', newPassword: 'a brand new passphrase' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors).toEqual([
      expect.objectContaining({ code: 'wrong_password', path: '/currentPassword' }),
    ]);
    const short = await h.as('seller2', {
      method: 'PUT',
      url: '/api/users/me/password',
      payload: { currentPassword: PASSWORD, newPassword: 'short' },
    });
    expect(short.statusCode).toBe(400);

    const changed = await h.as('seller2', {
      method: 'PUT',
      url: '/api/users/me/password',
      payload: { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ token: expect.any(String), user: { id: h.users.seller2.id } });
    expect(changed.headers['set-cookie']).toBeDefined();
    // The session from before is gone; the new one works; so does the new password, not the old.
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/users/me', headers: oldSession })).statusCode,
    ).toBe(401);
    const fresh = { authorization: `Bearer ${changed.json().token}` };
    expect((await h.app.inject({ method: 'GET', url: '/api/users/me', headers: fresh })).statusCode).toBe(
      200,
    );
    expect((await login(PASSWORD)).statusCode).toBe(401);
    expect((await login('a brand new passphrase')).statusCode).toBe(200);
    const audit = await h.deps.store.audit.list({ subject: { type: 'user', id: h.users.seller2.id } });
    expect(audit.items.map((e) => e.action)).toContain('user.password_changed');
  });

  it('creates a token shown once, lists it without the secret, and revokes it', async () => {
    const created = await h.as('salesperson', {
      method: 'POST',
      url: '/api/users/me/tokens',
      payload: { name: 'zapier' },
    });
    expect(created.statusCode).toBe(201);
    const { id, token } = created.json();
    expect(token).toMatch(/^sw_/);
    // A name is something to tell tokens apart by: blank is refused.
    const blank = await h.as('salesperson', {
      method: 'POST',
      url: '/api/users/me/tokens',
      payload: { name: '   ' },
    });
    expect(blank.statusCode).toBe(400);
    const headers = { authorization: `Bearer ${token}` };
    expect((await h.app.inject({ method: 'GET', url: '/api/records', headers })).statusCode).toBe(200);
    const list = (await h.as('salesperson', { method: 'GET', url: '/api/users/me/tokens' })).json();
    expect(list.items.find((t: { id: string }) => t.id === id)).toMatchObject({
      name: 'zapier',
      revokedAt: null,
    });
    expect(JSON.stringify(list)).not.toContain(token);
    expect((await h.as('seller2', { method: 'DELETE', url: `/api/users/me/tokens/${id}` })).statusCode).toBe(
      404,
    );
    expect(
      (await h.as('salesperson', { method: 'DELETE', url: `/api/users/me/tokens/${id}` })).statusCode,
    ).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: '/api/records', headers })).statusCode).toBe(401);
  });
});
