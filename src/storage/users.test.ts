// Users, API tokens and sessions on both dialects.
import { expect, it } from 'vitest';
import { DEFAULT_WORKING_HOURS, StoreConflictError, StoreValidationError } from '../engine/ports/store.js';
import { forEachDialect } from './test-support/dialects.js';
import { allPages, aUser, T0, testId } from './test-support/fixtures.js';

forEachDialect('users', (t) => {
  it('finds a user by email folding only ASCII letters, on both stores alike (non-ASCII letters as written)', async () => {
    const store = t.store();
    const olaf = await store.users.create(aUser({ email: 'Ölaf.X@Example.com' }));
    const upper = await store.users.create(aUser({ email: 'Émile.X@example.com' }));
    const lower = await store.users.create(aUser({ email: 'émile.X@example.com' }));
    expect((await store.users.getByEmail('Ölaf.X@Example.com'))?.id).toBe(olaf.id);
    expect((await store.users.getByEmail('ÖLAF.x@example.COM'))?.id).toBe(olaf.id);
    expect((await store.users.getByEmail('Émile.x@EXAMPLE.com'))?.id).toBe(upper.id);
    expect((await store.users.getByEmail('émile.x@example.com'))?.id).toBe(lower.id);
    expect(await store.users.getByEmail('ölaf.x@example.com')).toBeNull();
  });

  it('creates a user with the default calendar and reads it back by id and by email', async () => {
    const created = await t.store().users.create(aUser({ email: 'Ada@Example.com', role: 'admin' }));
    expect(created).toMatchObject({
      email: 'Ada@Example.com',
      role: 'admin',
      timezone: 'UTC',
      workingHours: DEFAULT_WORKING_HOURS,
      timeOff: [],
      disabled: false,
      passwordHash: null,
      createdAt: T0,
      updatedAt: T0,
    });
    expect(await t.store().users.get(created.id)).toEqual(created);
    expect(await t.store().users.getByEmail('ada@EXAMPLE.com')).toEqual(created);
    expect(await t.store().users.get('usr_missing')).toBeNull();
    expect(await t.store().users.count()).toBe(1);
    // Monday to Sunday as written, though PostgreSQL's jsonb keeps keys in its own order.
    expect(Object.keys((await t.store().users.get(created.id))?.workingHours ?? {})).toEqual([
      'mon',
      'tue',
      'wed',
      'thu',
      'fri',
      'sat',
      'sun',
    ]);
  });

  it('keeps emails unique case-insensitively (email_taken)', async () => {
    await t.store().users.create(aUser({ email: 'bo@example.com' }));
    const error = await t
      .store()
      .users.create(aUser({ email: 'BO@example.com' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreConflictError);
    expect(error).toMatchObject({ reason: 'email_taken', constraint: 'users_email_key' });
  });

  it('updates only the given fields', async () => {
    const user = await t.store().users.create(aUser({ timeOff: [{ start: T0, end: T0 + 1000 }] }));
    const hours = { ...DEFAULT_WORKING_HOURS, sat: [['10:00', '12:00']] as [string, string][] };
    const updated = await t.store().users.update(
      user.id,
      {
        name: 'Renamed',
        timezone: 'Europe/London',
        workingHours: hours,
        disabled: true,
        passwordHash: 'h',
      },
      T0 + 5,
    );
    expect(updated).toEqual({
      ...user,
      name: 'Renamed',
      timezone: 'Europe/London',
      workingHours: hours,
      disabled: true,
      passwordHash: 'h',
      updatedAt: T0 + 5,
    });
    expect(await t.store().users.update('usr_missing', { name: 'x' }, T0)).toBeNull();
  });

  it('changes only the working days a patch names, the others kept as stored', async () => {
    const user = await t
      .store()
      .users.create(aUser({ workingHours: { ...DEFAULT_WORKING_HOURS, sat: [['10:00', '12:00']] } }));
    const updated = await t
      .store()
      .users.update(user.id, { workingHours: { fri: [['08:00', '12:00']], mon: [] } }, T0 + 1);
    const expected = {
      ...DEFAULT_WORKING_HOURS,
      mon: [],
      fri: [['08:00', '12:00']],
      sat: [['10:00', '12:00']],
    };
    expect(updated?.workingHours).toEqual(expected);
    expect(Object.keys(updated?.workingHours ?? {})).toEqual([
      'mon',
      'tue',
      'wed',
      'thu',
      'fri',
      'sat',
      'sun',
    ]);
    expect((await t.store().users.get(user.id))?.workingHours).toEqual(expected);
  });

  it('lists users by email, page by page, with a role filter', async () => {
    const emails = ['c@x.io', 'A@x.io', 'e@x.io', 'b@x.io', 'd@x.io'];
    for (const email of emails) {
      await t.store().users.create(aUser({ email, role: email === 'e@x.io' ? 'admin' : 'salesperson' }));
    }
    const { items, pages } = await allPages((cursor) => t.store().users.list({ limit: 2, cursor }));
    expect(items.map((u) => u.email)).toEqual(['A@x.io', 'b@x.io', 'c@x.io', 'd@x.io', 'e@x.io']);
    expect(pages).toBe(3);
    const admins = await t.store().users.list({ role: 'admin' });
    expect(admins.items.map((u) => u.email)).toEqual(['e@x.io']);
    expect(admins.nextCursor).toBeNull();
  });

  it('rejects a cursor it did not hand out', async () => {
    await expect(t.store().users.list({ cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
      StoreValidationError,
    );
  });

  it('fetches many users at once', async () => {
    const a = await t.store().users.create(aUser());
    const b = await t.store().users.create(aUser());
    const found = await t.store().users.getMany([a.id, b.id, a.id, 'usr_missing']);
    expect(found.map((u) => u.id).sort()).toEqual([a.id, b.id].sort());
    expect(await t.store().users.getMany([])).toEqual([]);
  });
});

forEachDialect('api tokens and sessions', (t) => {
  it('stores a token by hash, touches and revokes it', async () => {
    const user = await t.store().users.create(aUser());
    const token = await t.store().apiTokens.create({
      id: testId('tok'),
      userId: user.id,
      name: 'cli',
      tokenHash: 'hash-1',
      createdAt: T0,
    });
    expect(await t.store().apiTokens.getByHash('hash-1')).toEqual(token);
    await t.store().apiTokens.touch(token.id, T0 + 10);
    expect(await t.store().apiTokens.revoke(token.id, T0 + 20)).toBe(true);
    expect(await t.store().apiTokens.revoke(token.id, T0 + 30)).toBe(false);
    expect(await t.store().apiTokens.listForUser(user.id)).toEqual([
      { ...token, lastUsedAt: T0 + 10, revokedAt: T0 + 20 },
    ]);
    const duplicate = t.store().apiTokens.create({
      id: testId('tok'),
      userId: user.id,
      name: 'again',
      tokenHash: 'hash-1',
      createdAt: T0,
    });
    await expect(duplicate).rejects.toMatchObject({ reason: 'token_taken' });
  });

  it('refuses a token for a user that does not exist (missing_reference)', async () => {
    const write = t
      .store()
      .apiTokens.create({ id: testId('tok'), userId: 'usr_none', name: 'x', tokenHash: 'h', createdAt: T0 });
    await expect(write).rejects.toMatchObject({ name: 'StoreConflictError', reason: 'missing_reference' });
  });

  it('keeps sessions until they are deleted or expired', async () => {
    const user = await t.store().users.create(aUser());
    const session = {
      id: 'sess-hash',
      userId: user.id,
      csrfToken: 'csrf',
      createdAt: T0,
      expiresAt: T0 + 1000,
    };
    expect(await t.store().sessions.create(session)).toEqual(session);
    expect(await t.store().sessions.get('sess-hash')).toEqual(session);
    await t.store().sessions.create({ ...session, id: 'old', expiresAt: T0 + 10 });
    expect(await t.store().sessions.deleteExpired(T0 + 10)).toBe(1);
    expect(await t.store().sessions.get('old')).toBeNull();
    expect(await t.store().sessions.deleteForUser(user.id)).toBe(1);
    expect(await t.store().sessions.delete('sess-hash')).toBe(false);
  });
});
