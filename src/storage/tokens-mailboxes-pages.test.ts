// API tokens of a user and mailboxes, a page at a time, on both dialects: keyset order with ties
// on created_at broken by id, no row twice, a tampered cursor refused.
import { expect, it } from 'vitest';
import { StoreValidationError } from '../engine/ports/store.js';
import { forEachDialect } from './test-support/dialects.js';
import { allPages, aUser, T0, testId } from './test-support/fixtures.js';

forEachDialect('api token and mailbox pages', (t) => {
  it('pages through one user’s tokens in (created_at, id) order, and only theirs', async () => {
    const [user, other] = [await t.store().users.create(aUser()), await t.store().users.create(aUser())];
    const created: string[] = [];
    for (const [i, createdAt] of [T0 + 5, T0, T0, T0 + 1, T0].entries()) {
      const token = await t.store().apiTokens.create({
        id: testId('tok'),
        userId: user.id,
        name: `t${i}`,
        tokenHash: `hash-${i}`,
        createdAt,
      });
      created.push(token.id);
    }
    await t.store().apiTokens.create({
      id: testId('tok'),
      userId: other.id,
      name: 'not mine',
      tokenHash: 'hash-other',
      createdAt: T0,
    });
    const { items, pages } = await allPages((cursor) =>
      t.store().apiTokens.listPageForUser(user.id, { limit: 2, cursor }),
    );
    expect(pages).toBe(3);
    expect(items.map((token) => token.id)).toEqual(
      (await t.store().apiTokens.listForUser(user.id)).map((token) => token.id),
    );
    expect(new Set(items.map((token) => token.id))).toEqual(new Set(created));
    const createdAts = items.map((token) => token.createdAt);
    expect(createdAts).toEqual([...createdAts].sort((a, b) => a - b));
    await expect(t.store().apiTokens.listPageForUser(user.id, { cursor: 'garbage' })).rejects.toBeInstanceOf(
      StoreValidationError,
    );
  });

  it('pages through mailboxes in id order', async () => {
    const users = [await t.store().users.create(aUser()), await t.store().users.create(aUser())];
    for (const userId of [null, ...users.map((user) => user.id)]) {
      await t.store().mailboxes.create({
        id: testId('mbx'),
        userId,
        host: 'smtp.example.com',
        port: 587,
        createdAt: T0,
      });
    }
    const { items, pages } = await allPages((cursor) => t.store().mailboxes.listPage({ limit: 1, cursor }));
    expect(pages).toBe(3);
    expect(items).toEqual(await t.store().mailboxes.list());
    await expect(
      t.store().mailboxes.listPage({ cursor: 'WzFd' /* [1]: a number where an id belongs */ }),
    ).rejects.toMatchObject({
      code: 'invalid_cursor',
    });
  });
});
