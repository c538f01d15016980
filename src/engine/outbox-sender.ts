// The mail sender: drains due automated emails from the outbox. Per row: suppression, the mailbox and
// its limits, the message (through the Mailer port), then `sending` is committed BEFORE the SMTP
// exchange and the answer settles the row and reaches the enrollment (email_sent / email_failed /
// email_suppressed). A row whose sender died after handing the message over is never re-sent by
// itself: it becomes `send_unknown` for an administrator (design.md §3.3).

import { emailSendAt } from '../domain/transition/timing.js';
import { Alarm } from './alarm.js';
import { type ApplyItem, applyEvents } from './apply-events.js';
import type { EngineDeps } from './deps.js';
import { definitionKey, engineCache, type OwnerCalendar } from './engine-cache.js';
import { type EmailDraft, EmailPreparationError, type MailboxAccount, type Mailer } from './ports/mailer.js';
import {
  type JsonObject,
  type Mailbox,
  type OutboxMessage,
  type Page,
  type PageOptions,
  type SalesRecord,
  StoreError,
} from './ports/store.js';
import { transitionContext } from './start-enrollment.js';

export const EMAIL_KIND = 'email';

export interface SenderLog {
  info(data: object, message: string): void;
  warn(data: object, message: string): void;
  error(data: object, message: string): void;
}

export interface MailSenderDeps extends EngineDeps {
  mailer: Mailer;
  /** STEPWISE_SMTP_URL as an account, used when neither the owner nor the installation has a stored mailbox. */
  fallbackAccount: MailboxAccount | null;
  /** STEPWISE_MAIL_FROM: the sender address of the installation mailbox (else the owner's email). */
  defaultFrom: string | null;
  /** An address that unsubscribed or hard-bounced (src/engine/suppression.ts). */
  isSuppressed(email: string): Promise<boolean>;
  log?: SenderLog;
}

export interface SenderOptions {
  /** Rows claimed at once. */
  batchSize: number;
  /**
   * Answers are recorded (rows settled, enrollments moved on) at most this long after they came, in one
   * commit for all those in hand, not once at the batch's end: a crash leaves only the answers of the last
   * moment and the messages in flight in `sending` (→ `send_unknown`, for an administrator), where it left
   * up to a whole batch of delivered messages and stuck enrollments (reliability audit, session 13).
   */
  settleWithinMs: number;
  /** Messages of one batch in flight at once (the mailer keeps a pool of connections per mailbox). */
  concurrency: number;
  /** How long a claim keeps other senders off the claimed rows. */
  claimLeaseMs: number;
  /** Bounds one SMTP exchange: past it a `sending` row is taken for a dead sender and becomes `send_unknown`. */
  sendLeaseMs: number;
  /** First retry after a transient failure; doubles per attempt up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Transient failures of one message before it counts as failed for good. */
  maxAttempts: number;
  /** How long a message waits when no mailbox is configured. */
  noMailboxWaitMs: number;
  /** Asked before each batch is claimed: false ends the pass after the batch in hand (a sender stopping). */
  keepGoing?: () => boolean;
  /**
   * Once it fires, no SMTP exchange starts: the pass ends with the exchanges in flight, and the claimed rows
   * it had not handed over yet go back to `pending` as they were, free for the next pass (a sender stopping,
   * a test-clock walk at its time limit).
   */
  stop?: AbortSignal | undefined;
  /**
   * Once it fires, the exchanges in flight are broken off (Mailer.deliver's `breakOff`) and settled as the
   * crash rule says: retried when the message had not gone out, `send_unknown` when it had. Counted in
   * `brokenOff`. Fire `stop` first (or with it): the pass must not start new ones.
   */
  breakOff?: AbortSignal | undefined;
}

export const SENDER_DEFAULTS = {
  batchSize: 50,
  settleWithinMs: 200,
  concurrency: 4,
  claimLeaseMs: 60_000,
  sendLeaseMs: 10 * 60_000,
  retryBaseMs: 60_000,
  retryMaxMs: 60 * 60_000,
  maxAttempts: 10,
  noMailboxWaitMs: 5 * 60_000,
} satisfies SenderOptions;

const DAY_MS = 24 * 60 * 60_000;
/** A slot is settled within a few turns; past this many (a calendar gone strange), it takes the last one. */
const MAX_SLOT_TURNS = 1_000;

function sameInstant(at: number): number {
  return at;
}
/** Waits before each new try of a flush the database refused as busy (SendPass.flush): about 8 s in all. */
const BUSY_RETRY_DELAYS_MS = [100, 250, 500, 1_000, 2_000, 4_000] as const;

export interface SendPassResult {
  sent: number;
  retried: number;
  failed: number;
  suppressed: number;
  unknown: number;
  /** Waiting for a mailbox, its daily cap or its spacing. */
  deferred: number;
  /** `sending` rows of a dead sender turned `send_unknown` at the start of the pass. */
  recovered: number;
  /** SMTP exchanges broken off by `breakOff` (already counted in `retried`, `unknown` or `failed` too). */
  brokenOff: number;
}

/** The queued email as the engine wrote it (enrollment-commit.ts `email.queue`). */
export interface EmailPayload {
  enrollmentId: string;
  sequenceId: string;
  sequenceVersion: number;
  recordId: string;
  ownerId: string;
  stepId: string;
  seq: number;
  /** Null for a manual email step without a template that the seller wrote themselves. */
  templateId: string | null;
  /** A manual email the seller sent: their subject/body instead of the template's. */
  override: { subject?: string; body?: string } | null;
}

function payloadOf(row: OutboxMessage): EmailPayload | null {
  const p = row.payload;
  const text = (key: string) => (typeof p[key] === 'string' ? (p[key] as string) : null);
  const num = (key: string) => (typeof p[key] === 'number' ? (p[key] as number) : null);
  const fields = {
    enrollmentId: text('enrollmentId'),
    sequenceId: text('sequenceId'),
    sequenceVersion: num('sequenceVersion'),
    recordId: text('recordId'),
    ownerId: text('ownerId'),
    stepId: text('stepId'),
    seq: num('seq'),
  };
  for (const value of Object.values(fields)) if (value === null) return null;
  const raw = p.override;
  let override: EmailPayload['override'] = null;
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const o = raw as Record<string, unknown>;
    override = {
      ...(typeof o.subject === 'string' ? { subject: o.subject } : {}),
      ...(typeof o.body === 'string' ? { body: o.body } : {}),
    };
  }
  // Without a template and the seller's own text (an automated email activated before template_required),
  // the message is failed by draftOf and its enrollment moves on, rather than waiting for an answer forever.
  const templateId = text('templateId');
  return { ...(fields as Omit<EmailPayload, 'templateId' | 'override'>), templateId, override };
}

export function accountOfMailbox(mailbox: Mailbox): MailboxAccount {
  return {
    key: mailbox.id,
    host: mailbox.host,
    port: mailbox.port,
    secure: mailbox.secure,
    username: mailbox.username,
    password: mailbox.passwordEncrypted === null ? null : { encrypted: mailbox.passwordEncrypted },
    fromAddress: mailbox.fromAddress,
    fromName: mailbox.fromName,
    dailyCap: mailbox.dailyCap,
    minSpacingMs: mailbox.minSpacingMs,
    version: mailbox.updatedAt,
  };
}

function recordContext(record: SalesRecord): JsonObject {
  return {
    id: record.id,
    type: record.type,
    name: record.name,
    email: record.email,
    phone: record.phone,
    company: record.company,
    linkedinUrl: record.linkedinUrl,
    timezone: record.timezone,
    fields: record.fields,
  };
}

/** One pass of the sender: what it needs across rows (mailboxes, limits it has already hit). */
class SendPass {
  readonly result: SendPassResult = {
    sent: 0,
    retried: 0,
    failed: 0,
    suppressed: 0,
    unknown: 0,
    deferred: 0,
    recovered: 0,
    brokenOff: 0,
  };
  readonly #accounts = new Map<string, { account: MailboxAccount; own: boolean } | null>();
  /** Mailboxes that may not send before this time in this pass (spacing or cap). */
  readonly #blocked = new Map<string, number>();
  /** Owners' calendars read in this pass (sendingWindow). */
  readonly #calendars = new Map<string, OwnerCalendar | undefined>();
  /**
   * Per mailbox, read at its first deferral in this pass (slotFor) and kept up to date by the pass: its
   * sends of the last 24 hours, and the slots given to the messages waiting for it (those earlier passes
   * gave, then this pass's), each oldest first.
   */
  readonly #plans = new Map<string, Promise<{ sent: number[]; slots: number[] }>>();
  /** Per mailbox: the tail of the slotFor calls, one at a time (each reads the slots before it). */
  readonly #slotting = new Map<string, Promise<unknown>>();
  /** Per mailbox: the tail of its critical section (limit check → `sending` + send log). */
  readonly #locks = new Map<string, Promise<unknown>>();
  /** Answers waiting to reach the rows and enrollments in one commit. */
  #settlements: Settlement[] = [];
  /** When the oldest of them came (performance.now(): real time, whatever the clock). */
  #oldestAt: number | null = null;

  constructor(
    readonly deps: MailSenderDeps,
    readonly o: SenderOptions,
  ) {}

  now(): number {
    return this.deps.clock.now();
  }

  /** The owner's own mailbox, else the installation's (stored, else STEPWISE_SMTP_URL). */
  async accountFor(ownerId: string): Promise<{ account: MailboxAccount; own: boolean } | null> {
    const cached = this.#accounts.get(ownerId);
    if (cached !== undefined) return cached;
    const { mailboxes } = this.deps.store;
    const own = await mailboxes.forUser(ownerId);
    const shared = own === null ? await mailboxes.forUser(null) : null;
    const mailbox = own ?? shared;
    const account = mailbox === null ? this.deps.fallbackAccount : accountOfMailbox(mailbox);
    const found = account === null ? null : { account, own: own !== null };
    this.#accounts.set(ownerId, found);
    return found;
  }

  /** When `account` may send next: now, or a later time (its spacing or its rolling daily cap). */
  async nextAllowed(account: MailboxAccount, now: number): Promise<number> {
    const blocked = this.#blocked.get(account.key) ?? now;
    const cap = account.dailyCap;
    if (cap === null && account.minSpacingMs === 0) return now;
    // Already known to wait (this pass's sends only move that later): no read.
    if (blocked > now) return blocked;
    const window = await this.deps.store.mailboxes.sendWindow(
      account.key,
      now - DAY_MS,
      cap === null ? -1 : 0,
    );
    let at = Math.max(now, blocked);
    if (window.lastAt !== null) at = Math.max(at, window.lastAt + account.minSpacingMs);
    if (cap !== null && window.count >= cap) {
      // The window holds `count` sends; the oldest `count - cap + 1` must leave it before one more fits.
      const freeing = await this.deps.store.mailboxes.sendWindow(
        account.key,
        now - DAY_MS,
        window.count - cap,
      );
      at = Math.max(at, (freeing.nthAt ?? now) + DAY_MS + 1);
    }
    if (at > now) this.#blocked.set(account.key, at);
    return at;
  }

  /**
   * When a message that may not go before `allowed` is tried again: the slot it will really have. The
   * n-th this pass defers for a mailbox comes after the n − 1 before it, a spacing later, and, under a
   * daily cap, once enough of the sends before it (those in the last 24 hours, then the slots given
   * before it) have left the rolling window: with a cap of 3 and 3 sends today, the 4th to 6th deferred
   * go a day after those 3, the 7th to 9th a day after the 4th to 6th. All at `allowed`, every slot
   * re-claimed and re-deferred all but one of them: quadratic in the queue (1,000 emails on one
   * mailbox, ~500,000 row updates before the last went out; the test clock's walk, which stops at each
   * slot, showed it); and the time the views show (the row's `available_at`) said a day when most of
   * them went days later. Still a plan: a send by another process in between moves it on again.
   * `windowStart` is the message's sending window (its owner's or recipient's hours): a slot is one the message
   * may go at, so one that spacing or the cap pushes past the end of the hours is the next start of them,
   * and the time the views show is still the one it goes out at. The slots stay ordered and a spacing
   * apart: a message whose window opens later leaves the slots before it free for the messages after it.
   */
  slotFor(
    account: MailboxAccount,
    allowed: number,
    windowStart: (at: number) => number = sameInstant,
  ): Promise<number> {
    const tail = this.#slotting.get(account.key) ?? Promise.resolve();
    const next = tail.then(() => this.#nextSlot(account, allowed, windowStart));
    this.#slotting.set(
      account.key,
      next.catch(() => undefined),
    );
    return next;
  }

  async #nextSlot(
    account: MailboxAccount,
    allowed: number,
    windowStart: (at: number) => number,
  ): Promise<number> {
    const { sent, slots } = await this.#plan(account); // both ascending
    const spacing = account.minSpacingMs;
    const cap = account.dailyCap;
    if (cap !== null) {
      // The sends still in the window (the pass's clock may have moved since the read).
      const since = this.now() - DAY_MS;
      while (sent.length > 0 && (sent[0] ?? since) <= since) sent.shift();
    }
    // Each turn only moves `at` later (a spacing after a slot, a day after a send leaves the cap's window,
    // the window's next start), so it settles on the first time that every rule allows.
    let at = windowStart(allowed);
    for (let turn = 0; turn < MAX_SLOT_TURNS; turn++) {
      let next = at;
      for (const slot of slots) if (slot > next - spacing && slot < next + spacing) next = slot + spacing;
      if (cap !== null) {
        // The sends before this message, oldest first: the window's, then the slots given before it.
        const before = slots.filter((slot) => slot <= next);
        const ahead = sent.length + before.length;
        if (ahead >= cap) {
          const leaving = ahead - cap; // this one must have left the window before the message fits
          const leavesAt = leaving < sent.length ? sent[leaving] : before[leaving - sent.length];
          if (leavesAt !== undefined) next = Math.max(next, leavesAt + DAY_MS + 1);
        }
      }
      next = windowStart(next);
      if (next === at) break;
      at = next;
    }
    let index = slots.length;
    while (index > 0 && (slots[index - 1] as number) > at) index--;
    slots.splice(index, 0, at);
    return at;
  }

  /**
   * The mailbox's plan for this pass: one read of its sends (under a daily cap) and one of the slots earlier
   * passes gave (rows waiting for it, `mailboxSlots`), at its first deferral; the pass adds its own.
   */
  #plan(account: MailboxAccount): Promise<{ sent: number[]; slots: number[] }> {
    const { key } = account;
    let plan = this.#plans.get(key);
    if (plan === undefined) {
      const now = this.now();
      const { mailboxes, outbox } = this.deps.store;
      plan = Promise.all([
        // Without a cap only the slots count (their spacing).
        account.dailyCap === null ? [] : mailboxes.sendsSince(key, now - DAY_MS),
        outbox.mailboxSlots(key, now),
      ]).then(([sent, slots]) => ({ sent, slots }));
      this.#plans.set(key, plan);
      plan.catch(() => this.#plans.delete(key));
    }
    return plan;
  }

  /** This pass sent a message on the mailbox at `at`: its plan, if read, counts it. */
  async sentOn(key: string, at: number): Promise<void> {
    const plan = this.#plans.get(key);
    if (plan !== undefined) (await plan).sent.push(at);
  }

  /**
   * `p`'s sending window as a function: the first instant at or after `at` that it may go out at. Read
   * at send time, it is the sequence's `workingHours` in the calendar of now, so a calendar changed since
   * the email was queued (time off added, another time zone, other hours) holds it. Every instant for a
   * seller's own email step, or a sequence no longer found.
   */
  async windowOf(p: EmailPayload, record: SalesRecord): Promise<(at: number) => number> {
    const now = this.now();
    const entry = await this.#automated(p);
    if (entry === undefined) return sameInstant;
    const cache = engineCache(this.deps.store);
    const { store } = this.deps;
    if (!this.#calendars.has(p.ownerId))
      this.#calendars.set(p.ownerId, (await cache.calendars(store, [p.ownerId])).get(p.ownerId));
    const ctx = transitionContext(now, entry, this.#calendars.get(p.ownerId), record);
    const { options } = entry.definition;
    return (at) => emailSendAt(ctx, options, at);
  }

  /** The definition of `p`'s sequence version when `p` is an automated email step's own email, else undefined. */
  async #automated(p: EmailPayload) {
    const { store } = this.deps;
    const key = definitionKey(p.sequenceId, p.sequenceVersion);
    const entry = (
      await engineCache(store).definitions(store, [{ sequenceId: p.sequenceId, version: p.sequenceVersion }])
    ).get(key);
    const step = entry?.definition.steps.find((s) => s.id === p.stepId);
    return entry === undefined || step?.type !== 'automated_email' || p.override !== null ? undefined : entry;
  }

  /**
   * `p` as sent now: an automated email goes out for the record's owner at send time (their hours, their
   * mailbox, their name), so a record handed to another seller while its email waited is sent as theirs, as
   * the waiting manual steps are moved to them. A seller's own email stays the seller's who sent it.
   */
  async fromCurrentOwner(p: EmailPayload, record: SalesRecord): Promise<EmailPayload> {
    if (record.ownerId === p.ownerId || (await this.#automated(p)) === undefined) return p;
    return { ...p, ownerId: record.ownerId };
  }

  block(account: MailboxAccount, until: number): void {
    this.#blocked.set(account.key, until);
  }

  /** Runs `fn` alone among this pass's sends of `key`: concurrent sends never both pass its limits. */
  exclusive<R>(key: string, fn: () => Promise<R>): Promise<R> {
    const run = (this.#locks.get(key) ?? Promise.resolve()).then(fn, fn);
    this.#locks.set(
      key,
      run.catch(() => undefined),
    );
    return run;
  }

  settle(settlement: Settlement): void {
    this.#settlements.push(settlement);
    this.#oldestAt ??= performance.now();
  }

  /** Records the answers in hand once the oldest has waited `settleWithinMs` (the lanes call it after each send). */
  async flushIfDue(): Promise<void> {
    if (this.#oldestAt !== null && performance.now() - this.#oldestAt >= this.o.settleWithinMs)
      await this.flush();
  }

  /**
   * One transaction for the batch's answers: each row leaves `sending` (or `pending`) and the events of
   * the rows that did go to their enrollments in ONE engine call. Until it commits, a crash leaves the
   * batch's handed-over rows in `sending` (→ `send_unknown`), never a row `sent` without its event.
   * A busy database (SQLite locked by another process past its busy timeout, a PostgreSQL deadlock or
   * lock timeout) is waited out: the transaction is tried again, BUSY_RETRY_DELAYS_MS apart; still busy,
   * the rows stay `sending`, as after a crash. Any other failure: each answer in its own transaction, so one
   * enrollment that cannot move holds back no other, and an answer whose own transaction fails is recorded
   * alone (the message is out; that enrollment is logged as not moved on).
   */
  async flush(): Promise<void> {
    const batch = this.#settlements;
    this.#settlements = [];
    this.#oldestAt = null;
    if (batch.length === 0) return;
    const whole = await this.#commitAnswers(batch);
    let settled: Settlement[];
    if (whole.ok) settled = whole.settled;
    else if (whole.busy) {
      this.deps.log?.error(
        { err: whole.error, outboxIds: batch.map((s) => s.row.id) },
        'the database stayed busy: answers not recorded (the rows become send_unknown when their lease runs out)',
      );
      settled = [];
    } else {
      settled = [];
      for (const s of batch) {
        const one = await this.#commitAnswers([s]);
        if (one.ok) settled.push(...one.settled);
        else if (!one.busy && (await settleRow(this.deps.store.outbox, s))) {
          // The message is out (or failed for good): record that much even if the enrollment cannot move.
          settled.push(s);
          this.deps.log?.error(
            { err: one.error, outboxId: s.row.id, enrollmentId: s.p.enrollmentId },
            'answer recorded, but the enrollment could not be moved on',
          );
        }
      }
    }
    for (const s of settled) {
      this.result[s.kind]++;
      if (s.kind === 'failed')
        this.deps.log?.warn(
          { outboxId: s.row.id, enrollmentId: s.p.enrollmentId, reason: s.reason },
          'automated email failed',
        );
    }
  }

  /** The answers' rows and their enrollments' events in one transaction, tried again while the database is busy. */
  async #commitAnswers(
    batch: readonly Settlement[],
  ): Promise<{ ok: true; settled: Settlement[] } | { ok: false; busy: boolean; error: unknown }> {
    const { store } = this.deps;
    for (let attempt = 0; ; attempt++) {
      try {
        let settled: Settlement[] = [];
        await store.transaction(async (tx) => {
          settled = [];
          for (const s of batch) if (await settleRow(tx.outbox, s)) settled.push(s);
          if (settled.length > 0) await applyEvents({ ...this.deps, store: tx }, settled.map(eventOf));
          // A manual email counts as sent when the mail server took it; its step closed at the seller's send.
          const manualSent = settled.flatMap((s) =>
            s.kind === 'sent' && s.p.override !== null
              ? [
                  {
                    sequenceId: s.p.sequenceId,
                    version: s.p.sequenceVersion,
                    stepId: s.p.stepId,
                    counter: 'email_sent',
                    by: 1,
                  },
                ]
              : [],
          );
          if (manualSent.length > 0) await tx.engine.addStats(manualSent);
        });
        return { ok: true, settled };
      } catch (error) {
        const busy = error instanceof StoreError && error.code === 'busy';
        const delay = BUSY_RETRY_DELAYS_MS[attempt];
        if (!busy || delay === undefined) return { ok: false, busy, error };
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}

/** How a row of the batch ended, recorded at the batch's end (SendPass.flush). */
type Settlement =
  | { kind: 'sent'; row: OutboxMessage; p: EmailPayload; at: number; response: string }
  | { kind: 'failed'; row: OutboxMessage; p: EmailPayload; from: 'pending' | 'sending'; reason: string }
  | { kind: 'suppressed'; row: OutboxMessage; p: EmailPayload };

function settleRow(outbox: MailSenderDeps['store']['outbox'], s: Settlement): Promise<boolean> {
  switch (s.kind) {
    case 'sent':
      return outbox.markSent(s.row.id, s.at, s.response);
    case 'failed':
      return outbox.settle(s.row.id, [s.from], 'failed', s.reason);
    case 'suppressed':
      return outbox.settle(s.row.id, ['pending'], 'dropped', 'suppressed');
    default:
      s satisfies never;
      throw new Error('unhandled settlement');
  }
}

function eventOf(s: Settlement): ApplyItem {
  const base = { stepId: s.p.stepId, seq: s.p.seq };
  switch (s.kind) {
    case 'sent':
      return { enrollmentId: s.p.enrollmentId, event: { ...base, type: 'email_sent', at: s.at } };
    case 'failed':
      return {
        enrollmentId: s.p.enrollmentId,
        event: { ...base, type: 'email_failed', permanent: true, reason: s.reason },
      };
    case 'suppressed':
      return { enrollmentId: s.p.enrollmentId, event: { ...base, type: 'email_suppressed' } };
    default:
      s satisfies never;
      throw new Error('unhandled settlement');
  }
}

function backoff(o: SenderOptions, attempts: number): number {
  return Math.min(o.retryMaxMs, o.retryBaseMs * 2 ** Math.max(0, attempts - 1));
}

/** Fails a row for good; its enrollment moves on (the transition's rule for a failed email) at the flush. */
function failForGood(
  pass: SendPass,
  row: OutboxMessage,
  p: EmailPayload,
  from: 'pending' | 'sending',
  reason: string,
): void {
  pass.settle({ kind: 'failed', row, p, from, reason });
}

async function draftOf(
  pass: SendPass,
  row: OutboxMessage,
  p: EmailPayload,
  record: SalesRecord & { email: string },
  mailbox: { account: MailboxAccount; own: boolean },
): Promise<EmailDraft | string> {
  const { store } = pass.deps;
  const [template, owner, sequence, version] = await Promise.all([
    p.templateId === null ? Promise.resolve(null) : store.emailTemplates.get(p.templateId),
    store.users.get(p.ownerId),
    store.sequences.get(p.sequenceId),
    store.sequences.getVersion(p.sequenceId, p.sequenceVersion),
  ]);
  const subject = p.override?.subject ?? template?.subject;
  const body = p.override?.body ?? template?.body;
  if (subject === undefined || body === undefined)
    return p.templateId === null
      ? 'the email step has no template and no text of its own'
      : `email template ${p.templateId} no longer exists`;
  if (owner === null) return `owner ${p.ownerId} no longer exists`;
  const ownerAddress = { name: owner.name, address: owner.email };
  // A seller's own mailbox sends as the seller; the installation's as STEPWISE_MAIL_FROM if set.
  const address = mailbox.account.fromAddress ?? (mailbox.own ? null : pass.deps.defaultFrom) ?? owner.email;
  const from = { name: mailbox.account.fromName ?? owner.name, address };
  return {
    outboxId: row.id,
    outboxKey: row.idempotencyKey,
    from,
    to: { name: record.name, address: record.email },
    template: { subject, body },
    literal: { subject: p.override?.subject !== undefined, body: p.override?.body !== undefined },
    context: {
      record: recordContext(record),
      sender: { name: from.name, address: from.address },
      owner: ownerAddress,
      sequence: { name: sequence?.name ?? '' },
    },
    tracking: version?.definition.options.tracking ?? true,
    date: pass.now(),
  };
}

/** A claimed row not handed over, given back as it was (its place in the queue kept, its claim released). */
async function release(pass: SendPass, row: OutboxMessage): Promise<void> {
  await pass.deps.store.outbox.reschedule(row.id, {
    availableAt: row.availableAt,
    lastError: row.lastError,
    countAttempt: false,
  });
}

async function sendOne(pass: SendPass, row: OutboxMessage): Promise<void> {
  const { deps, o } = pass;
  const { store } = deps;
  if (o.stop?.aborted) {
    await release(pass, row);
    return;
  }
  const queued = payloadOf(row);
  if (queued === null) {
    await store.outbox.settle(row.id, ['pending'], 'failed', 'the queued email is missing fields');
    pass.result.failed++;
    return;
  }
  const record = await store.records.get(queued.recordId);
  if (record === null || record.deletedAt !== null || record.email === null || record.email.trim() === '') {
    failForGood(
      pass,
      row,
      queued,
      'pending',
      record?.email ? 'the record was deleted' : 'the record has no email address',
    );
    return;
  }
  const p = await pass.fromCurrentOwner(queued, record);
  if (await deps.isSuppressed(record.email)) {
    pass.settle({ kind: 'suppressed', row, p });
    return;
  }

  // Outside the sending window (the owner's calendar changed since the email was queued): it waits.
  const windowStart = await pass.windowOf(p, record);
  const window = windowStart(pass.now());
  if (window > pass.now()) {
    await store.outbox.reschedule(row.id, {
      availableAt: window,
      lastError: row.lastError,
      countAttempt: false,
      mailboxKey: null,
    });
    pass.result.deferred++;
    return;
  }

  const mailbox = await pass.accountFor(p.ownerId);
  const now = pass.now();
  if (mailbox === null) {
    deps.log?.warn(
      { outboxId: row.id },
      'no mailbox configured (STEPWISE_SMTP_URL or a stored mailbox): the email waits',
    );
    await store.outbox.reschedule(row.id, {
      availableAt: now + o.noMailboxWaitMs,
      lastError: 'waiting for a mailbox to be configured',
      countAttempt: false,
      mailboxKey: null,
    });
    pass.result.deferred++;
    return;
  }
  const { account } = mailbox;
  const defer = async (allowed: number) => {
    await store.outbox.reschedule(row.id, {
      availableAt: await pass.slotFor(account, allowed, windowStart),
      lastError: row.lastError,
      countAttempt: false,
      // Its slot, which a later pass counts (SendPass.slotFor).
      mailboxKey: account.key,
    });
    pass.result.deferred++;
  };
  // A cheap look first (no rendering for a message that must wait), the binding one under the lock.
  const allowed = await pass.nextAllowed(account, now);
  if (allowed > now) {
    await defer(allowed);
    return;
  }

  const draft = await draftOf(pass, row, p, { ...record, email: record.email }, mailbox);
  if (typeof draft === 'string') {
    failForGood(pass, row, p, 'pending', draft);
    return;
  }
  let prepared: Awaited<ReturnType<Mailer['prepare']>>;
  try {
    prepared = await deps.mailer.prepare(draft);
  } catch (error) {
    if (!(error instanceof EmailPreparationError)) throw error;
    failForGood(pass, row, p, 'pending', error.message);
    return;
  }

  const marked = await pass.exclusive(account.key, async () => {
    if (o.stop?.aborted) {
      await release(pass, row);
      return false;
    }
    const at = pass.now();
    const allowedNow = await pass.nextAllowed(account, at);
    if (allowedNow > at) {
      await defer(allowedNow);
      return false;
    }
    // Committed before a byte goes out: from here on, a crash leaves `sending`, which becomes
    // `send_unknown` when the lease runs out, and is never sent again without an administrator.
    const ok = await store.transaction(async (tx) => {
      const done = await tx.outbox.markSending(row.id, {
        at,
        leaseUntil: at + o.sendLeaseMs,
        messageKeyHash: messageKeyHashOf(prepared.messageId),
        mailboxKey: account.key,
        // Sent for the record's new owner: the row says so from now on (its details, a re-send).
        ...(p.ownerId === queued.ownerId ? {} : { payload: { ...row.payload, ownerId: p.ownerId } }),
      });
      if (done)
        await tx.mailboxes.logSend({
          id: deps.ids.newId('snd'),
          mailboxKey: account.key,
          outboxId: row.id,
          at,
        });
      return done;
    });
    if (ok && account.minSpacingMs > 0) pass.block(account, at + account.minSpacingMs);
    if (ok) await pass.sentOn(account.key, at);
    return ok;
  });
  if (!marked) return; // waiting for its limits, released (stopping), or dropped meanwhile (the enrollment ended).

  const outcome = await deps.mailer.deliver(account, prepared, { breakOff: o.breakOff });
  if (outcome.kind !== 'sent' && o.breakOff?.aborted) {
    pass.result.brokenOff++;
    deps.log?.warn(
      { outboxId: row.id, outcome: outcome.kind, reason: outcome.reason },
      'SMTP exchange broken off: the sender could wait no longer',
    );
  }
  const attempts = row.attempts + 1;
  switch (outcome.kind) {
    case 'sent':
      pass.settle({ kind: 'sent', row, p, at: pass.now(), response: outcome.response });
      return;
    case 'transient':
      if (attempts >= o.maxAttempts) {
        failForGood(pass, row, p, 'sending', `gave up after ${attempts} attempts: ${outcome.reason}`);
        return;
      }
      await store.outbox.retryLater(row.id, pass.now() + backoff(o, attempts), outcome.reason);
      pass.result.retried++;
      return;
    case 'permanent':
      failForGood(pass, row, p, 'sending', outcome.reason);
      return;
    case 'unknown':
      if (await store.outbox.settle(row.id, ['sending'], 'send_unknown', outcome.reason)) {
        pass.result.unknown++;
        deps.log?.error(
          { outboxId: row.id, reason: outcome.reason },
          'email may or may not have been delivered: left as send_unknown for an administrator',
        );
      }
      return;
    default:
      outcome satisfies never;
  }
}

/** `<sw.{hash}@domain>` → `hash` (the Mailer builds Message-IDs with message-id.ts). */
function messageKeyHashOf(messageId: string): string {
  const match = /<sw\.([0-9a-f]{32})@/.exec(messageId);
  if (match?.[1] === undefined)
    throw new Error(`the mailer made a Message-ID the sender cannot index: ${messageId}`);
  return match[1];
}

/** Every resolved sender option: the defaults in one place. */
export function senderOptions(overrides: Partial<SenderOptions> = {}): SenderOptions {
  const options: SenderOptions = { ...SENDER_DEFAULTS };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  }
  return options;
}

/**
 * Rows left `sending` past their lease become `send_unknown`: their sender died (or hung) after
 * `sending` was committed, so the message may be out. Runs at start and at every pass.
 */
export async function recoverInterruptedSends(deps: MailSenderDeps): Promise<OutboxMessage[]> {
  const expired = await deps.store.outbox.expireSending(deps.clock.now());
  for (const row of expired) {
    deps.log?.error({ outboxId: row.id }, 'a send was interrupted after the hand-over: now send_unknown');
  }
  return expired;
}

/**
 * Sends one claimed batch, `concurrency` messages at a time, recording answers as they come (at most
 * `settleWithinMs` late, several in one commit) and the rest at the batch's end.
 * A failing row (a store error) does not stop the others: the answers in hand are recorded first.
 */
/**
 * The batch's units of work, in claim order: one row each, except that the rows of a mailbox with a
 * minimum spacing form one unit, sent one after another. Spacing lets such a mailbox send one message
 * per slot anyway, and in one lane its messages go (and take their slots) in claim order, due time then
 * id, on both stores: side by side, the order depended on which lane's reads came back first.
 */
async function unitsOf(pass: SendPass, claimed: readonly OutboxMessage[]): Promise<OutboxMessage[][]> {
  const units: OutboxMessage[][] = [];
  const spaced = new Map<string, OutboxMessage[]>();
  for (const row of claimed) {
    const ownerId = row.payload.ownerId;
    const mailbox = typeof ownerId === 'string' ? await pass.accountFor(ownerId) : null;
    if (mailbox === null || mailbox.account.minSpacingMs === 0) {
      units.push([row]);
      continue;
    }
    const unit = spaced.get(mailbox.account.key);
    if (unit !== undefined) unit.push(row);
    else {
      const fresh = [row];
      spaced.set(mailbox.account.key, fresh);
      units.push(fresh);
    }
  }
  return units;
}

async function sendBatch(pass: SendPass, claimed: readonly OutboxMessage[]): Promise<void> {
  const units = await unitsOf(pass, claimed);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async () => {
    for (let unit = units[next++]; unit !== undefined; unit = units[next++]) {
      for (const row of unit) {
        try {
          await sendOne(pass, row);
          await pass.flushIfDue();
        } catch (error) {
          failure ??= { error };
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(pass.o.concurrency, units.length) }, lane));
  await pass.flush();
  if (failure !== null) throw (failure as { error: unknown }).error;
}

/** Sends everything due now, batch after batch, until nothing due is left to claim. */
export async function sendDueEmails(
  deps: MailSenderDeps,
  overrides: Partial<SenderOptions> = {},
): Promise<SendPassResult> {
  const o = senderOptions(overrides);
  const pass = new SendPass(deps, o);
  pass.result.recovered = (await recoverInterruptedSends(deps)).length;
  for (;;) {
    if ((o.keepGoing !== undefined && !o.keepGoing()) || o.stop?.aborted) return pass.result;
    const now = pass.now();
    const claimed = await deps.store.outbox.claimDue(EMAIL_KIND, now, o.batchSize, now + o.claimLeaseMs);
    if (claimed.length === 0) return pass.result;
    await sendBatch(pass, claimed);
  }
}

// ---------------------------------------------------------------------------------------------
// Administrators' decisions on `send_unknown` messages

/**
 * What an administrator sees of a queued email: its addressee and the message as the sender would build
 * it now, less the tracking (its links are the template's own).
 */
export interface OutboxEmailView {
  payload: EmailPayload | null;
  to: string | null;
  /** The whole message, re-rendered from the current template and record (same Message-ID, no tracking); null when it cannot be. */
  raw: Buffer | null;
  /** Why there is no message (the record or template is gone, the template fails). */
  problem: string | null;
}

export async function viewOutboxEmail(
  deps: MailSenderDeps,
  row: OutboxMessage,
  date: number,
): Promise<OutboxEmailView> {
  const queued = payloadOf(row);
  if (queued === null) return { payload: null, to: null, raw: null, problem: 'not an automated email' };
  const record = await deps.store.records.get(queued.recordId);
  const to = record?.email ?? null;
  if (record === null || to === null)
    return { payload: queued, to, raw: null, problem: 'the record has no email address' };
  const pass = new SendPass(deps, senderOptions());
  // A message not handed over yet would go out for the record's owner now; one handed over names its sender.
  const p = row.status === 'pending' ? await pass.fromCurrentOwner(queued, record) : queued;
  const mailbox = (await pass.accountFor(p.ownerId)) ?? {
    account: { fromAddress: null, fromName: null } as MailboxAccount,
    own: false,
  };
  const draft = await draftOf(pass, row, p, { ...record, email: to }, mailbox);
  if (typeof draft === 'string') return { payload: p, to, raw: null, problem: draft };
  try {
    // Without tracking: links go to their destinations and there is no pixel, so an administrator who
    // reads the message or follows a link in it records no open or click for the recipient.
    const prepared = await deps.mailer.prepare({ ...draft, date, tracking: false });
    return { payload: p, to, raw: prepared.raw, problem: null };
  } catch (error) {
    if (!(error instanceof EmailPreparationError)) throw error;
    return { payload: p, to, raw: null, problem: error.message };
  }
}

export function listUnknown(deps: EngineDeps, options?: PageOptions): Promise<Page<OutboxMessage>> {
  return deps.store.outbox.listByStatus('send_unknown', options);
}

/** Queues a `send_unknown` message again, now (same Message-ID: receivers can tell it is a repeat). */
export async function resendUnknown(
  deps: EngineDeps,
  id: string,
  actorId: string | null = null,
): Promise<boolean> {
  const now = deps.clock.now();
  const ok = await deps.store.outbox.requeueUnknown(id, now);
  if (ok) {
    await deps.store.audit.append({
      id: deps.ids.newId('aud'),
      at: now,
      actorId,
      action: 'outbox.resend_unknown',
      subjectType: 'outbox',
      subjectId: id,
      data: null,
    });
    deps.onWorkScheduled?.(now);
  }
  return ok;
}

/**
 * Drops a `send_unknown` message for good. `delivered`: the administrator found it was delivered (the
 * provider's log), so the message counts as sent now and the enrollment moves on as after a send;
 * otherwise as after a failed email. One transaction: the row (whose change the webhook triggers report
 * as `email.sent` / `email.failed`), the audit entry and the enrollment's move.
 */
export async function dropUnknown(
  deps: EngineDeps,
  id: string,
  options: { delivered?: boolean; actorId?: string | null } = {},
): Promise<boolean> {
  const delivered = options.delivered === true;
  const reason = delivered ? 'delivered (an administrator checked)' : 'dropped by an administrator';
  return deps.store.transaction(async (tx) => {
    const row = await tx.outbox.get(id);
    if (row === null) return false;
    const now = deps.clock.now();
    if (!(await tx.outbox.dropUnknown(id, { deliveredAt: delivered ? now : null, reason }))) return false;
    await tx.audit.append({
      id: deps.ids.newId('aud'),
      at: now,
      actorId: options.actorId ?? null,
      action: 'outbox.drop_unknown',
      subjectType: 'outbox',
      subjectId: id,
      data: { delivered },
    });
    const p = payloadOf(row);
    if (p !== null) {
      await applyEvents({ ...deps, store: tx }, [
        {
          enrollmentId: p.enrollmentId,
          event: delivered
            ? { type: 'email_sent', stepId: p.stepId, seq: p.seq, at: now }
            : { type: 'email_failed', stepId: p.stepId, seq: p.seq, permanent: true, reason },
        },
      ]);
    }
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// The long-running sender (serve / worker)

export class MailSender {
  readonly #deps: MailSenderDeps;
  readonly #options: SenderOptions & { maxIdleMs: number; errorBackoffMs: number };
  #running = false;
  #loop: Promise<void> | null = null;
  readonly #alarm = new Alarm();
  #nudged = false;
  /** Fired by stop(): the running pass starts no more exchanges. */
  #halt = new AbortController();
  /** Fired when whoever stops the sender may wait no longer: the exchanges in flight are broken off. */
  #breakOff = new AbortController();
  sent = 0;
  /** SMTP exchanges broken off since the sender was made (stop's `breakOff`). */
  brokenOff = 0;

  readonly #onPass: ((result: SendPassResult) => void) | undefined;

  constructor(
    deps: MailSenderDeps,
    options: Partial<SenderOptions> & {
      maxIdleMs?: number;
      errorBackoffMs?: number;
      /** Told after every pass (metrics). */
      onPass?: (result: SendPassResult) => void;
    } = {},
  ) {
    this.#deps = deps;
    this.#onPass = options.onPass;
    this.#options = {
      ...senderOptions(options),
      // Stopping (SIGTERM, a test-clock walk) ends the pass with the exchanges in flight, not after the
      // batch in hand or the whole backlog: a platform's kill timeout would otherwise land in the middle of
      // a later batch, and a stalled server would hold each of the batch's messages for its timeouts.
      keepGoing: () => this.#running,
      maxIdleMs: options.maxIdleMs ?? 1_000,
      errorBackoffMs: options.errorBackoffMs ?? 5_000,
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#halt = new AbortController();
    this.#breakOff = new AbortController();
    this.#loop = this.#run(this.#halt.signal, this.#breakOff.signal);
  }

  nudge(): void {
    this.#nudged = true;
    this.#wakeUp();
  }

  /**
   * Ends the pass in hand once its SMTP exchanges in flight have ended (no new one starts), and stops.
   * `breakOff`: when it fires, those exchanges are broken off (their rows settled as the crash rule says).
   */
  async stop(options: { breakOff?: AbortSignal | undefined } = {}): Promise<void> {
    this.#running = false;
    this.#halt.abort();
    const breakOff = this.#breakOff;
    const onBreakOff = () => breakOff.abort();
    if (options.breakOff?.aborted) onBreakOff();
    else options.breakOff?.addEventListener('abort', onBreakOff, { once: true });
    this.#wakeUp();
    try {
      await this.#loop;
    } finally {
      options.breakOff?.removeEventListener('abort', onBreakOff);
    }
    this.#loop = null;
  }

  async #run(stop: AbortSignal, breakOff: AbortSignal): Promise<void> {
    const o = { ...this.#options, stop, breakOff };
    while (this.#running) {
      try {
        this.#nudged = false;
        const result = await sendDueEmails(this.#deps, o);
        this.sent += result.sent;
        this.brokenOff += result.brokenOff;
        this.#onPass?.(result);
        if (this.#nudged || !this.#running) continue;
        const next = await this.#deps.store.outbox.nextAvailableAt(EMAIL_KIND);
        const now = this.#deps.clock.now();
        // Due rows left after a pass are leased by another sender: look again shortly.
        await this.#sleep(next === null ? o.maxIdleMs : next > now ? Math.min(next - now, o.maxIdleMs) : 200);
      } catch (error) {
        this.#deps.log?.error({ err: error }, 'mail sender pass failed');
        if (this.#running) await this.#sleep(o.errorBackoffMs);
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return this.#alarm.sleep(ms);
  }

  #wakeUp(): void {
    this.#alarm.wake();
  }
}
