import { describe, expect, it, vi } from 'vitest';
import { WAIT_AT_END_PROBLEM } from '../designer/fixtures/index.js';
import { ApiError, NETWORK_ERROR, problemFromResponse } from './api-error.js';
import { createHttpClient } from './client.js';
import { createApi } from './endpoints.js';
import { createSessionStore } from './session.js';

const USER = { id: 'u1', email: 'ann@example.com', name: 'Ann', role: 'admin' as const, timezone: 'UTC' };

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
    map,
  };
}

function answer(status: number, body: unknown, type = 'application/json') {
  return new Response(body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': type },
  });
}

describe('problemFromResponse', () => {
  it('reads a 422 problem with errors that name their step and path', () => {
    const error = problemFromResponse(422, JSON.stringify(WAIT_AT_END_PROBLEM));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe('validation_failed');
    expect(error.status).toBe(422);
    expect(error.errors).toEqual([
      {
        code: 'wait_at_end',
        stepId: 'w2',
        path: '/definition/steps/1',
        message: expect.stringContaining('wait'),
      },
    ]);
    expect(error.errorsByStep().get('w2')?.[0]?.code).toBe('wait_at_end');
  });

  it('uses detail as the message, then title', () => {
    expect(
      problemFromResponse(409, JSON.stringify({ code: 'sequence_active', detail: 'It is active.' })).message,
    ).toBe('It is active.');
    expect(problemFromResponse(409, JSON.stringify({ code: 'conflict', title: 'Conflict' })).message).toBe(
      'Conflict',
    );
  });

  it('falls back to the status for a body that is not a problem', () => {
    const error = problemFromResponse(502, '<html>Bad gateway</html>');
    expect(error.code).toBe('http_502');
    expect(error.message).toMatch(/can’t be reached/);
    expect(problemFromResponse(401, '').code).toBe('unauthenticated');
  });

  it('drops malformed entries in errors[] but keeps the good ones', () => {
    const error = problemFromResponse(
      400,
      JSON.stringify({
        code: 'bad_request',
        errors: [null, 'x', { code: 'bad_shape', message: 'is not valid', path: '/name' }],
      }),
    );
    expect(error.errors).toEqual([{ code: 'bad_shape', message: 'is not valid', path: '/name' }]);
  });
});

describe('http client', () => {
  it('signs in, keeps the session, and sends the bearer and CSRF tokens on writes', async () => {
    const fetchFn = vi
      .fn<typeof fetch>()
      .mockResolvedValueOnce(answer(200, { token: 'st_abc', csrfToken: 'csrf1', user: USER }))
      .mockResolvedValueOnce(answer(201, { id: 's1' }))
      .mockResolvedValueOnce(answer(200, { items: [] }));
    const storage = memoryStorage();
    const session = createSessionStore(storage);
    const api = createApi(createHttpClient({ fetch: fetchFn, session }), session);
    await api.auth.signIn('ann@example.com', 'pw');
    expect(session.get()?.user.name).toBe('Ann');
    expect(createSessionStore(storage).get()?.token).toBe('st_abc');
    await api.sequences.create({ name: 'S', entityType: 'lead' });
    await api.sequences.list({ status: 'active', q: '' });
    const [, post] = fetchFn.mock.calls[1] ?? [];
    expect(post?.headers).toMatchObject({ authorization: 'Bearer st_abc', 'x-csrf-token': 'csrf1' });
    const [url, get] = fetchFn.mock.calls[2] ?? [];
    expect(url).toBe('/api/sequences?status=active');
    expect(get?.headers).not.toHaveProperty('x-csrf-token');
  });

  it('walks every page of the email templates, a sequence list and the users', async () => {
    const urls: string[] = [];
    const pages: Record<string, unknown> = {
      '/api/email-templates?limit=200': { items: [{ id: 't1' }], nextCursor: 'c1' },
      '/api/email-templates?limit=200&cursor=c1': { items: [{ id: 't2' }], nextCursor: null },
      '/api/sequences?status=inactive&limit=200': { items: [{ id: 's1' }], nextCursor: 'c2' },
      '/api/sequences?status=inactive&limit=200&cursor=c2': { items: [{ id: 's2' }] },
      '/api/users/directory?limit=200': { items: [{ id: 'u1' }], nextCursor: 'c3' },
      '/api/users/directory?limit=200&cursor=c3': { items: [{ id: 'u2' }], nextCursor: null },
      '/api/users?limit=200': { items: [{ id: 'u1' }, { id: 'u2' }], nextCursor: null },
    };
    const session = createSessionStore();
    const fetchFn = vi.fn<typeof fetch>(async (input) => {
      urls.push(String(input));
      return answer(200, pages[String(input)] ?? { items: [] });
    });
    const api = createApi(createHttpClient({ fetch: fetchFn, session }), session);
    expect((await api.emailTemplates.list()).map((t) => t.id)).toEqual(['t1', 't2']);
    expect((await api.sequences.all({ status: 'inactive' })).map((s) => s.id)).toEqual(['s1', 's2']);
    expect((await api.users.directory()).map((u) => u.id)).toEqual(['u1', 'u2']);
    expect((await api.users.list()).map((u) => u.id)).toEqual(['u1', 'u2']);
    expect(urls).toEqual(Object.keys(pages));
  });

  it('ends the session when the server answers 401', async () => {
    const session = createSessionStore();
    session.set({ token: 't', csrfToken: null, user: USER });
    const http = createHttpClient({
      fetch: async () =>
        answer(401, { code: 'unauthenticated', detail: 'Not signed in' }, 'application/problem+json'),
      session,
    });
    await expect(http.request('GET', '/api/users/me')).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(session.get()).toBeNull();
  });

  it('turns a failed connection into a network_error', async () => {
    const http = createHttpClient({
      fetch: async () => Promise.reject(new TypeError('fetch failed')),
      session: createSessionStore(),
    });
    await expect(http.request('GET', '/api/x')).rejects.toMatchObject({ code: NETWORK_ERROR, status: 0 });
  });

  it('answers undefined for 204', async () => {
    const http = createHttpClient({
      fetch: async () => new Response(null, { status: 204 }),
      session: createSessionStore(),
    });
    await expect(http.request('DELETE', '/api/sequences/s1')).resolves.toBeUndefined();
  });
});
