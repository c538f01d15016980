// Behind a TLS-terminating proxy (STEPWISE_TRUST_PROXY): the session cookie is Secure when the proxy says
// the request came over https, and sign-in attempts are counted per client address from X-Forwarded-For,
// not per proxy (every client would share the proxy's limit). Without the setting both headers are ignored.
import { afterEach, expect, it } from 'vitest';
import { type Harness, PASSWORD, startHarness } from './test-support/api-harness.js';

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function start(env: Record<string, string> = {}): Promise<Harness> {
  const h = await startHarness({
    env,
    loginLimits: { perAccountAndAddress: 100, perAddress: 2, perAccount: 100, windowMs: 60_000 },
  });
  harnesses.push(h);
  return h;
}

const login = (h: Harness, password: string, headers: Record<string, string>) =>
  h.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: 'salesperson@example.com', password },
    headers,
    remoteAddress: '10.9.9.9', // the proxy
  });

function cookieOf(response: { headers: Record<string, unknown> }): string {
  const header = response.headers['set-cookie'];
  const all = Array.isArray(header) ? header : [String(header)];
  return all.find((c: string) => c.startsWith('stepwise_session=')) ?? '';
}

it('with a trusted proxy: Secure from X-Forwarded-Proto, and the limit counts each forwarded client', async () => {
  const h = await start({ STEPWISE_TRUST_PROXY: '10.9.9.9' });
  const overTls = await login(h, PASSWORD, {
    'x-forwarded-proto': 'https',
    'x-forwarded-for': '203.0.113.1',
  });
  expect(overTls.statusCode).toBe(200);
  expect(cookieOf(overTls)).toContain('Secure');
  const plain = await login(h, PASSWORD, { 'x-forwarded-for': '203.0.113.1' });
  expect(cookieOf(plain)).not.toContain('Secure');

  // Two failures from one client lock that client (perAddress 2), not another behind the same proxy.
  for (let i = 0; i < 2; i++)
    expect((await login(h, 'wrong', { 'x-forwarded-for': '203.0.113.7' })).statusCode).toBe(401);
  expect((await login(h, PASSWORD, { 'x-forwarded-for': '203.0.113.7' })).statusCode).toBe(429);
  expect((await login(h, PASSWORD, { 'x-forwarded-for': '203.0.113.8' })).statusCode).toBe(200);
});

it('without the setting the headers are not believed: no Secure, and the socket address is the client', async () => {
  const h = await start();
  const forged = await login(h, PASSWORD, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.1' });
  expect(forged.statusCode).toBe(200);
  expect(cookieOf(forged)).not.toContain('Secure');
  // A client cannot dodge the per-address limit by inventing X-Forwarded-For values.
  expect((await login(h, 'wrong', { 'x-forwarded-for': '198.51.100.1' })).statusCode).toBe(401);
  expect((await login(h, 'wrong', { 'x-forwarded-for': '198.51.100.2' })).statusCode).toBe(401);
  expect((await login(h, PASSWORD, { 'x-forwarded-for': '198.51.100.3' })).statusCode).toBe(429);
});

it('a hop count trusts that many proxies', async () => {
  const h = await start({ STEPWISE_TRUST_PROXY: '1' });
  const response = await login(h, PASSWORD, { 'x-forwarded-proto': 'https' });
  expect(cookieOf(response)).toContain('Secure');
});

it('an https public URL makes the cookie Secure whatever the proxy says', async () => {
  const h = await start({ STEPWISE_PUBLIC_URL: 'https://crm.example.com' });
  expect(cookieOf(await login(h, PASSWORD, {}))).toContain('Secure');
});
