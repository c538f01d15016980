// GET /api/sequences/{id}/enrollments?q=&sort= on both stores: a manager finds a connected record by name or
// email among the others, in each order, page by page; a salesperson finds only their own; an unknown order,
// a too long search and a cursor of another search are 400 problems; the OpenAPI document names both.
import { expect, it } from 'vitest';
import { disconnectRecords } from '../engine/apply-events.js';
import { connectRecords } from '../engine/connect.js';
import type { Role } from '../engine/ports/store.js';
import { activeSequence, aUser, definition } from '../engine/test-support/engine-world.js';
import { type DialectTest, forEachDialect } from '../storage/test-support/dialects.js';
import { createApiToken } from './auth/api-tokens.js';
import { startDialectServer } from './test-support/dialect-server.js';

interface ConnectedBody {
  enrollmentId: string;
  record: { id: string; name: string } | null;
  status: string;
  ownerId: string;
}
interface PageBody {
  items: ConnectedBody[];
  nextCursor: string | null;
}

async function startServer(t: DialectTest) {
  const { app, deps } = await startDialectServer(t);
  const tokenOf = async (role: Role) => {
    const user = await aUser(deps.store, role);
    return { user, token: (await createApiToken(deps, user.id, role)).token };
  };
  const manager = await tokenOf('sales_manager');
  const sam = await tokenOf('salesperson');
  const sara = await tokenOf('salesperson');
  const sequenceId = await activeSequence(
    deps.store,
    manager.user.id,
    definition([{ id: 't1', type: 'task', name: 'Call' }]),
  );
  const people = [
    { name: 'Ada Lovelace', email: 'ada@engines.test', owner: sam },
    { name: 'Grace Hopper', email: 'grace@navy.test', owner: sara },
    { name: 'Alan Turing', email: 'alan@bletchley.test', owner: sam },
    { name: 'Barbara Liskov', email: 'barbara@MIT.test', owner: sara },
    { name: 'Edsger Dijkstra', email: null, owner: sam },
  ];
  const ids = new Map<string, string>();
  for (const p of people) {
    const record = await deps.store.records.create({
      id: deps.ids.newId('rec'),
      type: 'lead',
      name: p.name,
      email: p.email,
      ownerId: p.owner.user.id,
      createdAt: deps.clock.now(),
    });
    ids.set(p.name, record.id);
  }
  const connected = await connectRecords(deps, {
    sequenceId,
    recordIds: [...ids.values()],
    actor: { id: manager.user.id, role: 'sales_manager' },
  });
  expect(connected.enrolled).toHaveLength(people.length);
  await disconnectRecords(deps, {
    sequenceId,
    recordIds: [ids.get('Alan Turing') ?? ''],
    actorId: manager.user.id,
  });
  const get = async (token: string, query: string) => {
    const response = await app.inject({
      method: 'GET',
      url: `/api/sequences/${sequenceId}/enrollments${query}`,
      headers: { authorization: `Bearer ${token}` },
    });
    return response;
  };
  /** Every page's items, walked with limit=1. */
  const items = async (token: string, query: string) => {
    const seen: ConnectedBody[] = [];
    let cursor: string | null = null;
    do {
      const more: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const response = await get(token, `?limit=1${query}${more}`);
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json() as PageBody;
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null && seen.length < 20);
    return seen;
  };
  const names = async (token: string, query: string) =>
    (await items(token, query)).map((item) => item.record?.name ?? '?');
  return { app, manager, sam, sara, sequenceId, ids, get, items, names };
}

forEachDialect('connected records: search and order over HTTP', (t) => {
  it('finds a record by name or email, ignoring case, in each order, with the status filter, page by page', async () => {
    const { manager, items, names } = await startServer(t);
    expect(await names(manager.token, '&q=LOVELACE')).toEqual(['Ada Lovelace']);
    expect(await names(manager.token, '&q=mit.TEST')).toEqual(['Barbara Liskov']);
    expect(await names(manager.token, '&q=a&sort=name')).toEqual([
      'Ada Lovelace',
      'Alan Turing',
      'Barbara Liskov',
      'Edsger Dijkstra',
      'Grace Hopper',
    ]);
    expect(await names(manager.token, '&q=a&sort=name&status=active')).toEqual([
      'Ada Lovelace',
      'Barbara Liskov',
      'Edsger Dijkstra',
      'Grace Hopper',
    ]);
    // The default, and `sort=status` spelled out: by status (Alan's disconnected run last), then connection
    // order; newest connected first is that order backwards within one status, and across them.
    const byStatus = await names(manager.token, '');
    expect(byStatus).toHaveLength(5);
    expect(byStatus.at(-1)).toBe('Alan Turing');
    expect(await names(manager.token, '&sort=newest&status=active')).toEqual(byStatus.slice(0, 4).reverse());
    const newest = (await items(manager.token, '&sort=newest')).map((item) => item.enrollmentId);
    expect(newest).toHaveLength(5);
    expect(newest).toEqual([...newest].sort().reverse());
    expect(await names(manager.token, '&sort=status')).toEqual(byStatus);
    expect(await names(manager.token, '&q=')).toEqual(byStatus);
    expect(await names(manager.token, '&q=nobody')).toEqual([]);
  });

  it('shows a salesperson only their own records, searched or not', async () => {
    const { sam, sara, names } = await startServer(t);
    expect(await names(sam.token, '&q=grace')).toEqual([]);
    expect(await names(sara.token, '&q=grace')).toEqual(['Grace Hopper']);
    expect(await names(sam.token, '&sort=name')).toEqual(['Ada Lovelace', 'Alan Turing', 'Edsger Dijkstra']);
    expect(await names(sara.token, '&sort=newest&q=a')).toEqual((await names(sara.token, '&q=a')).reverse());
    expect(await names(sara.token, '&q=a')).toHaveLength(2);
  });

  it('answers 400 problems for an unknown order, a too long search and a cursor of another search or order', async () => {
    const { manager, get } = await startServer(t);
    const problem = async (query: string) => {
      const response = await get(manager.token, query);
      expect(response.statusCode, `${query}: ${response.body}`).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      return response.json() as { code: string; errors: { code: string; path?: string }[] };
    };
    expect(await problem('?sort=due')).toMatchObject({ code: 'bad_request' });
    expect(await problem('?sort=NAME')).toMatchObject({ code: 'bad_request' });
    expect(await problem(`?q=${'a'.repeat(201)}`)).toMatchObject({ code: 'bad_request' });

    const first = await get(manager.token, '?limit=1&q=a&sort=name');
    const cursor = encodeURIComponent((first.json() as PageBody).nextCursor ?? '');
    expect(cursor).not.toBe('');
    for (const other of ['&q=ad&sort=name', '&q=a', '&q=a&sort=newest', '&sort=name', ''])
      expect(await problem(`?limit=1&cursor=${cursor}${other}`)).toMatchObject({
        code: 'bad_request',
        errors: [{ code: 'invalid_cursor' }],
      });
    const next = await get(manager.token, `?limit=1&q=a&sort=name&cursor=${cursor}`);
    expect(next.statusCode, next.body).toBe(200);
    expect((next.json() as PageBody).items.map((item) => item.record?.name)).toEqual(['Alan Turing']);
  });

  it('publishes q and sort in the OpenAPI document, from the route schema', async () => {
    const { app } = await startServer(t);
    const document = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, { parameters: { name: string; in: string; schema: object }[] }>>;
    };
    const parameters = document.paths['/api/sequences/{id}/enrollments']?.get?.parameters ?? [];
    const query = (name: string) => parameters.find((p) => p.in === 'query' && p.name === name);
    expect(query('sort')?.schema).toMatchObject({ enum: ['status', 'newest', 'name'] });
    expect(query('q')?.schema).toMatchObject({ type: 'string', maxLength: 200 });
  });
});
