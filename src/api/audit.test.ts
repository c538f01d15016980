// GET /api/audit: administrators read the audit trail, newest first, for everything or one subject; on
// both stores. The entries are the ones the use cases write (a record's owner change here).
import { expect, it } from 'vitest';
import { aUser, someRecords } from '../engine/test-support/engine-world.js';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { createApiToken } from './auth/api-tokens.js';
import { startDialectServerAsAdmin } from './test-support/dialect-server.js';

forEachDialect('audit trail', (t) => {
  it('lists the audit trail newest first, a page at a time, and one subject on its own', async () => {
    const { deps, call, clock } = await startDialectServerAsAdmin(t);
    const [first, second] = await Promise.all([aUser(deps.store), aUser(deps.store)]);
    if (first === undefined || second === undefined) throw new Error('no users');
    const [a, b] = await someRecords(deps.store, first.id, 2);
    for (const [record, owner] of [
      [a, second.id],
      [b, second.id],
      [a, first.id],
    ] as const) {
      clock.advance(60_000);
      expect((await call('PATCH', `/api/records/${record}`, { ownerId: owner })).statusCode).toBe(200);
    }

    const all = await call('GET', '/api/audit?limit=2');
    expect(all.statusCode).toBe(200);
    const page1 = all.json();
    expect(page1.items).toHaveLength(2);
    expect(page1.items[0]).toMatchObject({
      actorId: expect.any(String),
      action: 'record.owner_changed',
      subjectType: 'record',
      subjectId: a,
      data: { from: second.id, to: first.id },
    });
    expect(Date.parse(page1.items[0].at)).toBeGreaterThan(Date.parse(page1.items[1].at));
    const page2 = (await call('GET', `/api/audit?limit=2&cursor=${page1.nextCursor}`)).json();
    expect(page2.items.map((e: { subjectId: string }) => e.subjectId)).toEqual([a]);
    expect(page2.nextCursor).toBeNull();

    const one = (await call('GET', `/api/audit?subjectType=record&subjectId=${b}`)).json();
    expect(one.items).toHaveLength(1);
    expect(one.items[0]).toMatchObject({ subjectId: b, data: { from: first.id, to: second.id } });
  });

  it('wants subjectType and subjectId together, and administrators only', async () => {
    const { deps, call, app } = await startDialectServerAsAdmin(t);
    const half = await call('GET', '/api/audit?subjectType=record');
    expect(half.statusCode).toBe(400);
    expect(half.json()).toMatchObject({
      code: 'bad_request',
      errors: [{ code: 'subject_incomplete', path: '/querystring/subjectId' }],
    });
    const manager = await aUser(deps.store, 'sales_manager');
    const { token } = await createApiToken(deps, manager.id, 'audit');
    const refused = await app.inject({
      method: 'GET',
      url: '/api/audit',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(refused.statusCode).toBe(403);
  });
});
