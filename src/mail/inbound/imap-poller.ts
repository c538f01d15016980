// Replies and bounces from an IMAP mailbox (imapflow), for installations that cannot point an MX or a
// forwarding rule at `stepwise inbound --port`: every poll hands new messages to the same handler as
// POST /api/inbound-email and the SMTP listener, marks them \Seen, and moves a per-mailbox cursor.
//
// The cursor (`settings` key `imap.cursor:{user@host:port/mailbox}`) holds the mailbox's UIDVALIDITY and
// the last UID handled, so a restart neither re-processes nor skips: the next poll asks for UIDs after
// it, seen or not (a person reading the shared mailbox does not hide a reply). Without a cursor, or when
// UIDVALIDITY changed (the server renumbered), only UNSEEN messages are taken, so a first start does
// not replay the archive. A message is marked \Seen and the cursor saved after it was handled; a crash
// in between handles it again, which changes nothing (inbound messages are deduplicated by Message-ID).
import { ImapFlow } from 'imapflow';
import { Alarm } from '../../engine/alarm.js';
import type { EngineDeps } from '../../engine/deps.js';
import { OutboundHostError, OutboundPolicy } from '../../engine/outbound-hosts.js';
import { StoreError } from '../../engine/ports/store.js';
import { handleInboundEmail, type InboundResult, MAX_INBOUND_BYTES } from './handle-inbound.js';

export interface ImapTarget {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  mailbox: string;
  /** `user@host:port/mailbox`: names the cursor (never the password). */
  key: string;
}

/** `imaps://user:pass@host:993/INBOX` (or `imap://…`, port 143; the mailbox defaults to INBOX). */
/** @throws Error whose message says what is wrong (never the URL: it may carry a password). */
export function parseImapUrl(url: string): ImapTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('the IMAP URL is not a URL (is its port between 1 and 65535?)');
  }
  const secure = parsed.protocol === 'imaps:';
  if (!secure && parsed.protocol !== 'imap:') throw new Error('an IMAP URL starts with imap:// or imaps://');
  if (parsed.hostname === '') throw new Error('the IMAP URL names no host');
  if (parsed.username === '') throw new Error('the IMAP URL names no user');
  // Every poll logs in: without a password each one would fail there.
  if (parsed.password === '') throw new Error('the IMAP URL has no password (imaps://user:password@host/…)');
  const port = parsed.port === '' ? (secure ? 993 : 143) : Number(parsed.port);
  if (port === 0) throw new Error('the IMAP URL names port 0');
  const mailbox = decoded(parsed.pathname.replace(/^\/+/, '')) || 'INBOX';
  const user = decoded(parsed.username);
  return {
    host: parsed.hostname,
    port,
    secure,
    user,
    password: decoded(parsed.password),
    mailbox,
    key: `${user}@${parsed.hostname}:${port}/${mailbox}`,
  };
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new Error('the IMAP URL has a %-escape that is not UTF-8');
  }
}

export interface ImapPollerOptions {
  /** Between polls. */
  intervalMs: number;
  /** After a failed poll (connection refused, dropped, log-in refused): base × 2^(failures−1), at most max. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Messages handled per poll at most (the rest come next poll). */
  maxPerPoll: number;
  /** Socket and greeting timeouts. */
  timeoutMs: number;
  /** Which hosts may be polled (STEPWISE_OUTBOUND_HOSTS), checked at every connection. */
  outbound: OutboundPolicy;
}

export const IMAP_POLLER_DEFAULTS = {
  intervalMs: 60_000,
  retryBaseMs: 5_000,
  retryMaxMs: 5 * 60_000,
  maxPerPoll: 200,
  timeoutMs: 30_000,
  outbound: new OutboundPolicy(),
} satisfies ImapPollerOptions;

export interface ImapPollLog {
  info(data: object, message: string): void;
  warn(data: object, message: string): void;
  error(data: object, message: string): void;
}

export interface PollResult {
  /** Messages handed to the inbound handler. */
  handled: number;
  /** Messages that could not be parsed or were too large: marked \Seen and passed over for good. */
  skipped: number;
  /** UIDVALIDITY changed (or no cursor yet): this poll took UNSEEN messages only. */
  resynced: boolean;
  results: InboundResult[];
}

interface Cursor {
  uidValidity: string;
  lastUid: number;
}

/** The wait before the next poll after `failures` failed polls in a row (0: the normal interval). */
export function nextPollDelay(options: ImapPollerOptions, failures: number): number {
  if (failures === 0) return options.intervalMs;
  return Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** (failures - 1));
}

export class ImapPoller {
  readonly #deps: EngineDeps;
  readonly #target: ImapTarget;
  readonly #options: ImapPollerOptions;
  readonly #log: ImapPollLog | undefined;
  #client: ImapFlow | null = null;
  #running = false;
  #loop: Promise<void> | null = null;
  readonly #alarm = new Alarm();
  /** Failed polls in a row. */
  failures = 0;

  constructor(
    deps: EngineDeps,
    target: ImapTarget,
    options: Partial<ImapPollerOptions> = {},
    log?: ImapPollLog,
  ) {
    this.#deps = deps;
    this.#target = target;
    this.#options = { ...IMAP_POLLER_DEFAULTS, ...options };
    this.#log = log;
  }

  get #cursorKey(): string {
    return `imap.cursor:${this.#target.key}`;
  }

  async #loadCursor(): Promise<Cursor | null> {
    const value = await this.#deps.store.settings.get(this.#cursorKey);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const { uidValidity, lastUid } = value as Record<string, unknown>;
    return typeof uidValidity === 'string' && typeof lastUid === 'number' ? { uidValidity, lastUid } : null;
  }

  /** A connected, logged-in client with the mailbox selected; a dead one is replaced. */
  async #connected(): Promise<ImapFlow> {
    if (this.#client?.usable) return this.#client;
    await this.#disconnect();
    const t = this.#target;
    // Resolved and checked at each connection, which goes to the checked address (the name stays for TLS).
    let address: string;
    let servername: string | undefined;
    try {
      ({ address, servername } = await this.#options.outbound.target(t.host));
    } catch (error) {
      if (error instanceof OutboundHostError)
        throw Object.assign(new Error(error.recorded), { code: error.code });
      throw error;
    }
    const client = new ImapFlow({
      host: address,
      ...(servername === undefined ? {} : { servername }),
      port: t.port,
      secure: t.secure,
      auth: { user: t.user, pass: t.password },
      logger: false,
      disableAutoIdle: true,
      connectionTimeout: this.#options.timeoutMs,
      greetingTimeout: this.#options.timeoutMs,
      socketTimeout: this.#options.timeoutMs,
    });
    // A drop while idle only retires the client; the next poll connects again.
    client.on('error', (error: unknown) => {
      this.#log?.warn({ err: error, mailbox: t.key }, 'IMAP connection error');
    });
    client.on('close', () => {
      if (this.#client === client) this.#client = null;
    });
    this.#client = client;
    try {
      await client.connect();
    } catch (error) {
      await this.#disconnect();
      throw error;
    }
    return client;
  }

  async #disconnect(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    if (client === null) return;
    try {
      if (client.usable) await client.logout();
    } catch {
      // The connection is gone already.
    }
    client.close();
  }

  /**
   * One poll: new messages (after the cursor, else UNSEEN) → the inbound handler → \Seen → cursor.
   * @throws when the mailbox cannot be reached or our store fails (nothing after the failure is marked).
   */
  async pollOnce(): Promise<PollResult> {
    const client = await this.#connected();
    const box = await client.mailboxOpen(this.#target.mailbox);
    const uidValidity = String(box.uidValidity);
    const stored = await this.#loadCursor();
    const resynced = stored === null || stored.uidValidity !== uidValidity;
    if (resynced && stored !== null)
      this.#log?.warn(
        { mailbox: this.#target.key, was: stored.uidValidity, now: uidValidity },
        'UIDVALIDITY changed: taking UNSEEN messages only',
      );
    const cursor: Cursor = resynced || stored === null ? { uidValidity, lastUid: 0 } : stored;
    const found = await client.search(resynced ? { seen: false } : { uid: `${cursor.lastUid + 1}:*` }, {
      uid: true,
    });
    // `n:*` also names the highest UID when it is below n (RFC 3501): keep only what is after the cursor.
    const uids = (found === false || found === undefined ? [] : found)
      .filter((uid) => uid > cursor.lastUid)
      .sort((a, b) => a - b)
      .slice(0, this.#options.maxPerPoll);

    const result: PollResult = { handled: 0, skipped: 0, resynced, results: [] };
    for (const uid of uids) {
      const message = await client.fetchOne(
        String(uid),
        { uid: true, source: true, size: true },
        { uid: true },
      );
      const source = message === false ? undefined : message.source;
      if (source === undefined || source.length > MAX_INBOUND_BYTES) {
        result.skipped++;
        this.#log?.warn(
          { mailbox: this.#target.key, uid },
          'inbound IMAP message missing or too large: passed over',
        );
      } else {
        try {
          const handled = await handleInboundEmail(this.#deps, source);
          result.handled++;
          result.results.push(handled);
          this.#log?.info({ mailbox: this.#target.key, uid, ...handled }, 'inbound message');
        } catch (error) {
          // Our side failed: stop here, unmarked, and try again next poll.
          if (error instanceof StoreError) throw error;
          result.skipped++;
          this.#log?.warn(
            { err: error, mailbox: this.#target.key, uid },
            'inbound IMAP message not readable: passed over',
          );
        }
      }
      await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
      cursor.lastUid = uid;
      await this.#deps.store.settings.set(this.#cursorKey, { ...cursor });
    }
    if (resynced && uids.length === 0) await this.#deps.store.settings.set(this.#cursorKey, { ...cursor });
    return result;
  }

  /** Polls until stopped; a failed poll closes the connection and retries with backoff. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wakeUp();
    await this.#loop;
    this.#loop = null;
    await this.#disconnect();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      try {
        await this.pollOnce();
        this.failures = 0;
      } catch (error) {
        this.failures++;
        await this.#disconnect();
        this.#log?.error(
          { err: error, mailbox: this.#target.key, failures: this.failures },
          'IMAP poll failed: retrying with backoff',
        );
      }
      if (this.#running) await this.#sleep(nextPollDelay(this.#options, this.failures));
    }
  }

  #sleep(ms: number): Promise<void> {
    return this.#alarm.sleep(ms);
  }

  #wakeUp(): void {
    this.#alarm.wake();
  }
}
