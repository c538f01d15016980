// Configuration: read once from the environment at start-up, validated, and passed down (style.md §11).
// Every default lives in `defaults()`; `Config` is the resolved type where nothing is optional.
import { isIP } from 'node:net';

export interface Config {
  port: number;
  host: string;
  /** `postgres://…` or a SQLite path / `sqlite:PATH` / `:memory:`. */
  databaseUrl: string;
  publicUrl: string;
  /** Key for signing tokens and encrypting stored SMTP passwords; null = generated once and kept in the database. */
  secret: string | null;
  smtpUrl: string | null;
  mailFrom: string | null;
  /** `imaps://user:pass@host:993/INBOX`: replies and bounces polled by `serve`/`worker`; null = off. */
  imapUrl: string | null;
  imapPollSeconds: number;
  adminEmail: string | null;
  adminPassword: string | null;
  clock: 'system' | 'manual';
  maxActiveSequences: number;
  /** Installation setting: a record may be in several *different* sequences at once (never the same one twice). */
  allowParallelEnrollments: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * Which proxies in front of the server to believe about the client (`X-Forwarded-For`, `-Proto`,
   * `-Host`): false = none (the socket's peer is the client), true = any, a number = that many hops, or
   * addresses/CIDR ranges. Fastify's `trustProxy`.
   */
  trustProxy: boolean | number | string[];
  /**
   * Where the server may connect for webhooks and mailboxes (engine/outbound-hosts.ts): `default` refuses
   * link-local/metadata and unspecified addresses, `public` also loopback and private networks, `any` nothing.
   */
  outboundHosts: 'default' | 'public' | 'any';
  /** Addresses and CIDR ranges reachable whatever `outboundHosts` refuses. */
  outboundAllow: string[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function defaults(env: Env) {
  const port = 3000;
  return {
    port,
    host: '127.0.0.1',
    databaseUrl: './stepwise.db',
    publicUrl: `http://localhost:${env.PORT ?? port}`,
    secret: null,
    smtpUrl: null,
    mailFrom: null,
    imapUrl: null,
    imapPollSeconds: 60,
    adminEmail: null,
    adminPassword: null,
    clock: 'system',
    maxActiveSequences: 250,
    allowParallelEnrollments: false,
    logLevel: 'info',
    trustProxy: false,
    outboundHosts: 'default',
    outboundAllow: [],
  } satisfies Config;
}

/**
 * Every variable `loadConfig` reads: README.md's Configuration table lists exactly these (config.test.ts
 * checks both ways), and a `STEPWISE_` name not among them is reported as a likely typo.
 */
export const SETTINGS = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'STEPWISE_PUBLIC_URL',
  'STEPWISE_TRUST_PROXY',
  'STEPWISE_SECRET',
  'STEPWISE_SMTP_URL',
  'STEPWISE_MAIL_FROM',
  'STEPWISE_IMAP_URL',
  'STEPWISE_OUTBOUND_HOSTS',
  'STEPWISE_OUTBOUND_ALLOW',
  'STEPWISE_IMAP_POLL_SECONDS',
  'STEPWISE_ADMIN_EMAIL',
  'STEPWISE_ADMIN_PASSWORD',
  'STEPWISE_CLOCK',
  'STEPWISE_MAX_ACTIVE_SEQUENCES',
  'STEPWISE_ALLOW_PARALLEL_ENROLLMENTS',
  'LOG_LEVEL',
] as const;

/**
 * `STEPWISE_…` variables that no setting reads (`STEPWISE_SMTP` for `STEPWISE_SMTP_URL`): without a word
 * they would leave a default in place. The test suite's and benchmarks' own (`STEPWISE_TEST_…`,
 * `STEPWISE_BENCH_…`) and `STEPWISE_API` (where `npm run dev:web` sends `/api`) are not settings of the
 * server and are left alone.
 */
export function unknownSettings(env: Env): string[] {
  const known: readonly string[] = SETTINGS;
  return Object.keys(env)
    .filter((name) => name.startsWith('STEPWISE_') && !known.includes(name))
    .filter((name) => !/^STEPWISE_(TEST|BENCH)_/.test(name) && name !== 'STEPWISE_API')
    .sort();
}

/** Enough of an address to send from (the mail server checks the rest): `a@b.c`, or `Name <a@b.c>`. */
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const MAIL_FROM = /^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/;
/** The sign-in password rule (api/auth/password.ts MIN_PASSWORD_LENGTH), for the administrator from the environment. */
const MIN_ADMIN_PASSWORD_LENGTH = 10;

/** An IPv4 or IPv6 address, optionally with a /prefix (what proxy-addr takes; it checks them again). */
const PROXY_ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)(\/\d{1,3})?$/i;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const OUTBOUND_HOSTS = ['default', 'public', 'any'] as const;

/** An address (dotted-quad IPv4 or IPv6) or a CIDR range of one, as STEPWISE_OUTBOUND_ALLOW takes them. */
function isAddressRange(text: string): boolean {
  const [address = '', bits, ...rest] = text.split('/');
  const family = isIP(address);
  if (rest.length > 0 || family === 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

export function loadConfig(env: Env = process.env): Config {
  const base = defaults(env);
  const errors: string[] = [];

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      errors.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const text = (name: string): string | null => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? null : raw;
  };
  const url = (name: string, protocols: string[]): string | null => {
    const raw = text(name);
    if (raw === null) return null;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        errors.push(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
      }
    } catch {
      errors.push(`${name} is not a URL`);
    }
    return raw;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = text(name)?.toLowerCase();
    if (raw === undefined || raw === null) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    errors.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };

  // STEPWISE_TRUST_PROXY: true/false (0 is false), a hop count, or a comma-separated list of addresses and
  // CIDR ranges.
  const trustProxy = (): Config['trustProxy'] => {
    const raw = text('STEPWISE_TRUST_PROXY');
    if (raw === null) return base.trustProxy;
    const lower = raw.toLowerCase();
    if (['true', 'yes', 'on'].includes(lower)) return true;
    if (['0', 'false', 'no', 'off'].includes(lower)) return false;
    if (/^\d+$/.test(raw)) {
      const hops = Number(raw);
      if (hops > 100) errors.push(`STEPWISE_TRUST_PROXY as a hop count must be 1 to 100 (got "${raw}")`);
      return hops;
    }
    const list = raw
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    const bad = list.filter((entry) => !PROXY_ADDRESS.test(entry));
    if (list.length === 0 || bad.length > 0)
      errors.push(
        `STEPWISE_TRUST_PROXY must be true, false, a hop count or addresses/CIDR ranges separated by commas (not "${bad.join(', ') || raw}")`,
      );
    return list;
  };

  const outboundHostsRaw = text('STEPWISE_OUTBOUND_HOSTS')?.toLowerCase() ?? base.outboundHosts;
  const outboundHosts = OUTBOUND_HOSTS.find((mode) => mode === outboundHostsRaw);
  if (outboundHosts === undefined)
    errors.push(
      `STEPWISE_OUTBOUND_HOSTS must be one of ${OUTBOUND_HOSTS.join(', ')} (got "${outboundHostsRaw}")`,
    );
  const outboundAllow = (text('STEPWISE_OUTBOUND_ALLOW') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const badAllow = outboundAllow.filter((entry) => !isAddressRange(entry));
  if (badAllow.length > 0)
    errors.push(
      `STEPWISE_OUTBOUND_ALLOW must be IP addresses or CIDR ranges separated by commas (not "${badAllow.join(', ')}")`,
    );

  const clockRaw = text('STEPWISE_CLOCK') ?? 'system';
  if (clockRaw !== 'system' && clockRaw !== 'manual') errors.push('STEPWISE_CLOCK must be "manual" or unset');
  const logLevelRaw = text('LOG_LEVEL') ?? base.logLevel;
  const logLevel = LOG_LEVELS.find((level) => level === logLevelRaw);
  if (logLevel === undefined) errors.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const secret = text('STEPWISE_SECRET');
  if (secret !== null && secret.length < 32) errors.push('STEPWISE_SECRET must be at least 32 characters');
  const adminEmail = text('STEPWISE_ADMIN_EMAIL');
  const adminPassword = text('STEPWISE_ADMIN_PASSWORD');
  if ((adminEmail === null) !== (adminPassword === null)) {
    errors.push('STEPWISE_ADMIN_EMAIL and STEPWISE_ADMIN_PASSWORD go together');
  }
  if (adminEmail !== null && !EMAIL.test(adminEmail))
    errors.push(`STEPWISE_ADMIN_EMAIL is not an email address (got "${adminEmail}")`);
  if (adminPassword !== null && adminPassword.length < MIN_ADMIN_PASSWORD_LENGTH)
    errors.push(
      `STEPWISE_ADMIN_PASSWORD must be at least ${MIN_ADMIN_PASSWORD_LENGTH} characters, as every password`,
    );
  const mailFrom = text('STEPWISE_MAIL_FROM');
  if (mailFrom !== null && !MAIL_FROM.test(mailFrom))
    errors.push(
      `STEPWISE_MAIL_FROM must be an address, "sales@example.com" or "Sales <sales@example.com>" (got "${mailFrom}")`,
    );
  const databaseUrl = text('DATABASE_URL');
  if (
    databaseUrl !== null &&
    /^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl) &&
    !/^(postgres(ql)?|sqlite):\/\//i.test(databaseUrl)
  )
    errors.push(
      `DATABASE_URL must be postgres://… for PostgreSQL, or a SQLite file path (or sqlite:PATH) (got "${databaseUrl.replace(/\/\/[^@/]*@/, '//…@')}")`,
    );

  const config: Config = {
    port: integer('PORT', base.port, 0, 65_535),
    host: text('HOST') ?? base.host,
    databaseUrl: databaseUrl ?? base.databaseUrl,
    publicUrl: (url('STEPWISE_PUBLIC_URL', ['http:', 'https:']) ?? base.publicUrl).replace(/\/+$/, ''),
    secret,
    smtpUrl: url('STEPWISE_SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom,
    imapUrl: url('STEPWISE_IMAP_URL', ['imap:', 'imaps:']),
    imapPollSeconds: integer('STEPWISE_IMAP_POLL_SECONDS', base.imapPollSeconds, 5, 86_400),
    adminEmail,
    adminPassword,
    clock: clockRaw === 'manual' ? 'manual' : 'system',
    maxActiveSequences: integer('STEPWISE_MAX_ACTIVE_SEQUENCES', base.maxActiveSequences, 1, 100_000),
    allowParallelEnrollments: flag('STEPWISE_ALLOW_PARALLEL_ENROLLMENTS', base.allowParallelEnrollments),
    logLevel: logLevel ?? base.logLevel,
    trustProxy: trustProxy(),
    outboundHosts: outboundHosts ?? base.outboundHosts,
    outboundAllow,
  };
  if (errors.length > 0) throw new ConfigError(`Configuration is not valid:\n- ${errors.join('\n- ')}`);
  return config;
}

/** The configuration with secrets masked, for the start-up log. */
export function describeConfig(config: Config): Record<string, unknown> {
  const mask = (value: string | null) => (value === null ? null : '***');
  // Up to the last "@" before the path: a password may hold a raw "@" (URL parsers take the last one),
  // and everything after its first "@" used to be logged.
  const maskUrlPassword = (value: string | null) =>
    value?.replace(/\/\/([^:/@]+):[^/]*@/, '//$1:***@') ?? null;
  return {
    ...config,
    databaseUrl: maskUrlPassword(config.databaseUrl),
    smtpUrl: maskUrlPassword(config.smtpUrl),
    imapUrl: maskUrlPassword(config.imapUrl),
    secret: mask(config.secret),
    adminPassword: mask(config.adminPassword),
  };
}
