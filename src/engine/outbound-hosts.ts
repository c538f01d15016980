// Where the server may connect (STEPWISE_OUTBOUND_HOSTS): every outbound target — webhook deliveries, SMTP
// sends and checks, IMAP polls — is resolved here, every address it resolves to is checked, and the
// connection goes to a checked address (the name is kept for TLS: SNI and the certificate check). So a
// name that resolves to the cloud metadata service is refused when it is used, not only when it was saved
// (DNS rebinding), and an error message never tells what answers on an internal address.
//
// `default` refuses link-local addresses (169.254.0.0/16 and fe80::/10: the metadata services live there,
// with AWS's fd00:ec2::254) and the unspecified ones (0.0.0.0, ::, which reach the host itself); loopback
// and private networks stay reachable (a local mail relay, an internal CRM). `public` also refuses
// loopback, private, unique-local and carrier-grade NAT ranges; `any` checks nothing. An allow-list of
// CIDR ranges (STEPWISE_OUTBOUND_ALLOW) takes precedence over every refusal. IPv4-mapped and NAT64
// (64:ff9b::/96) IPv6 addresses are judged by the IPv4 address they carry.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export const OUTBOUND_MODES = ['default', 'public', 'any'] as const;
export type OutboundMode = (typeof OUTBOUND_MODES)[number];

export interface OutboundRules {
  mode: OutboundMode;
  /** CIDR ranges or single addresses reachable whatever the mode refuses. */
  allow: readonly string[];
}

export const DEFAULT_OUTBOUND_RULES: OutboundRules = { mode: 'default', allow: [] };

/** The rules of the configuration (STEPWISE_OUTBOUND_HOSTS, STEPWISE_OUTBOUND_ALLOW, checked in config.ts). */
export function outboundPolicyOf(
  config: { outboundHosts: OutboundMode; outboundAllow: readonly string[] },
  options: OutboundPolicyOptions = {},
): OutboundPolicy {
  return new OutboundPolicy({ mode: config.outboundHosts, allow: config.outboundAllow }, options);
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address of a name (the system resolver, /etc/hosts included); the seam tests replace. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

const systemResolver: HostResolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => ({
    address: entry.address,
    family: entry.family === 6 ? 6 : 4,
  }));

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

const cidrs = (ranges: Record<string, string[]>): [string, Cidr[]][] =>
  Object.entries(ranges).map(([what, list]) => [what, list.map((range) => ipaddr.parseCIDR(range))]);

/** Refused in `default` and `public`: what each range is, for the error message. */
const ALWAYS_REFUSED = cidrs({
  'a link-local address (where cloud metadata services answer)': ['169.254.0.0/16', 'fe80::/10'],
  'a cloud metadata address': ['fd00:ec2::254/128'],
  'an unspecified address (it reaches this server itself)': ['0.0.0.0/8', '::/128'],
});

/** Refused in `public` only. */
const NOT_PUBLIC = cidrs({
  'a loopback address': ['127.0.0.0/8', '::1/128'],
  'a private network address': ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
  'a carrier-grade NAT address': ['100.64.0.0/10'],
});

const NAT64 = ipaddr.parseCIDR('64:ff9b::/96');

/** The address as judged: an IPv6 address that carries an IPv4 one (mapped, NAT64) is that IPv4 address. */
function judged(address: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
    if (v6.match(NAT64)) return ipaddr.IPv4.parse(v6.parts.slice(6).flatMap(splitWord).join('.'));
  }
  return parsed;
}

function splitWord(word: number): number[] {
  return [word >> 8, word & 0xff];
}

function inRange(address: ipaddr.IPv4 | ipaddr.IPv6, [range, bits]: Cidr): boolean {
  return address.kind() === range.kind() && address.match(range, bits);
}

/**
 * Why the mode refuses `address` (an IP literal), or null when it may be reached. An address in `allow`
 * (as written, or the IPv4 address it carries) is never refused.
 */
export function refusalOf(address: string, rules: OutboundRules): string | null {
  if (rules.mode === 'any') return null;
  const raw = ipaddr.parse(address);
  const ip = judged(address);
  const allowed = rules.allow.map(parseRange);
  if (allowed.some((range) => inRange(ip, range) || inRange(raw, range))) return null;
  const lists = rules.mode === 'public' ? [...ALWAYS_REFUSED, ...NOT_PUBLIC] : ALWAYS_REFUSED;
  for (const [what, ranges] of lists) if (ranges.some((range) => inRange(ip, range))) return what;
  return null;
}

/** A CIDR range, or a single address as its own /32 or /128. @throws on anything else. */
export function parseRange(text: string): Cidr {
  if (text.includes('/')) return ipaddr.parseCIDR(text);
  const address = ipaddr.parse(text);
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}

/** A target the rules refuse; `code` is the API's and the recorded error's prefix. */
export class OutboundHostError extends Error {
  override readonly name = 'OutboundHostError';
  readonly code = 'host_not_allowed';

  /** As recorded where the target's errors are (a delivery attempt, an outbox row, a check's answer). */
  get recorded(): string {
    return `${this.code}: ${this.message}`;
  }
}

/** `[::1]` (a URL's hostname) → `::1`. */
function bare(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export interface OutboundPolicyOptions {
  resolver?: HostResolver;
  /** How long a save waits for DNS before letting the name through (connect time waits for the resolver). */
  saveLookupTimeoutMs?: number;
}

/**
 * The rules with a resolver. `connectable` is used right before connecting; `refusalAtSave` when a target
 * is saved, to answer a 422 at once for what would always be refused.
 */
export class OutboundPolicy {
  readonly rules: OutboundRules;
  readonly #resolver: HostResolver;
  readonly #saveLookupTimeoutMs: number;

  constructor(rules: OutboundRules = DEFAULT_OUTBOUND_RULES, options: OutboundPolicyOptions = {}) {
    this.rules = rules;
    this.#resolver = options.resolver ?? systemResolver;
    this.#saveLookupTimeoutMs = options.saveLookupTimeoutMs ?? 3_000;
  }

  get checks(): boolean {
    return this.rules.mode !== 'any';
  }

  /**
   * Every address `host` may be connected to, in the resolver's order: all of them, checked. One refused
   * address refuses the name (a name that also points inside is not one to trust).
   * @throws OutboundHostError when refused; the resolver's error (ENOTFOUND…) when it does not resolve.
   */
  async connectable(host: string): Promise<ResolvedAddress[]> {
    const name = bare(host);
    const literal = isIP(name);
    if (literal !== 0) {
      this.#check(name, name);
      return [{ address: name, family: literal === 6 ? 6 : 4 }];
    }
    let addresses: ResolvedAddress[];
    try {
      addresses = await this.#resolver(name);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw Object.assign(new Error(`cannot resolve ${name}${typeof code === 'string' ? `: ${code}` : ''}`), {
        code: typeof code === 'string' ? code : 'EDNS',
        cause: error,
      });
    }
    if (addresses.length === 0)
      throw Object.assign(new Error(`cannot resolve ${name}: no address`), { code: 'ENOTFOUND' });
    for (const { address } of addresses) this.#check(name, address);
    return addresses;
  }

  /** The address to connect to (the first checked one) and the name TLS checks the certificate against. */
  async target(host: string): Promise<{ address: string; servername: string | undefined }> {
    const name = bare(host);
    if (!this.checks) return { address: name, servername: undefined };
    const [first] = await this.connectable(name);
    return { address: first?.address ?? name, servername: isIP(name) === 0 ? name : undefined };
  }

  /**
   * Why saving `host` as a target is refused, or null. A name that does not resolve (yet, or DNS is down)
   * passes: it is checked again at every connection.
   */
  async refusalAtSave(host: string): Promise<string | null> {
    if (!this.checks) return null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.#saveLookupTimeoutMs);
    });
    try {
      const refused = this.connectable(host).then(
        () => null,
        (error: unknown) => (error instanceof OutboundHostError ? error.message : null),
      );
      return await Promise.race([refused, gaveUp]);
    } finally {
      clearTimeout(timer);
    }
  }

  #check(name: string, address: string): void {
    const why = refusalOf(address, this.rules);
    if (why === null) return;
    const shown = name === address ? address : `${name} (${address})`;
    throw new OutboundHostError(
      `${shown} is ${why}, which STEPWISE_OUTBOUND_HOSTS=${this.rules.mode} does not let the server connect to`,
    );
  }
}
