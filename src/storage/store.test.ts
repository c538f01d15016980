// Store-wide behaviour on both dialects: transactions, settings, audit log, opening by URL.
import { describe, expect, it } from 'vitest';
import { StoreConflictError } from '../engine/ports/store.js';
import { isPostgresUrl, sqlitePath } from './open-store.js';
import { forEachDialect, perDialect } from './test-support/dialects.js';
import { allPages, aUser, T0, testId } from './test-support/fixtures.js';

forEachDialect('store', (t) => {
  it('releases the database on close: a closed store answers no ping', async () => {
    // Regression: a SQLite store that had only migrated kept its file open after close().
    const store = await t.open();
    await store.close();
    await expect(store.ping()).rejects.toThrow();
  });

  it('commits a transaction that resolves', async () => {
    const user = await t.store().transaction(async (tx) => {
      const created = await tx.users.create(aUser());
      await tx.audit.append({
        id: testId('aud'),
        at: T0,
        actorId: null,
        action: 'user.created',
        subjectType: 'user',
        subjectId: created.id,
        data: null,
      });
      return created;
    });
    expect(await t.store().users.get(user.id)).toEqual(user);
  });

  it('rolls back everything when the function throws', async () => {
    const failure = new Error('boom');
    const attempt = t.store().transaction(async (tx) => {
      await tx.users.create(aUser({ id: 'usr_rolled_back' }));
      await tx.settings.set('k', 1);
      await tx.transaction(async (inner) => inner.settings.set('nested', true));
      throw failure;
    });
    await expect(attempt).rejects.toBe(failure);
    expect(await t.store().users.get('usr_rolled_back')).toBeNull();
    expect(await t.store().settings.get('k')).toBeUndefined();
    expect(await t.store().settings.get('nested')).toBeUndefined();
  });

  it('rolls back when a statement conflicts, and the store stays usable', async () => {
    await t.store().users.create(aUser({ email: 'taken@example.com' }));
    const attempt = t.store().transaction(async (tx) => {
      await tx.users.create(aUser({ id: 'usr_first' }));
      await tx.users.create(aUser({ email: 'TAKEN@example.com' }));
    });
    await expect(attempt).rejects.toBeInstanceOf(StoreConflictError);
    expect(await t.store().users.get('usr_first')).toBeNull();
    expect(await t.store().users.count()).toBe(1);
  });

  it('keeps settings as JSON; the first writer of setIfAbsent wins', async () => {
    const settings = t.store().settings;
    expect(await settings.get('secret')).toBeUndefined();
    expect(await settings.setIfAbsent('secret', 'first')).toBe('first');
    expect(await settings.setIfAbsent('secret', 'second')).toBe('first');
    await settings.set('limits', { maxActive: 250, tags: ['a'], on: true, none: null });
    expect(await settings.get('limits')).toEqual({ maxActive: 250, tags: ['a'], on: true, none: null });
  });

  it('lists the audit log newest first, for one subject or all', async () => {
    const at = [T0 + 3, T0 + 1, T0 + 2, T0 + 2];
    for (const [i, time] of at.entries()) {
      await t.store().audit.append({
        id: `aud_${i}`,
        at: time,
        actorId: 'usr_1',
        action: 'sequence.updated',
        subjectType: 'sequence',
        subjectId: i === 1 ? 'seq_other' : 'seq_1',
        data: { i },
      });
    }
    const all = await allPages((cursor) => t.store().audit.list({ limit: 1, cursor }));
    expect(all.items.map((e) => e.id)).toEqual(['aud_0', 'aud_3', 'aud_2', 'aud_1']);
    const one = await t.store().audit.list({ subject: { type: 'sequence', id: 'seq_1' }, limit: 2 });
    expect(one.items.map((e) => e.id)).toEqual(['aud_0', 'aud_3']);
    expect(one.items[0]?.data).toEqual({ i: 0 });
    expect(one.nextCursor).not.toBeNull();
  });

  it('says which dialect it is and what it can do', async () => {
    await t.store().ping();
    expect(t.store().dialect).toBe(t.dialect);
    expect(t.store().capabilities.supportsSkipLocked).toBe(
      perDialect(t.dialect, { sqlite: false, postgres: true }),
    );
    expect(t.store().capabilities.concurrentWriters).toBe(
      perDialect(t.dialect, { sqlite: false, postgres: true }),
    );
  });
});

describe('DATABASE_URL', () => {
  it('picks PostgreSQL for postgres:// and postgresql:// and SQLite for everything else', () => {
    expect(isPostgresUrl('postgres://u@h/db')).toBe(true);
    expect(isPostgresUrl('postgresql://u@h/db')).toBe(true);
    expect(isPostgresUrl('./stepwise.db')).toBe(false);
    expect(sqlitePath('sqlite:./data/x.db')).toBe('./data/x.db');
    expect(sqlitePath('sqlite:///var/x.db')).toBe('/var/x.db');
    expect(sqlitePath(':memory:')).toBe(':memory:');
  });
});
