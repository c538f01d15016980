// Replies and bounces from every IMAP address Stepwise knows: each mailbox row's (set in Settings) and
// STEPWISE_IMAP_URL's, one ImapPoller each. The rows are read again every interval, so a mailbox added,
// changed or removed while the process runs is polled, re-pointed or dropped without a restart.
//
// Each row's poller has its own cursor, named after the mailbox id and the address (`mbx_…/user@host:port/
// folder`, user and folder %-escaped so no two addresses read alike): two mailboxes on one server never
// share one, and a row pointed elsewhere starts afresh (UNSEEN only) instead of trusting an old UID.
// STEPWISE_IMAP_URL keeps the cursor it always had. Two rows naming the same folder are both polled; a
// message is then handled twice, which changes nothing (inbound messages are deduplicated by Message-ID).
import { Alarm } from '../../engine/alarm.js';
import type { EngineDeps } from '../../engine/deps.js';
import type { Mailbox } from '../../engine/ports/store.js';
import { decryptMailboxPassword } from '../mailbox-password.js';
import {
  ImapPoller,
  type ImapPollerOptions,
  type ImapPollLog,
  type ImapTarget,
  parseImapUrl,
} from './imap-poller.js';

export interface MailboxImapPollingOptions {
  /** STEPWISE_SECRET or the installation's stored one: decrypts the rows' IMAP URLs. */
  secret: string;
  /** STEPWISE_IMAP_URL, polled beside the rows; null: none. */
  envUrl: string | null;
  /** Between two readings of the mailbox rows (and the pollers' own interval, unless `poller` says). */
  intervalMs: number;
  poller?: Partial<ImapPollerOptions>;
  log?: ImapPollingLog;
}

export interface ImapPollingLog extends ImapPollLog {
  /** A log whose every line names the mailbox (pino's `child`). */
  child(bindings: Record<string, unknown>): ImapPollLog;
}

/** What one poller reads: `env`, or a mailbox row by id. */
interface Source {
  id: string;
  name: string;
  /** The clear URL, in memory only: a change of it restarts the poller. */
  url: string;
  target: ImapTarget;
}

interface Running {
  url: string;
  /** The mailbox's name its log lines carry: a rename restarts the poller, so they keep naming it right. */
  name: string;
  poller: ImapPoller;
}

/** The cursor name of a mailbox row's address (see the module comment). */
function mailboxImapKey(mailboxId: string, target: ImapTarget): string {
  const user = encodeURIComponent(target.user);
  return `${mailboxId}/${user}@${target.host}:${target.port}/${encodeURIComponent(target.mailbox)}`;
}

export class MailboxImapPolling {
  readonly #deps: EngineDeps;
  readonly #options: MailboxImapPollingOptions;
  readonly #env: Source | null;
  readonly #running = new Map<string, Running>();
  /** Stored values already logged as unreadable: logged once, not every interval. */
  readonly #unreadable = new Set<string>();
  readonly #alarm = new Alarm();
  #syncing: Promise<void> = Promise.resolve();
  #looping = false;
  #loop: Promise<void> | null = null;

  /** @throws Error when `envUrl` is not an IMAP URL (at start-up, not at the first poll). */
  constructor(deps: EngineDeps, options: MailboxImapPollingOptions) {
    this.#deps = deps;
    this.#options = options;
    const { envUrl } = options;
    this.#env =
      envUrl === null
        ? null
        : { id: 'env', name: 'STEPWISE_IMAP_URL', url: envUrl, target: parseImapUrl(envUrl) };
  }

  /** What is polled now: `env` and mailbox ids, in order. */
  get polled(): string[] {
    return [...this.#running.keys()].sort();
  }

  /**
   * Reads the rows and starts, restarts or stops pollers to match. A store that cannot be read leaves the
   * pollers as they are (the next interval tries again).
   */
  sync(): Promise<void> {
    // One at a time: a stop in progress must not race a start of the same mailbox.
    this.#syncing = this.#syncing
      .then(() => this.#syncNow())
      .catch((error: unknown) => this.#options.log?.error({ err: error }, 'IMAP polling not updated'));
    return this.#syncing;
  }

  async #syncNow(): Promise<void> {
    let sources: Source[];
    try {
      sources = this.#sources(await this.#deps.store.mailboxes.list());
    } catch (error) {
      this.#options.log?.error({ err: error }, 'mailboxes not readable: IMAP polling left as it was');
      return;
    }
    const wanted = new Map(sources.map((source) => [source.id, source]));
    for (const [id, running] of this.#running) {
      const source = wanted.get(id);
      if (source?.url === running.url && source.name === running.name) continue;
      await running.poller.stop();
      this.#running.delete(id);
      this.#options.log?.info(
        { mailboxId: id, mailboxName: running.name },
        'IMAP polling stopped (mailbox removed or changed)',
      );
    }
    for (const source of sources) {
      if (this.#running.has(source.id)) continue;
      const log = this.#options.log?.child({
        mailboxId: source.id,
        mailboxName: source.name,
      });
      const poller = new ImapPoller(
        this.#deps,
        source.target,
        { intervalMs: this.#options.intervalMs, ...this.#options.poller },
        log,
      );
      this.#running.set(source.id, { url: source.url, name: source.name, poller });
      poller.start();
      this.#options.log?.info(
        { mailboxId: source.id, mailboxName: source.name, mailbox: source.target.key },
        'polling IMAP for replies and bounces',
      );
    }
  }

  #sources(mailboxes: Mailbox[]): Source[] {
    const sources: Source[] = this.#env === null ? [] : [this.#env];
    for (const mailbox of mailboxes) {
      const stored = mailbox.imapUrlEncrypted;
      if (stored === null) continue;
      try {
        const url = decryptMailboxPassword(this.#options.secret, stored);
        const target = parseImapUrl(url);
        sources.push({
          id: mailbox.id,
          name: mailbox.name,
          url,
          target: { ...target, key: mailboxImapKey(mailbox.id, target) },
        });
      } catch (error) {
        // A changed STEPWISE_SECRET; the API refuses an URL that does not parse. The error says which
        // (never the URL: it carries the password).
        if (!this.#unreadable.has(stored))
          this.#options.log?.error(
            {
              mailboxId: mailbox.id,
              mailboxName: mailbox.name,
              reason: error instanceof Error ? error.message : String(error),
            },
            'the IMAP URL of a mailbox is not readable: not polled until it is set again',
          );
        this.#unreadable.add(stored);
      }
    }
    return sources;
  }

  /** Syncs now, then every interval, until stopped. */
  start(): void {
    if (this.#looping) return;
    this.#looping = true;
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    while (this.#looping) {
      await this.sync();
      if (this.#looping) await this.#alarm.sleep(this.#options.intervalMs);
    }
  }

  /** Stops the re-reading and every poller (each finishes the message in hand). */
  async stop(): Promise<void> {
    this.#looping = false;
    this.#alarm.wake();
    await this.#loop;
    this.#loop = null;
    await this.#syncing;
    const running = [...this.#running.values()];
    this.#running.clear();
    await Promise.all(running.map(({ poller }) => poller.stop()));
  }
}
