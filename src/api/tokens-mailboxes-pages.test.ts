// GET /api/users/me/tokens and GET /api/mailboxes paginate like every other list (api.md): `limit`
// and `cursor`, `{items, nextCursor}`, a bad limit or a tampered cursor answered 400, a limit above
// the cap served capped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PAGE_LIMIT } from './schemas.js';
import { type Harness, mailboxBody, startHarness } from './test-support/api-harness.js';

interface Listed {
  id: string;
}

describe('token and mailbox lists, a page at a time', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    // The harness gave every user one token; the salesperson gets two more (same instant: ties on id).
    for (const name of ['script', 'integration']) {
      const created = await h.as('salesperson', {
        method: 'POST',
        url: '/api/users/me/tokens',
        payload: { name },
      });
      expect(created.statusCode).toBe(201);
    }
    for (const userId of [null, h.users.salesperson.id, h.users.seller2.id]) {
      const created = await h.as('admin', {
        method: 'POST',
        url: '/api/mailboxes',
        payload: mailboxBody(userId, `Mailbox of ${userId ?? 'the installation'}`),
      });
      expect(created.statusCode, created.body).toBe(201);
    }
  });

  afterAll(async () => {
    await h.close();
  });

  const lists = [
    { url: '/api/users/me/tokens', who: 'salesperson', total: 3 },
    { url: '/api/mailboxes', who: 'admin', total: 3 },
  ] as const;

  for (const { url, who, total } of lists) {
    const get = (query: string) => h.as(who, { method: 'GET', url: `${url}${query}` });

    it(`${url}?limit=1 walks every item once, then nextCursor is null`, async () => {
      const all = (await get('')).json();
      expect(all.items).toHaveLength(total);
      expect(all.nextCursor).toBeNull();
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const answer = await get(`?limit=1${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
        expect(answer.statusCode, answer.body).toBe(200);
        const page = answer.json() as { items: Listed[]; nextCursor: string | null };
        expect(page.items).toHaveLength(1);
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor !== null && pages <= total);
      expect(pages).toBe(total);
      expect(new Set(seen).size).toBe(total);
      expect(seen).toEqual(all.items.map((item: Listed) => item.id));
    });

    it(`${url} refuses a tampered cursor and a limit that is not a positive integer with 400`, async () => {
      const first = (await get('?limit=1')).json();
      const tampered = `${first.nextCursor.slice(0, -2)}x!`;
      for (const query of [
        '?cursor=garbage',
        `?cursor=${encodeURIComponent(tampered)}`,
        '?limit=0',
        '?limit=-1',
        '?limit=abc',
        '?limit=1.5',
      ]) {
        const answer = await get(query);
        expect(answer.statusCode, `${query}: ${answer.body}`).toBe(400);
        expect(answer.headers['content-type']).toContain('application/problem+json');
        expect(answer.json()).toMatchObject({ code: 'bad_request', errors: [expect.any(Object)] });
      }
    });

    it(`${url} serves a limit above the cap capped, as every list does`, async () => {
      const answer = await get(`?limit=${MAX_PAGE_LIMIT * 10}`);
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toMatchObject({ items: expect.any(Array), nextCursor: null });
      expect(answer.json().items).toHaveLength(total);
    });
  }

  it('lists only the caller’s own tokens', async () => {
    const mine = (await h.as('seller2', { method: 'GET', url: '/api/users/me/tokens?limit=1' })).json();
    expect(mine.items).toHaveLength(1);
    expect(mine.nextCursor).toBeNull();
  });

  it('declares limit and cursor in the OpenAPI document', async () => {
    const document = (await h.as('anonymous', { method: 'GET', url: '/api/openapi.json' })).json();
    for (const path of ['/api/users/me/tokens', '/api/mailboxes']) {
      const names = (document.paths[path].get.parameters as { name: string; in: string }[])
        .filter((parameter) => parameter.in === 'query')
        .map((parameter) => parameter.name);
      expect(names, path).toEqual(expect.arrayContaining(['limit', 'cursor']));
    }
  });
});
