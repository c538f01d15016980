// Every list's cursor, as a client outside sees it (a black-box run of the audits): a cursor the list did
// not hand out is a 400 problem+json `invalid_cursor` on every list route, never a 500, page one or an
// unrelated page. Random text, a key of the wrong arity or types, a cursor of another list (or of the
// same list of another parent: another record's enrollments), a value the list's sort never produces (a
// time before 1970, an id without the list's prefix, an upper-case email where it sorts by lower(email)).
// The cursors a list hands out walk it, on both dialects.
import { expect, it } from 'vitest';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { mailboxBody } from './test-support/api-harness.js';
import { startDialectServerAsAdmin } from './test-support/dialect-server.js';

type Call = Awaited<ReturnType<typeof startDialectServerAsAdmin>>['call'];

/** What each value of a list's key is, to forge one its sort could never produce. */
type Column = 'name' | 'id' | 'instant' | 'email' | 'status' | 'stepRow';

interface List {
  url: string;
  columns: Column[];
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decoded = (cursor: string): unknown[] => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));

/** Values of the column's type (or not) that no row of the list holds. */
function impossible(column: Column, value: unknown): unknown[] {
  const text = String(value);
  const stripped = text.replace(/^[a-z]+_/, '');
  switch (column) {
    case 'name':
      return [42, null, ['a']];
    case 'id':
      return ['', stripped, `zzz_${stripped}`, 7, null];
    case 'stepRow':
      return ['', stripped, text.replace(/\.\d+$/, ''), 7];
    case 'instant':
      return [-1, -Date.UTC(2026, 0, 1), 1e17, 1e20, 1.5, String(value), null];
    case 'email':
      return [text.toUpperCase(), `X${text}`, text.replace('@', ''), 7];
    case 'status':
      return ['running', 'Active', 1];
  }
}

function expectInvalidCursor(answer: Awaited<ReturnType<Call>>, what: string) {
  expect(answer.statusCode, `${what}: ${answer.body}`).toBe(400);
  expect(answer.headers['content-type'], what).toMatch(/^application\/problem\+json/);
  expect(answer.json(), what).toMatchObject({ status: 400, errors: [{ code: 'invalid_cursor' }] });
}

async function created(call: Call, url: string, payload: object): Promise<{ id: string }> {
  const answer = await call('POST', url, payload);
  expect(answer.statusCode, `${url}: ${answer.body}`).toBeLessThan(300);
  return answer.json();
}

/** Two or more rows in every list, and the parents of the lists of one parent's rows. */
async function seed(call: Call) {
  const me = (await call('GET', '/api/users/me')).json() as { id: string };
  const sellers: string[] = [];
  for (const email of ['b.seller@example.org', 'c.seller@example.org']) {
    sellers.push((await created(call, '/api/users', { email, name: email, role: 'salesperson' })).id);
  }
  const records: string[] = [];
  for (const name of ['Ada', 'Grace', 'Hedy', 'Katherine']) {
    records.push(
      (
        await created(call, '/api/records', {
          type: 'lead',
          name,
          email: `${name.toLowerCase()}@example.org`,
        })
      ).id,
    );
  }
  const templates: string[] = [];
  for (const name of ['Hello', 'Follow-up']) {
    templates.push((await created(call, '/api/email-templates', { name, subject: 'Hi', body: 'Hello' })).id);
  }
  const sequence = async (name: string, steps: object[]) => {
    const { id } = await created(call, '/api/sequences', {
      name,
      entityType: 'lead',
      definition: { start: 's1', options: { workingHours: 'none' }, steps },
    });
    await created(call, `/api/sequences/${id}/activate`, {});
    return id;
  };
  const calls = await sequence('Calls', [{ id: 's1', type: 'phone_call', name: 'Call them' }]);
  const mails = await sequence('Mails', [{ id: 's1', type: 'automated_email', templateId: templates[0] }]);
  const connect = (sequenceId: string, recordIds: string[]) =>
    created(call, `/api/sequences/${sequenceId}/enrollments`, { recordIds });
  // Ada ran both sequences (two enrollments); Ada and Grace are on the calls (the work list), Hedy and
  // Katherine get automated emails (the outbox).
  await connect(mails, [records[0] as string]);
  await created(call, `/api/sequences/${mails}/enrollments/disconnect`, { recordIds: [records[0]] });
  await connect(calls, [records[0] as string, records[1] as string]);
  await connect(mails, [records[2] as string, records[3] as string]);
  const hooks: string[] = [];
  for (const path of ['one', 'two']) {
    hooks.push(
      (await created(call, '/api/webhooks', { url: `https://example.com/${path}`, events: ['*'] })).id,
    );
  }
  for (let i = 0; i < 2; i++) await created(call, `/api/webhooks/${hooks[0]}/test`, {});
  for (const name of ['script', 'integration']) await created(call, '/api/users/me/tokens', { name });
  // One mailbox for the installation and one a seller's own.
  for (const userId of [null, sellers[0] as string])
    await created(call, '/api/mailboxes', mailboxBody(userId));
  return { me: me.id, records, calls, mails, hooks };
}

forEachDialect('cursors of every list', (t) => {
  it('refuses on every list a cursor it did not hand out (400 invalid_cursor), and walks it with its own', async () => {
    const { call } = await startDialectServerAsAdmin(t);
    const world = await seed(call);
    const lists: List[] = [
      { url: '/api/records', columns: ['name', 'id'] },
      { url: '/api/users', columns: ['email', 'id'] },
      { url: '/api/users/directory', columns: ['email', 'id'] },
      { url: '/api/sequences', columns: ['name', 'id'] },
      { url: `/api/sequences/${world.calls}/enrollments`, columns: ['status', 'id'] },
      { url: '/api/email-templates', columns: ['name', 'id'] },
      { url: '/api/worklist?when=all', columns: ['instant', 'stepRow'] },
      { url: '/api/outbox?status=pending', columns: ['instant', 'id'] },
      { url: '/api/webhooks', columns: ['instant', 'id'] },
      { url: `/api/webhooks/${world.hooks[0]}/deliveries`, columns: ['instant', 'id'] },
      { url: '/api/audit', columns: ['instant', 'id'] },
      { url: '/api/users/me/tokens', columns: ['instant', 'id'] },
      { url: `/api/users/${world.me}/tokens`, columns: ['instant', 'id'] },
      { url: '/api/mailboxes', columns: ['id'] },
      { url: `/api/records/${world.records[0]}/enrollments`, columns: ['id'] },
    ];
    const withQuery = (url: string, query: string) => `${url}${url.includes('?') ? '&' : '?'}${query}`;
    const get = (url: string, cursor: string) =>
      call('GET', withQuery(url, `cursor=${encodeURIComponent(cursor)}`));

    // Each list's first page of one, and its walk with the cursors it handed out.
    const handedOut = new Map<string, string>();
    for (const { url } of lists) {
      const first = await call('GET', withQuery(url, 'limit=1'));
      expect(first.statusCode, `${url}: ${first.body}`).toBe(200);
      const cursor = first.json().nextCursor as string | null;
      expect(cursor, `${url} has a second page`).not.toBeNull();
      handedOut.set(url, cursor as string);
      const all = (await call('GET', withQuery(url, 'limit=200'))).json().items as unknown[];
      const walked: unknown[] = [...first.json().items];
      let next: string | null = cursor;
      while (next !== null) {
        const page = await call('GET', withQuery(url, `limit=1&cursor=${encodeURIComponent(next)}`));
        expect(page.statusCode, `${url}: ${page.body}`).toBe(200);
        walked.push(...page.json().items);
        next = page.json().nextCursor;
      }
      expect(walked, url).toEqual(all);
    }

    // A cursor of another list; /api/users and /api/users/directory are one list (the directory is
    // its view for everyone), and so are a user's tokens under /me and under their id.
    const sameList = (a: string, b: string) =>
      a === b ||
      [a, b].every((url) => url === '/api/users' || url === '/api/users/directory') ||
      [a, b].every((url) => url.endsWith('/tokens'));
    for (const { url } of lists) {
      for (const [other, cursor] of handedOut) {
        if (sameList(url, other)) continue;
        expectInvalidCursor(await get(url, cursor), `${url} with the cursor of ${other}`);
      }
    }

    // The same list of another parent: another record's enrollments, sequence's enrollments, endpoint's
    // deliveries, user's tokens, owner's work, the outbox's messages of another status.
    const other = (await call('GET', '/api/users?role=salesperson')).json().items[0].id as string;
    for (const [url, elsewhere] of [
      [`/api/records/${world.records[0]}/enrollments`, `/api/records/${world.records[1]}/enrollments`],
      [`/api/sequences/${world.calls}/enrollments`, `/api/sequences/${world.mails}/enrollments`],
      [`/api/webhooks/${world.hooks[0]}/deliveries`, `/api/webhooks/${world.hooks[1]}/deliveries`],
      ['/api/users/me/tokens', `/api/users/${other}/tokens`],
      ['/api/worklist?when=all', `/api/worklist?when=all&ownerId=${other}`],
      ['/api/outbox?status=pending', '/api/outbox?status=sent'],
    ] as const) {
      expectInvalidCursor(
        await get(elsewhere, handedOut.get(url) as string),
        `${elsewhere} with ${url}'s cursor`,
      );
    }

    for (const { url, columns } of lists) {
      const own = decoded(handedOut.get(url) as string);
      const [list, ...key] = own;
      const forged: unknown[][] = [
        key, // the key without the list's name
        [list], // the list's name alone
        own.slice(0, -1), // one value short
        [...own, key.at(-1)], // one value too many
        [`${list}x`, ...key], // another name
        [list === 'records' ? 'sequences' : 'records', ...key], // another list's name
      ];
      columns.forEach((column, index) => {
        for (const value of impossible(column, key[index])) {
          forged.push([list, ...key.slice(0, index), value, ...key.slice(index + 1)]);
        }
      });
      for (const cursor of [
        'garbage',
        'not a cursor',
        Buffer.from('random bytes \u00ff\u0001').toString('base64url'),
        base64url({ list, key }),
        base64url(null),
        base64url(12),
        base64url([]),
        ...forged.map(base64url),
      ]) {
        expectInvalidCursor(
          await get(url, cursor),
          `${url} with ${Buffer.from(cursor, 'base64url').toString()}`,
        );
      }
    }
  });

  it('walks the records with the cursors it hands out after the longest names a record may have', async () => {
    const { call } = await startDialectServerAsAdmin(t);
    // 500 characters: CJK are 3 bytes each in the cursor's JSON, a control character 6 (\u0001).
    const names = [
      '界'.repeat(500),
      '界'.repeat(500),
      `${'\u0001'.repeat(499)}x`,
      `${'\u0001'.repeat(499)}x`,
    ];
    for (const name of names) await created(call, '/api/records', { type: 'lead', name });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call(
        'GET',
        `/api/records?limit=1${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
      );
      expect(page.statusCode, page.body).toBe(200);
      seen.push(...page.json().items.map((r: { name: string }) => r.name));
      cursor = page.json().nextCursor;
      expect(seen.length).toBeLessThanOrEqual(names.length);
    } while (cursor !== null);
    expect(seen.sort()).toEqual([...names].sort());
  });
});
