// Webhook URLs on both stores (docs/webhooks.md): a URL is taken as written or refused with
// 400 invalid_url, never repaired into another one (the URL parser drops a newline or a tab silently),
// and never holds a user name or password, which every read of the endpoint would show.
import { expect, it } from 'vitest';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { startDialectServerAsAdmin } from './test-support/dialect-server.js';

// (A NUL character is refused at the door for any text: 400 nul_character, nul-characters.ts.)
const REFUSED = [
  'http://example.com/\nfoo',
  'http://example.com/\r\nX-Injected: 1',
  'http://example.com/\tfoo',
  'http://exa mple.com/',
  ' http://example.com/',
  'http://example.com/ ',
  'http://example.com/\u007f',
  'http://example.com/\u0085',
  'http://example.com/\u00a0',
  'http://example.com/\u2028',
  'http://user:pass@example.com/hook',
  'https://token@example.com/hook',
  'http://:secret@example.com/hook',
];

forEachDialect('webhook URLs', (t) => {
  it('refuses a URL with whitespace, control characters or credentials: 400 invalid_url, nothing stored', async () => {
    const { call } = await startDialectServerAsAdmin(t);
    for (const url of REFUSED) {
      const answer = await call('POST', '/api/webhooks', { url, events: ['*'] });
      expect(answer.statusCode, JSON.stringify(url)).toBe(400);
      expect(answer.json()).toMatchObject({
        code: 'bad_request',
        errors: [{ code: 'invalid_url', path: '/url' }],
      });
    }
    expect((await call('GET', '/api/webhooks')).json().items).toEqual([]);

    const created = await call('POST', '/api/webhooks', {
      url: 'https://hooks.example/in?a=1',
      events: ['*'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json();
    for (const url of REFUSED) {
      const answer = await call('PATCH', `/api/webhooks/${id}`, { url });
      expect(answer.statusCode, JSON.stringify(url)).toBe(400);
      expect(answer.json().errors[0]).toMatchObject({ code: 'invalid_url', path: '/url' });
    }
    expect((await call('GET', `/api/webhooks/${id}`)).json().url).toBe('https://hooks.example/in?a=1');
  });

  it('reports a duplicate event type alone, and an event type that cannot be subscribed to by name', async () => {
    const { call } = await startDialectServerAsAdmin(t);
    const duplicate = await call('POST', '/api/webhooks', {
      url: 'https://hooks.example/in',
      events: ['email.sent', 'email.sent'],
    });
    expect(duplicate.statusCode).toBe(400);
    expect(duplicate.json().errors).toEqual([
      expect.objectContaining({ path: '/events', message: expect.stringContaining('duplicate') }),
    ]);
    // `ping` is sent only by POST /api/webhooks/{id}/test: each listed `ping` is an error of its own.
    const ping = await call('POST', '/api/webhooks', { url: 'https://hooks.example/in', events: ['ping'] });
    expect(ping.statusCode).toBe(400);
    expect(ping.json().errors).toEqual([
      expect.objectContaining({ path: '/events/0', message: expect.stringContaining('must be one of') }),
    ]);
  });

  it('shows *** for the credentials of an endpoint registered before they were refused; a new URL drops them', async () => {
    const { call, deps, clock } = await startDialectServerAsAdmin(t);
    // As an earlier release stored it.
    await deps.store.webhooks.create({
      id: 'whk_old',
      url: 'https://user:s3cret@hooks.example/in?a=1',
      events: ['*'],
      secret: 'whsec_old',
      createdAt: clock.now(),
    });
    const shown = 'https://***@hooks.example/in?a=1';
    expect((await call('GET', '/api/webhooks/whk_old')).json().url).toBe(shown);
    expect((await call('GET', '/api/webhooks')).json().items.map((w: { url: string }) => w.url)).toEqual([
      shown,
    ]);
    const renamed = await call('PATCH', '/api/webhooks/whk_old', { description: 'CRM' });
    expect(renamed.json()).toMatchObject({ url: shown, description: 'CRM' });
    // Deliveries still go to the URL as stored.
    expect((await deps.store.webhooks.get('whk_old'))?.url).toBe('https://user:s3cret@hooks.example/in?a=1');
    const audit = await call('GET', '/api/audit?subjectType=webhook&subjectId=whk_old');
    expect(JSON.stringify(audit.json())).not.toContain('s3cret');

    const moved = await call('PATCH', '/api/webhooks/whk_old', { url: 'https://hooks.example/in?a=1' });
    expect(moved.json().url).toBe('https://hooks.example/in?a=1');
    expect((await deps.store.webhooks.get('whk_old'))?.url).toBe('https://hooks.example/in?a=1');
  });
});
