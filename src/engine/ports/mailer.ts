// The Mailer port: turns a queued automated email into a message (render, tracking, headers) and hands
// it to an SMTP account. The engine's sender decides when and whether; src/mail implements how.
import type { JsonObject } from './store.js';

/** An SMTP account the sender may use, with its limits. */
export interface MailboxAccount {
  /** The mailbox id, or `env` for STEPWISE_SMTP_URL: the key of its send log and of its pooled transport. */
  key: string;
  host: string;
  port: number;
  secure: boolean;
  username: string | null;
  /** Stored passwords stay encrypted until the mailer opens a connection. */
  password: { encrypted: string } | { plain: string } | null;
  fromAddress: string | null;
  /** The From display name; null: the owner's name. */
  fromName: string | null;
  /** Messages per rolling 24 hours; null: no cap. */
  dailyCap: number | null;
  minSpacingMs: number;
  /** Changes whenever the account does: a cached transport of an older version is replaced. */
  version: number;
}

export interface EmailAddress {
  name: string;
  address: string;
}

/** What to send: the template and the merge context, unrendered. */
export interface EmailDraft {
  outboxId: string;
  /** The outbox idempotency key: the Message-ID derives from it, so a re-send is the same message. */
  outboxKey: string;
  from: EmailAddress;
  to: EmailAddress;
  template: { subject: string; body: string };
  /**
   * Fields that are a seller's own text (their edits of a manual email step), sent as written: not read
   * as a template, so braces or Liquid tags in them (or in record data a preview put there) are words.
   */
  literal?: { subject?: boolean; body?: boolean };
  context: {
    record: JsonObject;
    sender: EmailAddress;
    owner: EmailAddress;
    sequence: { name: string };
  };
  /** Open/click tracking (the sequence's `options.tracking`). */
  tracking: boolean;
  /** The `Date` header, epoch ms (from the Clock port). */
  date: number;
}

export interface PreparedEmail {
  messageId: string;
  envelope: { from: string; to: string };
  /** The whole RFC 5322 message. */
  raw: Buffer;
}

/**
 * - `sent`: the server accepted the message (its answer kept for support).
 * - `transient`: not accepted, try again later (4xx, connection refused, a timeout before the body went out).
 * - `permanent`: refused for good (5xx).
 * - `unknown`: the body was handed over but no answer came: it may have been delivered. Never retried by itself.
 */
export type DeliveryOutcome =
  | { kind: 'sent'; response: string }
  | { kind: 'transient'; reason: string }
  | { kind: 'permanent'; reason: string }
  | { kind: 'unknown'; reason: string };

/** A draft that cannot become a message (a template that fails for this record): a permanent failure. */
export class EmailPreparationError extends Error {
  override readonly name = 'EmailPreparationError';
}

export interface DeliverOptions {
  /** Breaks off the exchange in flight when it fires (a sender that may wait no longer). */
  breakOff?: AbortSignal | undefined;
}

export interface Mailer {
  /** @throws EmailPreparationError */
  prepare(draft: EmailDraft): Promise<PreparedEmail>;
  /**
   * Hands `email` to the account's server. The exchange is bounded by the mailer's own time limits; when
   * `breakOff` fires first it is broken off at once, and the outcome says where it stood, as for a
   * connection lost there: `transient` before the body went out, `unknown` after.
   */
  deliver(account: MailboxAccount, email: PreparedEmail, options?: DeliverOptions): Promise<DeliveryOutcome>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}
