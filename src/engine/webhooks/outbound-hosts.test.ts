// Webhook deliveries under the outbound rules (STEPWISE_OUTBOUND_HOSTS), on both dialects, against a real
// receiver on loopback: the metadata address is refused before any connection, a name is resolved and
// checked at every delivery (a name that starts resolving to a refused address is refused: DNS rebinding),
// the connection goes to the checked address, `public` refuses loopback, and a redirect is not followed.
import { createServer, type Server } from 'node:http';
import { type AddressInfo, Socket } from 'node:net';
import { afterEach, expect, it, vi } from 'vitest';
import { forEachDialect } from '../../storage/test-support/dialects.js';
import { ManualClock } from '../clock.js';
import { type HostResolver, OutboundPolicy, type OutboundRules } from '../outbound-hosts.js';
import { aUser, engineDeps, T0 } from '../test-support/engine-world.js';
import { deliverDueWebhooks } from './deliverer.js';
import { createWebhook, listWebhookDeliveries, sendWebhookPing } from './endpoints.js';
import { HttpWebhookPoster } from './http-poster.js';

const servers: Server[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A receiver on 127.0.0.1: 200, or a redirect to `location` when given. */
async function receiver(location?: string) {
  let received = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received += 1;
      if (location !== undefined) {
        response.statusCode = 307;
        response.setHeader('location', location);
      }
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { port: (server.address() as AddressInfo).port, received: () => received };
}

/** Names → addresses, changeable during the test (what a DNS server under an attacker's control does). */
function dns(table: Record<string, string[]>): HostResolver {
  return async (hostname) => {
    const addresses = table[hostname];
    if (addresses === undefined) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

type T = Parameters<Parameters<typeof forEachDialect>[1]>[0];

async function world(t: T, rules: OutboundRules, resolver?: HostResolver) {
  const outbound = new OutboundPolicy(rules, resolver === undefined ? {} : { resolver });
  const deps = {
    ...engineDeps(t.store()),
    poster: new HttpWebhookPoster(outbound),
    wallClock: new ManualClock(T0),
  };
  const admin = await aUser(deps.store, 'admin');
  const actor = { id: admin.id, role: 'admin' as const };
  /** Registers `url` (as the engine does: the API's save-time check is not in the way) and pings it once. */
  const pingOnce = async (url: string) => {
    const webhook = await createWebhook(deps, actor, { url, events: ['*'] });
    await sendWebhookPing(deps, webhook.id);
    const result = await deliverDueWebhooks(deps);
    const [delivery] = (await listWebhookDeliveries(deps, webhook.id)).items;
    return { result, attempt: delivery?.attempts.at(-1) };
  };
  return { pingOnce };
}

const DEFAULT: OutboundRules = { mode: 'default', allow: [] };

forEachDialect('webhooks under the outbound rules', (t) => {
  it('refuses the metadata address with the reason recorded on the attempt, without connecting', async () => {
    const w = await world(t, DEFAULT);
    const connects = vi.spyOn(Socket.prototype, 'connect');
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://[::ffff:169.254.169.254]/',
      'http://0.0.0.0:80/',
    ]) {
      const { result, attempt } = await w.pingOnce(url);
      expect(result, url).toEqual({ delivered: 0, retried: 1, failed: 0 });
      expect(attempt?.statusCode, url).toBeNull();
      expect(attempt?.error, url).toMatch(/^host_not_allowed: .* STEPWISE_OUTBOUND_HOSTS=default/);
    }
    expect(connects).not.toHaveBeenCalled();
    // The same spy sees a delivery that does connect.
    const hook = await receiver();
    expect((await w.pingOnce(`http://127.0.0.1:${hook.port}/`)).result.delivered).toBe(1);
    expect(connects).toHaveBeenCalled();
  });

  it('resolves and checks the name at every delivery, and connects to the address it checked', async () => {
    const hook = await receiver();
    const table: Record<string, string[]> = { 'hooks.test': ['127.0.0.1'] };
    const w = await world(t, DEFAULT, dns(table));
    const url = `http://hooks.test:${hook.port}/in`;
    // `hooks.test` is no real name: only the policy's resolver knows it, so the receiver is reached through it.
    expect((await w.pingOnce(url)).result).toEqual({ delivered: 1, retried: 0, failed: 0 });
    expect(hook.received()).toBe(1);

    table['hooks.test'] = ['127.0.0.1', '169.254.169.254'];
    const rebound = await w.pingOnce(url);
    expect(rebound.result).toEqual({ delivered: 0, retried: 1, failed: 0 });
    expect(rebound.attempt?.error).toBe(
      'host_not_allowed: hooks.test (169.254.169.254) is a link-local address (where cloud metadata services answer), which STEPWISE_OUTBOUND_HOSTS=default does not let the server connect to',
    );
    expect(hook.received()).toBe(1);

    delete table['hooks.test'];
    const gone = await w.pingOnce(url);
    expect(gone.attempt).toMatchObject({ statusCode: null, error: 'cannot resolve hooks.test: ENOTFOUND' });
  });

  it('refuses a loopback receiver in public mode, unless the allow-list names it; any checks nothing', async () => {
    const hook = await receiver();
    const url = `http://127.0.0.1:${hook.port}/`;
    const strict = await world(t, { mode: 'public', allow: [] });
    expect((await strict.pingOnce(url)).attempt?.error).toMatch(
      /^host_not_allowed: 127\.0\.0\.1 is a loopback address/,
    );
    expect(hook.received()).toBe(0);
    const allowed = await world(t, { mode: 'public', allow: ['127.0.0.0/8'] });
    expect((await allowed.pingOnce(url)).result.delivered).toBe(1);
    const any = await world(t, { mode: 'any', allow: [] });
    expect((await any.pingOnce(url)).result.delivered).toBe(1);
    expect(hook.received()).toBe(2);
  });

  it('does not follow a redirect (to the metadata address or anywhere): a 3xx is a failed attempt', async () => {
    const target = await receiver();
    const redirecting = await receiver(`http://127.0.0.1:${target.port}/latest/meta-data/`);
    const w = await world(t, DEFAULT);
    const { result, attempt } = await w.pingOnce(`http://127.0.0.1:${redirecting.port}/`);
    expect(result).toEqual({ delivered: 0, retried: 1, failed: 0 });
    expect(attempt).toMatchObject({ statusCode: 307, error: 'HTTP 307' });
    expect(redirecting.received()).toBe(1);
    expect(target.received()).toBe(0);
  });
});
