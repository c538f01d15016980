// The one-time set-up link (api.md "Authentication and set-up"): GET /api/setup checks it, POST /api/setup
// creates the first administrator and signs in, once; on both dialects (the use-once claim matters most on
// PostgreSQL, where two transactions run side by side).
import { expect, it } from 'vitest';
import type { EngineDeps } from '../engine/deps.js';
import type { Store } from '../engine/ports/store.js';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { verifyPassword } from './auth/password.js';
import { completeSetup, issueSetupToken, SETUP_TOKEN_TTL_MS } from './auth/setup-token.js';
import type { App } from './server.js';
import { startDialectServer } from './test-support/dialect-server.js';

const PASSWORD = 'a long administrator password';
const startServer = startDialectServer;

const check = (app: App, token: string) =>
  app.inject({ method: 'GET', url: `/api/setup?token=${encodeURIComponent(token)}` });

const complete = (app: App, token: string, body: Record<string, unknown> = {}) =>
  app.inject({
    method: 'POST',
    url: '/api/setup',
    payload: { token, email: 'Ada@Example.com', name: 'Ada Lovelace', password: PASSWORD, ...body },
  });

function expectNotFound(response: { statusCode: number; json(): unknown }) {
  expect(response.statusCode).toBe(404);
  expect(response.json()).toMatchObject({ status: 404, code: 'not_found' });
}

forEachDialect('set-up link', (t) => {
  it('creates the first administrator, signed in as after POST /api/auth/login, and only once', async () => {
    const { app, deps } = await startServer(t);
    const { token } = await issueSetupToken(deps);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    const checked = await check(app, token);
    expect(checked.statusCode).toBe(200);
    expect(checked.json()).toEqual({ valid: true });

    const created = await complete(app, token);
    expect(created.statusCode).toBe(201);
    const body = created.json() as {
      token: string;
      csrfToken: string;
      expiresAt: string;
      user: { id: string; email: string; name: string; role: string };
    };
    expect(body.user).toMatchObject({ email: 'Ada@Example.com', name: 'Ada Lovelace', role: 'admin' });
    expect(typeof body.csrfToken).toBe('string');
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(deps.clock.now());
    const cookie = created.cookies.find((c) => c.name === 'stepwise_session');
    expect(cookie?.value).toBe(body.token);
    expect(cookie?.httpOnly).toBe(true);

    // Signed in: by bearer and by the cookie.
    const me = await app.inject({
      method: 'GET',
      url: '/api/users/me',
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: body.user.id, role: 'admin' });
    const byCookie = await app.inject({
      method: 'GET',
      url: '/api/users',
      cookies: { stepwise_session: body.token },
    });
    expect(byCookie.statusCode).toBe(200);
    // The password is stored with argon2id and signs in.
    const stored = await deps.store.users.getByEmail('ada@example.com');
    expect(stored?.passwordHash?.startsWith('$argon2id$')).toBe(true);
    expect(await verifyPassword(stored?.passwordHash ?? '', PASSWORD)).toBe(true);
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'ada@example.com', password: PASSWORD },
    });
    expect(login.statusCode).toBe(200);

    // Used up: the check and a second use answer 404, and no second user appears.
    expectNotFound(await check(app, token));
    expectNotFound(await complete(app, token, { email: 'mallory@example.com' }));
    expect(await deps.store.users.count()).toBe(1);
  });

  it('lets only one of two simultaneous uses of the link through', async () => {
    const { app, deps } = await startServer(t);
    const { token } = await issueSetupToken(deps);
    const answers = await Promise.all([
      complete(app, token, { email: 'first@example.com' }),
      complete(app, token, { email: 'second@example.com' }),
      complete(app, token, { email: 'third@example.com' }),
    ]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 404, 404]);
    expect(await deps.store.users.count()).toBe(1);
  });

  // The second transaction reads the still-unused token while the first one is between creating its user
  // and committing: only the use-once claim (settings row, waited on) stops a second administrator. SQLite
  // runs one write transaction at a time, so the interleaving exists only on PostgreSQL.
  it.runIf(t.dialect === 'postgres')(
    'lets only one use through when a second transaction reads the link before the first commits',
    async () => {
      const { app, deps } = await startServer(t);
      const interleaved = interleavingStore(t.store());
      const racing: EngineDeps = { ...deps, store: interleaved };
      const { token } = await issueSetupToken(deps);
      const answers = await Promise.all([
        completeSetup(racing, token, { email: 'first@example.com', name: 'First', password: PASSWORD }),
        completeSetup(racing, token, { email: 'second@example.com', name: 'Second', password: PASSWORD }),
      ]);
      expect(answers.filter((user) => user !== null)).toHaveLength(1);
      expect(await deps.store.users.count()).toBe(1);
      expectNotFound(await check(app, token));
    },
  );

  it('is dead, even unused, once any user exists', async () => {
    const { app, deps } = await startServer(t);
    const { token } = await issueSetupToken(deps);
    await deps.store.users.create({
      id: deps.ids.newId('usr'),
      email: 'cli@example.com',
      name: 'Made with stepwise users add',
      role: 'admin',
      passwordHash: null,
      createdAt: deps.clock.now(),
    });
    expectNotFound(await check(app, token));
    expectNotFound(await complete(app, token));
    expect(await deps.store.users.count()).toBe(1);
  });

  it('expires 24 hours after it was printed (engine clock)', async () => {
    const { app, deps, clock } = await startServer(t);
    const { token, expiresAt } = await issueSetupToken(deps);
    expect(expiresAt - clock.now()).toBe(SETUP_TOKEN_TTL_MS);
    clock.advance(SETUP_TOKEN_TTL_MS - 1);
    expect((await check(app, token)).statusCode).toBe(200);
    clock.advance(1);
    expectNotFound(await check(app, token));
    expectNotFound(await complete(app, token));
    expect(await deps.store.users.count()).toBe(0);
  });

  it('refuses a wrong token, and an older link once a newer one was printed', async () => {
    const { app, deps } = await startServer(t);
    const older = (await issueSetupToken(deps)).token;
    const newer = (await issueSetupToken(deps)).token;
    expectNotFound(await check(app, older));
    expectNotFound(await complete(app, older));
    expectNotFound(await check(app, `${newer.slice(0, -1)}${newer.endsWith('A') ? 'B' : 'A'}`));
    expectNotFound(await complete(app, 'not-the-token'));
    expect(await deps.store.users.count()).toBe(0);
    expect((await check(app, newer)).statusCode).toBe(200);
  });

  it('answers 404 when no link was ever printed', async () => {
    const { app } = await startServer(t);
    expectNotFound(await check(app, 'anything'));
    expectNotFound(await complete(app, 'anything'));
  });

  it('answers 400 bad_request to a body or query of the wrong shape, and keeps the link', async () => {
    const { app, deps } = await startServer(t);
    const { token } = await issueSetupToken(deps);
    const bad: Record<string, unknown>[] = [
      { password: 'too short' }, // under MIN_PASSWORD_LENGTH (10)
      { email: 'not an email' },
      { name: '' },
      { name: '   ' },
      { role: 'salesperson' }, // no such field: the role is always admin
      { token: 5 },
      { password: undefined },
    ];
    for (const body of bad) {
      const answer = await complete(app, token, body);
      expect(answer.statusCode, JSON.stringify(body)).toBe(400);
      expect(answer.json()).toMatchObject({ code: 'bad_request' });
    }
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/setup',
      headers: { 'content-type': 'application/json' },
      payload: '{"token": ',
    });
    expect(notJson.statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/setup' })).statusCode).toBe(400);
    expect(await deps.store.users.count()).toBe(0);
    expect((await complete(app, token)).statusCode).toBe(201);
  });
});

/**
 * A store whose first transaction holds its user insert until the second transaction has read the
 * settings: the two set-up transactions then overlap on purpose.
 */
function interleavingStore(store: Store): Store {
  let started = 0;
  let secondRead = (): void => undefined;
  const secondHasRead = new Promise<void>((resolve) => {
    secondRead = resolve;
  });
  const wrap = (tx: Store, index: number): Store => {
    const settings: Store['settings'] = {
      ...bound(tx.settings),
      async get(key) {
        const value = await tx.settings.get(key);
        if (index === 1) secondRead();
        return value;
      },
    };
    const users: Store['users'] = {
      ...bound(tx.users),
      async create(user) {
        if (index === 0) await secondHasRead;
        return tx.users.create(user);
      },
    };
    return new Proxy(tx, {
      get: (target, key) =>
        key === 'settings' ? settings : key === 'users' ? users : Reflect.get(target, key, target),
    });
  };
  return new Proxy(store, {
    get(target, key) {
      if (key !== 'transaction') return Reflect.get(target, key, target);
      const transaction: Store['transaction'] = (fn) => {
        const index = started++;
        return target.transaction((tx) => fn(wrap(tx, index)));
      };
      return transaction;
    },
  });
}

/** A repository's methods bound to it, to spread into a stand-in that replaces one or two of them. */
function bound<T extends object>(repository: T): T {
  const methods: Record<string, unknown> = {};
  for (const key of Object.keys(repository)) {
    const value = (repository as Record<string, unknown>)[key];
    methods[key] = typeof value === 'function' ? value.bind(repository) : value;
  }
  return methods as T;
}
