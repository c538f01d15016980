// The suppression list on both dialects: lower-cased addresses, the first reason kept, paged listing.
import { expect, it } from 'vitest';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { BadRequestError } from './errors.js';
import {
  emailSuppression,
  isSuppressed,
  listSuppressions,
  suppress,
  suppressedAmong,
  unsuppress,
} from './suppression.js';
import { engineDeps, T0 } from './test-support/engine-world.js';

forEachDialect('suppression', (t) => {
  it('suppresses an address case-insensitively and keeps the first reason', async () => {
    const deps = engineDeps(t.store());
    expect(await isSuppressed(deps, 'ann@example.com')).toBe(false);
    const first = await suppress(deps, {
      email: ' Ann@Example.com ',
      reason: 'unsubscribed',
      source: 'unsubscribe_page',
    });
    expect(first).toEqual({
      added: true,
      suppression: { email: 'ann@example.com', reason: 'unsubscribed', at: T0, source: 'unsubscribe_page' },
    });
    const again = await suppress(deps, { email: 'ANN@example.com', reason: 'manual' });
    expect(again).toMatchObject({ added: false, suppression: { reason: 'unsubscribed' } });
    expect(await isSuppressed(deps, 'ANN@EXAMPLE.COM')).toBe(true);
    expect(await suppressedAmong(deps, ['ann@example.com', 'bob@example.com', 'Ann@example.com'])).toEqual(
      new Set(['ann@example.com']),
    );
    await expect(suppress(deps, { email: 'not an address', reason: 'manual' })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    expect(await unsuppress(deps, 'Ann@example.com')).toBe(true);
    expect(await unsuppress(deps, 'ann@example.com')).toBe(false);
    expect(await isSuppressed(deps, 'ann@example.com')).toBe(false);
  });

  it("gives an address's reason and time, whatever its case, and null once it is taken off", async () => {
    const deps = engineDeps(t.store());
    expect(await emailSuppression(deps, 'zoe@example.com')).toBeNull();
    await suppress(deps, { email: 'zoe@example.com', reason: 'bounced', source: 'signal' });
    expect(await emailSuppression(deps, ' Zoe@Example.COM')).toEqual({
      email: 'zoe@example.com',
      reason: 'bounced',
      at: T0,
      source: 'signal',
    });
    await unsuppress(deps, 'zoe@example.com');
    expect(await emailSuppression(deps, 'zoe@example.com')).toBeNull();
  });

  it('lists by address, page by page', async () => {
    const deps = engineDeps(t.store());
    for (const name of ['c', 'a', 'e', 'b', 'd'])
      await suppress(deps, { email: `${name}@x.org`, reason: 'bounced' });
    const first = await listSuppressions(deps, { limit: 2 });
    expect(first.items.map((s) => s.email)).toEqual(['a@x.org', 'b@x.org']);
    const second = await listSuppressions(deps, { limit: 2, cursor: first.nextCursor });
    expect(second.items.map((s) => s.email)).toEqual(['c@x.org', 'd@x.org']);
    const third = await listSuppressions(deps, { limit: 2, cursor: second.nextCursor });
    expect(third).toEqual({ items: [expect.objectContaining({ email: 'e@x.org' })], nextCursor: null });
  });
});
