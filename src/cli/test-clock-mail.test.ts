// The test clock's walk through simulated time (scheduler.ts `runUntil`) driving this process's real mail
// sender (mail-sender.ts `createMailSender`), on both dialects, over real SMTP on loopback: one move sends
// every email that fell due, at its own instant, within the mailbox's spacing and daily cap counted in
// simulated time, and what a sent email makes due (a wait, the next email) is processed too.
import { simpleParser } from 'mailparser';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import type { SequenceDefinition } from '../domain/definition.js';
import { SystemClock } from '../engine/clock.js';
import { connectRecords } from '../engine/connect.js';
import { MailSender, type MailSenderDeps, sendDueEmails } from '../engine/outbox-sender.js';
import type { OutboxMessage } from '../engine/ports/store.js';
import { type RunUntilResult, runUntil, type WalkLimits, type WalkMailSender } from '../engine/scheduler.js';
import { isSuppressed } from '../engine/suppression.js';
import {
  activeSequence,
  aUser,
  DAY,
  definition,
  engineDeps,
  HOUR,
  someRecords,
  T0,
} from '../engine/test-support/engine-world.js';
import { SmtpMailer } from '../mail/smtp-mailer.js';
import { accountFromSmtpUrl } from '../mail/smtp-url.js';
import { type SmtpSink, startSmtpSink } from '../mail/test-support/smtp-sink.js';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { createMailSender } from './mail-sender.js';

const SECRET = 'a-test-secret-of-at-least-32-characters';
const SPACING = 20_000;

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

type T = Parameters<Parameters<typeof forEachDialect>[1]>[0];

const EMAIL_FIRST: SequenceDefinition['steps'] = [
  { id: 'a1', type: 'automated_email', templateId: 'tpl_intro', next: 't1' },
  { id: 't1', type: 'task', name: 'Follow up' },
];

/** Records connected (not yet started) to an active sequence of `steps`, and the process's sender. */
async function world(
  t: T,
  options: { records: number; limits?: string; steps?: SequenceDefinition['steps'] },
) {
  const sink = await startSmtpSink();
  cleanups.push(() => sink.close());
  const deps = engineDeps(t.store());
  const config = loadConfig({
    STEPWISE_CLOCK: 'manual',
    STEPWISE_SECRET: SECRET,
    STEPWISE_MAIL_FROM: 'sales@stepwise.example',
    STEPWISE_SMTP_URL: `smtp://127.0.0.1:${sink.port}${options.limits ?? ''}`,
  });
  const sender = await createMailSender(deps, config, pino({ level: 'silent' }));
  cleanups.push(() => sender.stop());
  const owner = await aUser(deps.store, 'admin', { name: 'Olivia Owner' });
  for (const [id, subject] of [
    ['tpl_intro', 'Hello {{ record.name }}'],
    ['tpl_again', 'Again, {{ record.name }}'],
  ] as const)
    await deps.store.emailTemplates.create({ id, name: id, subject, body: 'Hi there.', createdAt: T0 });
  const sequenceId = await activeSequence(deps.store, owner.id, definition(options.steps ?? EMAIL_FIRST));
  const recordIds = await someRecords(deps.store, owner.id, options.records);
  for (const [i, id] of recordIds.entries())
    await deps.store.records.update(id, { name: `Ada ${i}`, email: `ada.${i}@customer.example` }, T0);
  const { enrolled } = await connectRecords(deps, {
    sequenceId,
    recordIds,
    actor: { id: owner.id, role: 'admin' },
  });
  return { deps, sink, sender, enrollmentIds: enrolled.map((e) => e.enrollmentId) };
}

function walk(
  w: { deps: ReturnType<typeof engineDeps> },
  mail: WalkMailSender,
  to: number,
  maxStops = 50_000,
): Promise<RunUntilResult> {
  return runUntil(w.deps, w.deps.clock, to, {
    batchSize: 1_000,
    leaseOwner: 'test-clock',
    mail,
    maxStops,
    budget: { clock: new SystemClock(), ms: 120_000 },
  });
}

async function sentRows(w: { deps: ReturnType<typeof engineDeps> }): Promise<OutboxMessage[]> {
  const { items } = await w.deps.store.outbox.listByStatus('sent', { limit: 1_000 });
  return items.sort((a, b) => (a.sentAt ?? 0) - (b.sentAt ?? 0));
}

async function stepStates(w: { deps: ReturnType<typeof engineDeps> }, enrollmentId: string) {
  return (await w.deps.store.enrollments.listSteps(enrollmentId)).map((s) => `${s.stepId}:${s.state}`);
}

async function messageIds(sink: SmtpSink): Promise<string[]> {
  return Promise.all(sink.received.map(async (raw) => (await simpleParser(raw)).messageId ?? ''));
}

forEachDialect('test clock walk with the mail sender', (t) => {
  it('one move sends every email that fell due, completes each email step and moves each enrollment on', async () => {
    const w = await world(t, { records: 4 });
    const result = await walk(w, w.sender.testClock, T0 + DAY);
    expect(w.sink.accepted).toHaveLength(4);
    // Connecting queued the emails; the move sent them, and each sent email opened the task inline.
    expect(result).toMatchObject({ steps: 0, emails: 4, cutShort: false });
    expect(w.deps.clock.now()).toBe(T0 + DAY);
    for (const id of w.enrollmentIds) {
      expect(await stepStates(w, id)).toEqual(['a1:completed', 't1:open']);
      expect((await w.deps.store.enrollments.get(id))?.currentStepId).toBe('t1');
    }
    expect(new Set(await messageIds(w.sink)).size).toBe(4);
  });

  it('keeps the mailbox spacing in simulated time: 50 emails over one move, 20 s apart', async () => {
    const w = await world(t, { records: 50 });
    // Each message waits once, for a slot of its own (outbox-sender.ts slotFor), not once per slot.
    let deferred = 0;
    const mail = w.sender.testClock;
    const counting = {
      ...mail,
      sendDue: async (limits?: WalkLimits) => {
        const pass = await mail.sendDue(limits);
        deferred += pass.deferred;
        return pass;
      },
    };
    const result = await walk(w, counting, T0 + DAY);
    expect(deferred).toBe(49);
    expect(result.emails).toBe(50);
    expect(w.sink.accepted).toHaveLength(50);
    const sentAt = (await sentRows(w)).map((row) => row.sentAt ?? 0);
    expect(sentAt[0]).toBe(T0);
    for (let i = 1; i < sentAt.length; i++)
      expect((sentAt[i] ?? 0) - (sentAt[i - 1] ?? 0)).toBeGreaterThanOrEqual(SPACING);
    // No slower than the spacing either: each went out the moment its mailbox allowed.
    expect(sentAt.at(-1)).toBe(T0 + 49 * SPACING);
    // In the order they were queued (due time, then id), on both stores.
    const ids = (await sentRows(w)).map((row) => row.id);
    expect(ids).toEqual([...ids].sort());
    // The messages carry their simulated send time.
    const dates = await Promise.all(w.sink.accepted.map(async (raw) => (await simpleParser(raw)).date));
    expect(dates.map((d) => d?.getTime())).toEqual(sentAt);
  });

  it('cuts a walk short at its bound: the clock still ends at the target, the rest runs there', async () => {
    const w = await world(t, { records: 20 });
    const result = await walk(w, w.sender.testClock, T0 + DAY, 5);
    // 5 stops 20 s apart, one email each (the spacing), then one more at the target.
    expect(result).toMatchObject({ cutShort: true, emails: 6, stops: 6 });
    expect(w.deps.clock.now()).toBe(T0 + DAY);
    expect((await sentRows(w)).at(-1)?.sentAt).toBe(T0 + DAY);
  });

  it('keeps the daily cap in simulated time: beyond it, emails wait for the next day', async () => {
    const w = await world(t, { records: 7, limits: '?dailyCap=5&minSpacingMs=0' });
    expect((await walk(w, w.sender.testClock, T0 + DAY - 1)).emails).toBe(5);
    const { items: waiting } = await w.deps.store.outbox.listByStatus('pending', { limit: 100 });
    expect(waiting).toHaveLength(2);
    for (const row of waiting) expect(row.availableAt).toBeGreaterThan(T0 + DAY);
    expect((await walk(w, w.sender.testClock, T0 + 2 * DAY)).emails).toBe(2);
    expect(w.sink.accepted).toHaveLength(7);
    const sentAt = (await sentRows(w)).map((row) => row.sentAt ?? 0);
    expect(sentAt.slice(5).every((at) => at === T0 + DAY + 1)).toBe(true);
  });

  it('runs a chain in one move: email → wait PT1H → email', async () => {
    const w = await world(t, {
      records: 3,
      steps: [
        { id: 'a1', type: 'automated_email', templateId: 'tpl_intro', next: 'w1' },
        { id: 'w1', type: 'wait', duration: 'PT1H', next: 'a2' },
        { id: 'a2', type: 'automated_email', templateId: 'tpl_again', next: 't1' },
        { id: 't1', type: 'task', name: 'Follow up' },
      ],
    });
    const result = await walk(w, w.sender.testClock, T0 + DAY);
    // 6 emails sent; 3 waits ran out (the steps the engine processed at their due instants).
    expect(result).toMatchObject({ steps: 3, emails: 6, cutShort: false });
    expect(w.sink.accepted).toHaveLength(6);
    const subjects = await Promise.all(w.sink.accepted.map(async (raw) => (await simpleParser(raw)).subject));
    expect(subjects.filter((s) => s?.startsWith('Again,'))).toHaveLength(3);
    for (const id of w.enrollmentIds)
      expect(await stepStates(w, id)).toEqual(['a1:completed', 'w1:completed', 'a2:completed', 't1:open']);
    // Each second email waited its hour after the first was sent, in simulated time.
    const rows = await sentRows(w);
    for (const id of w.enrollmentIds) {
      const [first, second] = rows.filter((row) => row.payload.enrollmentId === id);
      expect((second?.sentAt ?? 0) - (first?.sentAt ?? 0)).toBeGreaterThanOrEqual(HOUR);
      expect((second?.sentAt ?? 0) - (first?.sentAt ?? 0)).toBeLessThan(HOUR + 3 * SPACING);
    }
  });

  it('never sends twice while the background sender runs too', async () => {
    const w = await world(t, { records: 6 });
    await w.sender.start();
    // The background loop is already sending what is due at T0 while the clock moves.
    const result = await walk(w, w.sender.testClock, T0 + DAY);
    const ids = await messageIds(w.sink);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    expect(result.emails).toBeLessThanOrEqual(6);
    const rows = await sentRows(w);
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(row.attempts).toBe(1);
    for (const id of w.enrollmentIds) expect(await stepStates(w, id)).toEqual(['a1:completed', 't1:open']);
  });

  it('never sends a message twice even when two senders race over the same rows (claim + markSending)', async () => {
    const w = await world(t, { records: 12, limits: '?dailyCap=off&minSpacingMs=0' });
    // A second, independent sender on the same store, not paused by the walk: only the outbox's
    // claim lease and its pending → sending step keep the two apart.
    const mailer = new SmtpMailer({ publicUrl: 'https://sw.example', secret: SECRET });
    cleanups.push(() => mailer.close());
    const other: MailSenderDeps = {
      ...w.deps,
      mailer,
      fallbackAccount: accountFromSmtpUrl(`smtp://127.0.0.1:${w.sink.port}?dailyCap=off&minSpacingMs=0`),
      defaultFrom: null,
      isSuppressed: (email) => isSuppressed(w.deps, email),
    };
    const background = new MailSender(other, { maxIdleMs: 1 });
    background.start();
    cleanups.push(() => background.stop());
    const unguarded: WalkMailSender = {
      configured: async () => true,
      exclusive: (fn) => fn({ brokenOff: 0 }),
      sendDue: () => sendDueEmails(other),
    };
    await walk(w, unguarded, T0 + DAY);
    await background.stop();
    const ids = await messageIds(w.sink);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('without any mailbox, processes the steps and leaves the emails pending', async () => {
    const w = await world(t, {
      records: 2,
      steps: [
        { id: 'm1', type: 'update_field', field: 'stage', value: 'working', next: 'w1' },
        { id: 'w1', type: 'wait', duration: 'PT1H', next: 'a1' },
        ...EMAIL_FIRST,
      ],
    });
    const noMailbox = await createMailSender(
      w.deps,
      loadConfig({ STEPWISE_CLOCK: 'manual', STEPWISE_SECRET: SECRET }),
      pino({ level: 'silent' }),
    );
    cleanups.push(() => noMailbox.stop());
    const result = await walk(w, noMailbox.testClock, T0 + DAY);
    // The waits ran out at T0 + 1 h; the emails they queued were not touched.
    expect(result).toMatchObject({ steps: 2, emails: 0, cutShort: false });
    const { items } = await w.deps.store.outbox.listByStatus('pending', { limit: 10 });
    expect(items).toHaveLength(2);
    expect(items.every((row) => row.attempts === 0 && row.availableAt === T0 + HOUR)).toBe(true);
    for (const id of w.enrollmentIds)
      expect(await stepStates(w, id)).toEqual(['m1:completed', 'w1:completed', 'a1:waiting']);
    expect(w.sink.received).toHaveLength(0);
  });
});
