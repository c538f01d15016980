// The outbound rules: which addresses each STEPWISE_OUTBOUND_HOSTS mode refuses (IPv4, IPv6, IPv4-mapped
// and NAT64 forms, the edges of each range), the allow-list, and the policy's resolution: every address
// of a name checked, a literal checked without a lookup, DNS failures told apart from refusals.
import { describe, expect, it } from 'vitest';
import {
  type HostResolver,
  OutboundHostError,
  OutboundPolicy,
  type OutboundRules,
  type ResolvedAddress,
  refusalOf,
} from './outbound-hosts.js';

const DEFAULT: OutboundRules = { mode: 'default', allow: [] };
const PUBLIC: OutboundRules = { mode: 'public', allow: [] };
const ANY: OutboundRules = { mode: 'any', allow: [] };

/** Refused in every checking mode. */
const ALWAYS = [
  '169.254.169.254',
  '169.254.0.0',
  '169.254.255.255',
  '0.0.0.0',
  '0.1.2.3',
  '::',
  'fe80::1',
  'fe80::1%eth0',
  'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  'fd00:ec2::254',
  '::ffff:169.254.169.254',
  '::ffff:a9fe:a9fe',
  '::ffff:0.0.0.0',
  '64:ff9b::a9fe:a9fe',
];

/** Reachable by default, refused in `public`. */
const NOT_PUBLIC = [
  '127.0.0.1',
  '127.255.255.255',
  '::1',
  '::ffff:127.0.0.1',
  '10.0.0.0',
  '10.255.255.255',
  '172.16.0.0',
  '172.31.255.255',
  '192.168.0.1',
  '192.168.255.255',
  'fc00::1',
  'fd12:3456::1',
  'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  '100.64.0.0',
  '100.127.255.255',
  '::ffff:10.1.2.3',
  '64:ff9b::7f00:1',
];

/** Reachable in every mode: the neighbours just outside each range, and public addresses. */
const PUBLIC_ADDRESSES = [
  '1.1.1.1',
  '93.184.216.34',
  '169.253.255.255',
  '169.255.0.0',
  '1.0.0.0',
  '126.255.255.255',
  '128.0.0.0',
  '9.255.255.255',
  '11.0.0.0',
  '172.15.255.255',
  '172.32.0.0',
  '192.167.255.255',
  '192.169.0.0',
  '100.63.255.255',
  '100.128.0.0',
  '2606:4700:4700::1111',
  'fec0::1',
  'fe7f:ffff::1',
  'fbff:ffff::1',
  'fe00::1',
  '::2',
  '::ffff:1.1.1.1',
  '64:ff9b::101:101',
];

describe('refusalOf', () => {
  it('refuses link-local, metadata and unspecified addresses by default, in every form', () => {
    for (const address of ALWAYS) {
      expect(refusalOf(address, DEFAULT), address).not.toBeNull();
      expect(refusalOf(address, PUBLIC), address).not.toBeNull();
    }
    expect(refusalOf('169.254.169.254', DEFAULT)).toMatch(/link-local/);
    expect(refusalOf('fd00:ec2::254', DEFAULT)).toMatch(/metadata/);
    expect(refusalOf('0.0.0.0', DEFAULT)).toMatch(/unspecified/);
  });

  it('lets loopback and private networks through by default and refuses them in public mode', () => {
    for (const address of NOT_PUBLIC) {
      expect(refusalOf(address, DEFAULT), address).toBeNull();
      expect(refusalOf(address, PUBLIC), address).not.toBeNull();
    }
    expect(refusalOf('127.0.0.1', PUBLIC)).toMatch(/loopback/);
    expect(refusalOf('172.20.1.1', PUBLIC)).toMatch(/private/);
    expect(refusalOf('100.100.100.100', PUBLIC)).toMatch(/carrier-grade NAT/);
  });

  it('lets public addresses (and the neighbours of every range) through in every mode', () => {
    for (const address of PUBLIC_ADDRESSES) {
      expect(refusalOf(address, DEFAULT), address).toBeNull();
      expect(refusalOf(address, PUBLIC), address).toBeNull();
    }
  });

  it('checks nothing in any mode', () => {
    for (const address of [...ALWAYS, ...NOT_PUBLIC]) expect(refusalOf(address, ANY), address).toBeNull();
  });

  it('lets the allow-list override every refusal, for the address and the IPv4 one it carries', () => {
    const rules: OutboundRules = { mode: 'public', allow: ['10.1.0.0/16', '169.254.169.123', 'fd00::/8'] };
    expect(refusalOf('10.1.2.3', rules)).toBeNull();
    expect(refusalOf('::ffff:10.1.2.3', rules)).toBeNull();
    expect(refusalOf('10.2.0.1', rules)).toMatch(/private/);
    expect(refusalOf('169.254.169.123', rules)).toBeNull();
    expect(refusalOf('169.254.169.254', rules)).toMatch(/link-local/);
    expect(refusalOf('fd12::1', rules)).toBeNull();
    expect(refusalOf('fd00:ec2::254', rules)).toBeNull();
    expect(refusalOf('fc00::1', rules)).toMatch(/private/);
  });
});

/** A resolver from a table, counting lookups; a name not in it does not resolve. */
function tableResolver(table: Record<string, string[]>): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolver = async (hostname: string): Promise<ResolvedAddress[]> => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (addresses === undefined)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolver, { calls });
}

describe('OutboundPolicy', () => {
  it('checks every address a name resolves to: one refused address refuses the name', async () => {
    const resolver = tableResolver({
      'relay.test': ['127.0.0.1', '::1'],
      'mixed.test': ['93.184.216.34', '169.254.169.254'],
    });
    const policy = new OutboundPolicy(DEFAULT, { resolver });
    expect(await policy.connectable('relay.test')).toEqual([
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ]);
    expect(await policy.target('relay.test')).toEqual({ address: '127.0.0.1', servername: 'relay.test' });
    const refused = await policy.connectable('mixed.test').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OutboundHostError);
    expect((refused as OutboundHostError).recorded).toBe(
      'host_not_allowed: mixed.test (169.254.169.254) is a link-local address (where cloud metadata services answer), which STEPWISE_OUTBOUND_HOSTS=default does not let the server connect to',
    );
  });

  it('checks a literal address (bracketed IPv6 too) without a lookup, and gives no TLS name for it', async () => {
    const resolver = tableResolver({});
    const policy = new OutboundPolicy(PUBLIC, { resolver });
    await expect(policy.connectable('[::1]')).rejects.toThrow(/::1 is a loopback address/);
    await expect(policy.connectable('::ffff:7f00:1')).rejects.toBeInstanceOf(OutboundHostError);
    expect(await policy.target('1.1.1.1')).toEqual({ address: '1.1.1.1', servername: undefined });
    expect(resolver.calls).toEqual([]);
  });

  it('tells a name that does not resolve from a refused one', async () => {
    const policy = new OutboundPolicy(DEFAULT, { resolver: tableResolver({}) });
    const error = await policy.connectable('nowhere.test').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(OutboundHostError);
    expect(error).toMatchObject({ message: 'cannot resolve nowhere.test: ENOTFOUND', code: 'ENOTFOUND' });
  });

  it('in any mode connects to the name as given, without a lookup', async () => {
    const resolver = tableResolver({});
    const policy = new OutboundPolicy(ANY, { resolver });
    expect(await policy.target('169.254.169.254')).toEqual({
      address: '169.254.169.254',
      servername: undefined,
    });
    expect(await policy.target('anything.test')).toEqual({ address: 'anything.test', servername: undefined });
    expect(await policy.refusalAtSave('0.0.0.0')).toBeNull();
    expect(resolver.calls).toEqual([]);
  });

  it('at save time refuses a refused literal or name, and lets through a name DNS cannot answer for', async () => {
    const slow: HostResolver = () => new Promise(() => undefined);
    const policy = new OutboundPolicy(DEFAULT, {
      resolver: tableResolver({ 'metadata.test': ['169.254.169.254'], 'ok.test': ['10.0.0.5'] }),
    });
    expect(await policy.refusalAtSave('169.254.169.254')).toMatch(/^169\.254\.169\.254 is a link-local/);
    expect(await policy.refusalAtSave('metadata.test')).toMatch(/^metadata\.test \(169\.254\.169\.254\)/);
    expect(await policy.refusalAtSave('ok.test')).toBeNull();
    expect(await policy.refusalAtSave('nowhere.test')).toBeNull();
    const hanging = new OutboundPolicy(DEFAULT, { resolver: slow, saveLookupTimeoutMs: 20 });
    expect(await hanging.refusalAtSave('hangs.test')).toBeNull();
  });
});
