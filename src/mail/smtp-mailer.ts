// The Mailer over SMTP: renders a queued email (merge fields, tracking, RFC 8058 unsubscribe headers,
// deterministic Message-ID), then hands it to the mailbox's server over a small pool of kept-open
// connections per mailbox. It tells "not accepted" (retry) from "handed over, no answer" (send_unknown) by whether
// the server had already accepted DATA when the exchange broke off. Every exchange ends: nodemailer's
// connection, greeting and idle timeouts, and a limit on the whole exchange (a server that answers a byte at a
// time never trips an idle timeout); a sender that may wait no longer breaks it off (`deliver`'s `breakOff`).
import { Readable } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { OutboundHostError, OutboundPolicy } from '../engine/outbound-hosts.js';
import {
  type DeliverOptions,
  type DeliveryOutcome,
  type EmailDraft,
  EmailPreparationError,
  type MailboxAccount,
  type Mailer,
  type PreparedEmail,
} from '../engine/ports/mailer.js';
import { decryptMailboxPassword } from './mailbox-password.js';
import { messageIdFor } from './message-id.js';
import { compileTemplate, type MergeRecord, renderEmail, TemplateRenderError } from './render.js';
import { rewriteLinksForTracking } from './tracking-links.js';
import { PREVIEW_UNSUBSCRIBE_PATH, signUnsubscribeToken } from './unsubscribe-token.js';

export interface SmtpMailerOptions {
  /** STEPWISE_PUBLIC_URL, no trailing slash: tracking and unsubscribe links point there. */
  publicUrl: string;
  /** STEPWISE_SECRET or the stored secret: signs tokens, decrypts stored mailbox passwords. */
  secret: string;
  /** An address that takes unsubscribe requests by mail, for a `mailto:` in List-Unsubscribe. */
  unsubscribeMailto?: string | undefined;
  /**
   * Milliseconds. `connection`: the TCP (and TLS) connection; `greeting`: the server's 220 after it;
   * `socket`: any silence of the server once connected (the answer to the message included); `exchange`:
   * one whole delivery, connecting and logging in included.
   */
  timeouts?: { connection?: number; greeting?: number; socket?: number; exchange?: number } | undefined;
  /** Connections kept open per mailbox (the pool); a send beyond them uses a one-off connection. Default 5. */
  maxConnections?: number | undefined;
  /** Which hosts a mailbox may name (STEPWISE_OUTBOUND_HOSTS); default: the `default` rules. */
  outbound?: OutboundPolicy | undefined;
}

/**
 * A submission server answers in well under a second; these only end exchanges that went wrong. 30 s to
 * connect and 30 s for the greeting; 2 minutes of silence at any later point, which leaves a slow server's
 * content scan time to answer the message (nodemailer's own: 2 minutes, 30 s and 10 minutes); and 5 minutes
 * for the whole exchange, which nodemailer does not bound at all (a server that answers a line at a time is
 * never silent): half the sender's 10-minute `sending` lease (outbox-sender.ts `sendLeaseMs`), so a live
 * sender's exchange is over long before another sender could take its row for a dead one's.
 */
const TIMEOUT_DEFAULTS = { connection: 30_000, greeting: 30_000, socket: 120_000, exchange: 300_000 };
/** A kept-open connection is closed after this many messages (servers limit it, and a fresh one heals). */
const MESSAGES_PER_CONNECTION = 100;

/** One open SMTP session of one mailbox. */
interface Session {
  connection: SMTPConnection;
  version: number;
  alive: boolean;
  busy: boolean;
  sent: number;
  /** In the mailbox's pool (kept open between messages), or a one-off connection. */
  pooled: boolean;
}

type Stage = 'connect' | 'envelope' | 'data';

function errorText(error: SMTPConnection.SMTPError): string {
  return (error.response ?? error.message).replace(/\s+/g, ' ').trim();
}

/**
 * The rule: an SMTP answer decides (5xx permanent, 4xx transient), except a 5xx at connection or
 * log-in time, which says the mailbox is misconfigured, not that this message is bad: it waits.
 * Without an answer: before the body went out, transient; after, unknown.
 */
export function classifyDeliveryError(error: SMTPConnection.SMTPError, stage: Stage): DeliveryOutcome {
  const reason = `${error.command ?? stage}: ${errorText(error)}`;
  const code = error.responseCode;
  if (typeof code === 'number') {
    if (code >= 500 && stage !== 'connect') return { kind: 'permanent', reason };
    return { kind: 'transient', reason };
  }
  if ((error.code === 'EENVELOPE' || error.code === 'EMESSAGE') && stage !== 'data') {
    return { kind: 'permanent', reason };
  }
  return stage === 'data' ? { kind: 'unknown', reason } : { kind: 'transient', reason };
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1) || 'localhost';
}

function build(composer: MailComposer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    composer.compile().build((error, message) => (error ? reject(error) : resolve(message)));
  });
}

/** Runs one connection step; a socket error or hang-up in between fails it (nodemailer reports those as events). */
function untilDone(
  connection: SMTPConnection,
  start: (done: (error?: SMTPConnection.SMTPError) => void) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error?: SMTPConnection.SMTPError) => {
      if (settled) return;
      settled = true;
      connection.off('error', finish);
      connection.off('end', onEnd);
      if (error === undefined || error === null) resolve();
      else reject(error);
    };
    const onEnd = () =>
      finish(Object.assign(new Error('the server closed the connection'), { code: 'ECONNECTION' }));
    connection.on('error', finish);
    connection.on('end', onEnd);
    start(finish);
  });
}

/** Closes the connection at once, whatever the server does (a stalled server never ends it gracefully). */
function hangUp(connection: SMTPConnection): void {
  try {
    connection.close();
  } catch {
    // Already closed.
  }
  const socket = (connection as unknown as { _socket?: { destroy?(): void } })._socket;
  socket?.destroy?.();
}

/**
 * The end of one delivery: its time limit, or the sender's break-off signal, whichever comes first. The
 * connection in use is closed then, which fails the step waiting on it (untilDone, #send).
 */
class Cutoff {
  #reason: string | null = null;
  #connection: SMTPConnection | null = null;
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #signal: AbortSignal | undefined;
  readonly #onBreakOff = () => this.#cut('broken off: the sender could wait no longer');

  constructor(limitMs: number, signal: AbortSignal | undefined) {
    this.#signal = signal;
    this.#timer = setTimeout(() => this.#cut(`no end to the exchange within ${limitMs / 1000} s`), limitMs);
    if (signal?.aborted) this.#onBreakOff();
    else signal?.addEventListener('abort', this.#onBreakOff, { once: true });
  }

  /** Why the delivery was cut off; null while it may go on. */
  get reason(): string | null {
    return this.#reason;
  }

  /** The connection the delivery is using now. */
  watch(connection: SMTPConnection): void {
    this.#connection = connection;
    if (this.#reason !== null) hangUp(connection);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#signal?.removeEventListener('abort', this.#onBreakOff);
  }

  #cut(reason: string): void {
    if (this.#reason !== null) return;
    this.#reason = reason;
    if (this.#connection !== null) hangUp(this.#connection);
  }
}

/**
 * Commands and the message go out as soon as written: with Nagle's algorithm on, each small command
 * waited for the server's delayed ACK (~40 ms on Linux), which capped one connection at ~20 messages/s.
 */
function noDelay(connection: SMTPConnection): void {
  const socket = (connection as unknown as { _socket?: { setNoDelay?(on: boolean): void } })._socket;
  socket?.setNoDelay?.(true);
}

/**
 * Where to connect for `host` under the outbound rules, as nodemailer takes it (an address, and the name for
 * TLS). A refusal or a name that does not resolve is an SMTP error at `connect` (it waits, as a
 * misconfigured mailbox does), with the refusal's code in its text.
 */
export async function smtpTarget(
  outbound: OutboundPolicy,
  host: string,
): Promise<{ address: string; servername: string | undefined }> {
  try {
    return await outbound.target(host);
  } catch (error) {
    if (error instanceof OutboundHostError)
      throw Object.assign(new Error(error.recorded), { code: error.code });
    throw error;
  }
}

export class SmtpMailer implements Mailer {
  readonly #options: SmtpMailerOptions;
  readonly #timeouts: typeof TIMEOUT_DEFAULTS;
  /** Per mailbox key: its pool of open sessions (at most `#maxConnections`). */
  readonly #pools = new Map<string, Session[]>();
  readonly #maxConnections: number;
  readonly #outbound: OutboundPolicy;

  constructor(options: SmtpMailerOptions) {
    this.#options = { ...options, publicUrl: options.publicUrl.replace(/\/+$/, '') };
    this.#timeouts = { ...TIMEOUT_DEFAULTS, ...options.timeouts };
    this.#maxConnections = Math.max(1, options.maxConnections ?? 5);
    this.#outbound = options.outbound ?? new OutboundPolicy();
  }

  async prepare(draft: EmailDraft): Promise<PreparedEmail> {
    const { publicUrl, secret } = this.#options;
    const literal = draft.literal ?? {};
    // A literal field is not compiled: its text is sent as written.
    const compiled = compileTemplate({
      subject: literal.subject === true ? '' : draft.template.subject,
      body: literal.body === true ? '' : draft.template.body,
    });
    if (!compiled.ok) {
      const first = compiled.errors[0];
      throw new EmailPreparationError(
        `the template does not compile: ${first?.field} line ${first?.line}, column ${first?.column}: ${first?.message}`,
      );
    }
    const unsubscribeUrl = `${publicUrl}/u/${signUnsubscribeToken(secret, {
      messageId: draft.outboxId,
      email: draft.to.address,
    })}`;
    let rendered: ReturnType<typeof renderEmail>;
    try {
      rendered = renderEmail(
        compiled.compiled,
        {
          record: draft.context.record as unknown as MergeRecord,
          sender: { name: draft.context.sender.name, email: draft.context.sender.address },
          owner: { name: draft.context.owner.name, email: draft.context.owner.address },
          sequence: draft.context.sequence,
          unsubscribeUrl,
        },
        {
          subject: literal.subject === true ? draft.template.subject : undefined,
          // The seller's text began as a preview: its placeholder link becomes this recipient's own.
          body:
            literal.body === true
              ? draft.template.body.replaceAll(`${publicUrl}${PREVIEW_UNSUBSCRIBE_PATH}`, unsubscribeUrl)
              : undefined,
        },
      );
    } catch (error) {
      if (error instanceof TemplateRenderError) throw new EmailPreparationError(error.message);
      throw error;
    }
    const html = draft.tracking
      ? rewriteLinksForTracking(rendered.html, {
          baseUrl: publicUrl,
          key: secret,
          messageId: draft.outboxId,
          unsubscribeUrl,
        })
      : rendered.html;
    const messageId = messageIdFor(secret, draft.outboxKey, domainOf(draft.from.address));
    const mailto = this.#options.unsubscribeMailto;
    const raw = await build(
      new MailComposer({
        from: draft.from,
        to: draft.to,
        subject: rendered.subject,
        text: rendered.text,
        html,
        messageId,
        date: new Date(draft.date),
        headers: {
          'List-Unsubscribe':
            mailto === undefined
              ? `<${unsubscribeUrl}>`
              : `<${unsubscribeUrl}>, <mailto:${mailto}?subject=unsubscribe>`,
          // RFC 8058: a POST to the https link unsubscribes in one click, without a confirm page.
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      }),
    );
    return { messageId, envelope: { from: draft.from.address, to: draft.to.address }, raw };
  }

  async deliver(
    account: MailboxAccount,
    email: PreparedEmail,
    options: DeliverOptions = {},
  ): Promise<DeliveryOutcome> {
    let stage: Stage = 'connect';
    let session: Session | null = null;
    const cutoff = new Cutoff(this.#timeouts.exchange, options.breakOff);
    try {
      if (cutoff.reason !== null) return { kind: 'transient', reason: `connect: ${cutoff.reason}` };
      session = await this.#session(account, cutoff);
      stage = 'envelope';
      // Read only once the server has accepted DATA (nodemailer pipes the body after the envelope).
      let pushed = false;
      const body = new Readable({
        read() {
          stage = 'data';
          if (!pushed) {
            pushed = true;
            this.push(email.raw);
          }
          this.push(null);
        },
      });
      const info = await this.#send(session, { from: email.envelope.from, to: [email.envelope.to] }, body);
      session.sent += 1;
      return { kind: 'sent', response: info.response };
    } catch (error) {
      if (session !== null) this.#discard(account.key, session);
      // Cut off: the connection was closed under the exchange; where it stood decides, as for a lost one.
      const cause =
        cutoff.reason === null
          ? (error as SMTPConnection.SMTPError)
          : Object.assign(new Error(cutoff.reason), { code: 'ETIMEDOUT' });
      return classifyDeliveryError(cause, stage);
    } finally {
      cutoff.dispose();
      if (session !== null) {
        session.busy = false;
        if (session.alive && (!session.pooled || session.sent >= MESSAGES_PER_CONNECTION))
          this.#discard(account.key, session);
      }
    }
  }

  async close(): Promise<void> {
    for (const [key, pool] of this.#pools) for (const session of [...pool]) this.#discard(key, session);
  }

  /** An idle session of the mailbox's pool, or a new one (connected and logged in), watched by `cutoff`. */
  async #session(account: MailboxAccount, cutoff: Cutoff): Promise<Session> {
    const pool = this.#pools.get(account.key) ?? [];
    this.#pools.set(account.key, pool);
    // Sessions of an older version of the mailbox (changed host, password…) are retired when idle.
    for (const stale of pool.filter((s) => !s.busy && (!s.alive || s.version !== account.version)))
      this.#discard(account.key, stale);
    const idle = pool.find((s) => !s.busy);
    if (idle !== undefined) {
      idle.busy = true;
      cutoff.watch(idle.connection);
      return idle;
    }
    // Resolved and checked for each new connection, which goes to the checked address (the name stays for TLS).
    const { address, servername } = await smtpTarget(this.#outbound, account.host);
    const pooled = pool.length < this.#maxConnections;
    const connection = new SMTPConnection({
      host: address,
      ...(servername === undefined ? {} : { tls: { servername } }),
      port: account.port,
      secure: account.secure,
      connectionTimeout: this.#timeouts.connection,
      greetingTimeout: this.#timeouts.greeting,
      socketTimeout: this.#timeouts.socket,
    });
    const session: Session = {
      connection,
      version: account.version,
      alive: true,
      busy: true,
      sent: 0,
      pooled,
    };
    // A place in the pool is taken before connecting, so concurrent sends do not overfill it.
    if (pooled) pool.push(session);
    // Errors while idle (the server hung up) only retire the session; a send in flight hears of them below.
    connection.on('error', () => {
      session.alive = false;
    });
    connection.on('end', () => {
      session.alive = false;
    });
    try {
      cutoff.watch(connection);
      await untilDone(connection, (done) => connection.connect(done));
      noDelay(connection);
      if (account.username !== null) {
        const auth = { user: account.username, pass: this.#password(account) };
        await untilDone(connection, (done) => connection.login(auth, done));
      }
    } catch (error) {
      this.#discard(account.key, session);
      throw error;
    }
    return session;
  }

  #password(account: MailboxAccount): string {
    const password = account.password;
    if (password === null) return '';
    return 'plain' in password
      ? password.plain
      : decryptMailboxPassword(this.#options.secret, password.encrypted);
  }

  #send(
    session: Session,
    envelope: SMTPConnection.Envelope,
    body: Readable,
  ): Promise<SMTPConnection.SentMessageInfo> {
    const { connection } = session;
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (error: SMTPConnection.SMTPError | null, info?: SMTPConnection.SentMessageInfo) => {
        if (settled) return;
        settled = true;
        connection.off('error', onError);
        connection.off('end', onEnd);
        if (error !== null || info === undefined) reject(error ?? new Error('no answer'));
        else resolve(info);
      };
      const onError = (error: SMTPConnection.SMTPError) => finish(error);
      const onEnd = () =>
        finish(Object.assign(new Error('the server closed the connection'), { code: 'ECONNECTION' }));
      connection.on('error', onError);
      connection.on('end', onEnd);
      connection.send(envelope, body, (error, info) => finish(error, info));
    });
  }

  #discard(key: string, session: Session): void {
    session.alive = false;
    const pool = this.#pools.get(key);
    const at = pool?.indexOf(session) ?? -1;
    if (pool !== undefined && at >= 0) pool.splice(at, 1);
    try {
      session.connection.quit();
    } catch {
      // Already closed.
    }
    session.connection.close();
  }
}
