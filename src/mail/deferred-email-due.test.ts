// What a user and an API client are shown of an automated email that the sender deferred (the mailbox's
// daily cap or spacing, the owner's or the recipient's hours read again at send time, no mailbox, a 4xx
// retry): every view's due time is the time the sender will take the message up, its outbox row's
// `available_at`, never the time planned when it was queued. Meanwhile the enrollment row keeps no wake-up
// (it waits for the sender's `email_sent`, not for a tick): the scheduler never re-ticks it early, and the
// email still goes out and moves the enrollment on. Both dialects, over real SMTP on loopback.
import { afterEach, expect, it } from 'vitest';
import { connectRecords } from '../engine/connect.js';
import { emailKey } from '../engine/enrollment-commit.js';
import {
  getEnrollment,
  listRecordEnrollments,
  listSequenceEnrollments,
  upNext,
} from '../engine/enrollment-views.js';
import { type MailSenderDeps, sendDueEmails } from '../engine/outbox-sender.js';
import type { OutboxMessage } from '../engine/ports/store.js';
import { runDue } from '../engine/scheduler.js';
import { pauseEnrollment, resumeEnrollment } from '../engine/seller-actions.js';
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
import { forEachDialect } from '../storage/test-support/dialects.js';
import { SmtpMailer } from './smtp-mailer.js';
import { accountFromSmtpUrl } from './smtp-url.js';
import { type SinkAnswer, type SmtpSink, startSmtpSink } from './test-support/smtp-sink.js';

let sinks: SmtpSink[] = [];
let mailers: SmtpMailer[] = [];
afterEach(async () => {
  await Promise.all(mailers.map((m) => m.close()));
  await Promise.all(sinks.map((s) => s.close()));
  sinks = [];
  mailers = [];
});

type T = Parameters<Parameters<typeof forEachDialect>[1]>[0];

/** An automated email `a1` then a task `t1`, connected for `records` leads and run up to the queued email. */
async function world(
  t: T,
  options: {
    records?: number;
    limits?: string;
    recipientHours?: boolean;
    plan?: (n: number) => SinkAnswer;
    /** A record may run several sequences at once (the installation setting). */
    parallel?: boolean;
  } = {},
) {
  const sink = await startSmtpSink(options.plan);
  sinks.push(sink);
  const engine = engineDeps(t.store(), { allowParallelEnrollments: options.parallel ?? false });
  const mailer = new SmtpMailer({
    publicUrl: 'https://sw.example',
    secret: 'a-test-secret-of-at-least-32-characters',
    timeouts: { socket: 1_500 },
  });
  mailers.push(mailer);
  const deps: MailSenderDeps & { clock: typeof engine.clock } = {
    ...engine,
    mailer,
    fallbackAccount: accountFromSmtpUrl(
      `smtp://127.0.0.1:${sink.port}${options.limits ?? '?dailyCap=off&minSpacingMs=0'}`,
    ),
    defaultFrom: 'sales@stepwise.example',
    isSuppressed: (email) => isSuppressed(engine, email),
  };
  const owner = await aUser(deps.store, 'admin', { name: 'Olivia Owner' });
  const actor = { id: owner.id, role: 'admin' as const };
  await deps.store.emailTemplates.create({
    id: 'tpl_intro',
    name: 'Intro',
    subject: 'Hello {{ record.name }}',
    body: 'Hi {{ record.name }}',
    createdAt: T0,
  });
  const sequenceId = await activeSequence(
    deps.store,
    owner.id,
    definition(
      [
        { id: 'a1', type: 'automated_email', templateId: 'tpl_intro', next: 't1' },
        { id: 't1', type: 'task', name: 'Follow up' },
      ],
      options.recipientHours ? { workingHours: 'recipient' } : {},
    ),
  );
  const recordIds = await someRecords(deps.store, owner.id, options.records ?? 1);
  for (const [i, id] of recordIds.entries())
    await deps.store.records.update(id, { name: `Ada ${i}`, email: `ada.${i}@customer.example` }, T0);
  const { enrolled } = await connectRecords(deps, { sequenceId, recordIds, actor });
  await runDue(deps, { batchSize: 100, leaseOwner: 'test' });
  const enrollments = enrolled.map((e) => ({ enrollmentId: e.enrollmentId, recordId: e.recordId }));
  return { deps, sink, owner, actor, sequenceId, enrollments };
}

type World = Awaited<ReturnType<typeof world>>;

/** The email's outbox row, whatever its status. */
async function outboxRow(w: World, enrollmentId: string): Promise<OutboxMessage> {
  for (const status of ['pending', 'held', 'sending', 'sent', 'failed', 'send_unknown', 'dropped'] as const) {
    const row = (await w.deps.store.outbox.listByStatus(status, { limit: 1000 })).items.find(
      (r) => r.idempotencyKey === emailKey(enrollmentId, 1),
    );
    if (row !== undefined) return row;
  }
  throw new Error('no outbox row');
}

/** Every due time a user or an API client is shown of the enrollment's current step, by where it shows. */
async function shownDue(w: World, enrollment: { enrollmentId: string; recordId: string }) {
  const { deps, actor, sequenceId } = w;
  const detail = await getEnrollment(deps, actor, enrollment.enrollmentId);
  const current = detail.history.find((h) => h.state === 'open' || h.state === 'waiting');
  const upcoming = await upNext(deps, actor, enrollment.recordId);
  const connected = (await listSequenceEnrollments(deps, sequenceId, { limit: 100 })).items.find(
    (e) => e.enrollmentId === enrollment.enrollmentId,
  );
  const ofRecord = (await listRecordEnrollments(deps, actor, enrollment.recordId, { limit: 10 })).items.find(
    (e) => e.enrollmentId === enrollment.enrollmentId,
  );
  return {
    step: current?.stepId,
    enrollment: detail.dueAt,
    history: current?.dueAt,
    upNext: upcoming.map((item) => [item.step.id, item.dueAt]),
    connected: connected?.dueAt,
    recordHistory: ofRecord?.dueAt,
  };
}

/** What every view shows of an email due at `at`. */
function dueEverywhere(step: string, at: number) {
  return { step, enrollment: at, history: at, upNext: [[step, at]], connected: at, recordHistory: at };
}

/**
 * The enrollment waits for the sender, not for a tick: no wake-up on its row, and a scheduler run (which may
 * move the other enrollments on) leaves it and its email as they were.
 */
async function expectNoTick(w: World, enrollmentId: string) {
  const before = await w.deps.store.enrollments.get(enrollmentId);
  expect(before?.dueAt).toBeNull();
  const email = await outboxRow(w, enrollmentId);
  const steps = await w.deps.store.enrollments.listSteps(enrollmentId);
  await runDue(w.deps, { batchSize: 100, leaseOwner: 'test' });
  expect(await w.deps.store.enrollments.get(enrollmentId)).toEqual(before);
  expect(await outboxRow(w, enrollmentId)).toEqual(email);
  expect(await w.deps.store.enrollments.listSteps(enrollmentId)).toEqual(steps);
}

forEachDialect('a deferred automated email is shown due when it will go out', (t) => {
  it("the mailbox's spacing and daily cap: each view shows the email's own slot, and it goes out then", async () => {
    const w = await world(t, { records: 3, limits: '?dailyCap=2&minSpacingMs=20000' });
    const { deps, sink, enrollments } = w;
    for (const e of enrollments) expect(await shownDue(w, e)).toEqual(dueEverywhere('a1', T0));

    expect(await sendDueEmails(deps)).toMatchObject({ sent: 1, deferred: 2 });
    const rows = await Promise.all(enrollments.map((e) => outboxRow(w, e.enrollmentId)));
    const waiting = enrollments.filter((_, i) => rows[i]?.status === 'pending');
    expect(waiting).toHaveLength(2);
    const slots: number[] = [];
    for (const e of waiting) {
      const at = (await outboxRow(w, e.enrollmentId)).availableAt;
      slots.push(at);
      expect(await shownDue(w, e)).toEqual(dueEverywhere('a1', at));
      await expectNoTick(w, e.enrollmentId);
    }
    // The second slot is the cap's, not the next spacing: two sends will be in the last 24 hours by then,
    // so it waits for the first to leave the window, and says so from the start (it said T0 + 40 s, then
    // T0 + 1 day once the sender found it over the cap there).
    expect(slots.sort((a, b) => a - b)).toEqual([T0 + 20_000, T0 + DAY + 1]);

    deps.clock.advance(20_000);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 1, deferred: 0 });
    deps.clock.advance(20_000);
    // Two sends in the last 24 hours: the third is not due yet, and was never shown due before its slot.
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 0, deferred: 0 });
    const last = enrollments.find((_, i) => rows[i]?.availableAt === T0 + DAY + 1);
    if (last === undefined) throw new Error('no email in the second slot');
    expect((await outboxRow(w, last.enrollmentId)).availableAt).toBe(T0 + DAY + 1);
    expect(await shownDue(w, last)).toEqual(dueEverywhere('a1', T0 + DAY + 1));

    // Not early: the scheduler leaves it alone until then, and the sender sends nothing before.
    deps.clock.advance(DAY - 40_000);
    await expectNoTick(w, last.enrollmentId);
    expect((await sendDueEmails(deps)).sent).toBe(0);
    expect(await shownDue(w, last)).toEqual(dueEverywhere('a1', T0 + DAY + 1));
    // Not lost: it goes out when shown, and the enrollment moves on to its task.
    deps.clock.advance(1);
    expect((await sendDueEmails(deps)).sent).toBe(1);
    expect(sink.accepted).toHaveLength(3);
    await runDue(deps, { batchSize: 100, leaseOwner: 'test' });
    const after = await shownDue(w, last);
    expect(after.step).toBe('t1');
    expect(after.upNext).toEqual([['t1', after.enrollment]]);
    expect(after.enrollment).toBeGreaterThanOrEqual(T0 + DAY + 1);
    // Its history says when it was due to go, as while it waited, not the time planned at queueing.
    const sent = (await getEnrollment(deps, w.actor, last.enrollmentId)).history.find(
      (h) => h.stepId === 'a1',
    );
    expect(sent).toMatchObject({ state: 'completed', dueAt: T0 + DAY + 1, completedAt: T0 + DAY + 1 });
  });

  it('an email queued by a later pass counts the slots earlier passes gave: shown due when it goes out', async () => {
    // A cap of 1 a day: the first email goes now, the second waits a day. A third, queued an hour later and
    // taken up by another pass, comes after the second: two days, not the day the second already holds.
    const w = await world(t, { records: 2, limits: '?dailyCap=1&minSpacingMs=0' });
    const { deps, sink, owner, actor, sequenceId } = w;
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 1, deferred: 1 });
    deps.clock.advance(HOUR);
    const [recordId] = await someRecords(deps.store, owner.id, 1);
    if (recordId === undefined) throw new Error('no record');
    await deps.store.records.update(recordId, { name: 'Late', email: 'late@customer.example' }, T0 + HOUR);
    const { enrolled } = await connectRecords(deps, { sequenceId, recordIds: [recordId], actor });
    await runDue(deps, { batchSize: 100, leaseOwner: 'test' });
    const late = enrolled[0];
    if (late === undefined) throw new Error('not connected');
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 0, deferred: 1 });
    expect(await shownDue(w, late)).toEqual(dueEverywhere('a1', T0 + 2 * DAY + 2));
    await expectNoTick(w, late.enrollmentId);

    // At the second's slot the second goes, and the late one is not due yet; it goes at its own.
    deps.clock.set(T0 + DAY + 1);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 1, deferred: 0 });
    expect((await outboxRow(w, late.enrollmentId)).status).toBe('pending');
    expect(await shownDue(w, late)).toEqual(dueEverywhere('a1', T0 + 2 * DAY + 2));
    deps.clock.set(T0 + 2 * DAY + 1);
    expect((await sendDueEmails(deps)).sent).toBe(0);
    deps.clock.set(T0 + 2 * DAY + 2);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 1, deferred: 0 });
    expect(sink.accepted).toHaveLength(3);
    expect((await outboxRow(w, late.enrollmentId)).status).toBe('sent');
  });

  it("the owner's time off, read again at send time: shown due when their working day starts", async () => {
    // T0 is Monday 09:00 UTC, in the owner's default hours: queued for now. The owner then takes Monday off.
    const w = await world(t);
    const { deps, sink, owner, enrollments } = w;
    const [e] = enrollments;
    if (e === undefined) throw new Error('no enrollment');
    await deps.store.users.update(owner.id, { timeOff: [{ start: T0 - 9 * HOUR, end: T0 + 15 * HOUR }] }, T0);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 0, deferred: 1 });
    expect((await outboxRow(w, e.enrollmentId)).availableAt).toBe(T0 + 23 * HOUR);
    expect(await shownDue(w, e)).toEqual(dueEverywhere('a1', T0 + 23 * HOUR));
    await expectNoTick(w, e.enrollmentId);
    deps.clock.advance(23 * HOUR);
    expect((await sendDueEmails(deps)).sent).toBe(1);
    expect(sink.accepted).toHaveLength(1);
    expect((await shownDue(w, e)).step).toBe('t1');
  });

  it("the recipient's hours: shown due at 08:00 in the record's time zone", async () => {
    // T0 is Monday 09:00 UTC: 01:00 in Los Angeles, where the record now is.
    const w = await world(t, { recipientHours: true });
    const { deps, enrollments } = w;
    const [e] = enrollments;
    if (e === undefined) throw new Error('no enrollment');
    await deps.store.records.update(e.recordId, { timezone: 'America/Los_Angeles' }, T0);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 0, deferred: 1 });
    expect(await shownDue(w, e)).toEqual(dueEverywhere('a1', T0 + 7 * HOUR));
    await expectNoTick(w, e.enrollmentId);
  });

  it('no mailbox, then a 4xx: shown due at the next try', async () => {
    const w = await world(t, {
      plan: (n) => (n === 1 ? { code: 451, message: '4.3.0 Try again later' } : 'accept'),
    });
    const { deps, sink, enrollments } = w;
    const [e] = enrollments;
    if (e === undefined) throw new Error('no enrollment');
    const account = deps.fallbackAccount;
    deps.fallbackAccount = null;
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 0, deferred: 1 });
    expect(await shownDue(w, e)).toEqual(dueEverywhere('a1', T0 + 5 * 60_000));
    await expectNoTick(w, e.enrollmentId);

    deps.fallbackAccount = account;
    deps.clock.advance(5 * 60_000);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 0, retried: 1 });
    expect(await shownDue(w, e)).toEqual(dueEverywhere('a1', T0 + 5 * 60_000 + 60_000));
    await expectNoTick(w, e.enrollmentId);
    deps.clock.advance(60_000);
    expect((await sendDueEmails(deps)).sent).toBe(1);
    expect(sink.accepted).toHaveLength(1);
  });

  it("a record's up next stays in due order when its email is deferred past another sequence's step", async () => {
    const w = await world(t, { parallel: true });
    const { deps, owner, actor, enrollments } = w;
    const [e] = enrollments;
    if (e === undefined) throw new Error('no enrollment');
    // The same record in a second sequence, connected after the first: its task opens now, at T0.
    const other = await activeSequence(
      deps.store,
      owner.id,
      definition([{ id: 'b1', type: 'task', name: 'Prepare' }]),
    );
    const { enrolled } = await connectRecords(deps, { sequenceId: other, recordIds: [e.recordId], actor });
    expect(enrolled).toHaveLength(1);
    await runDue(deps, { batchSize: 100, leaseOwner: 'test' });
    const steps = async () =>
      (await upNext(deps, actor, e.recordId)).map((item) => [item.step.id, item.dueAt]);
    // Both due at T0: by id, the first sequence's email first.
    expect(await steps()).toEqual([
      ['a1', T0],
      ['b1', T0],
    ]);
    await deps.store.users.update(owner.id, { timeOff: [{ start: T0 - 9 * HOUR, end: T0 + 15 * HOUR }] }, T0);
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 0, deferred: 1 });
    expect(await steps()).toEqual([
      ['b1', T0],
      ['a1', T0 + 23 * HOUR],
    ]);
  });

  it('a pause and a resume after a deferral: shown as the sender will send it, never lost', async () => {
    const w = await world(t, { records: 2, limits: '?dailyCap=1&minSpacingMs=0' });
    const { deps, sink, actor, enrollments } = w;
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 1, deferred: 1 });
    const rows = await Promise.all(enrollments.map((e) => outboxRow(w, e.enrollmentId)));
    const e = enrollments.find((_, i) => rows[i]?.status === 'pending');
    if (e === undefined) throw new Error('no deferred email');
    expect(await shownDue(w, e)).toEqual(dueEverywhere('a1', T0 + DAY + 1));

    // Paused: nothing falls due (the enrollment shows no due time); the email is held, its step still says when.
    deps.clock.advance(HOUR);
    await pauseEnrollment(deps, actor, e.enrollmentId);
    expect((await outboxRow(w, e.enrollmentId)).status).toBe('held');
    const paused = await shownDue(w, e);
    expect(paused).toMatchObject({ enrollment: null, history: T0 + DAY + 1, upNext: [['a1', T0 + DAY + 1]] });
    await expectNoTick(w, e.enrollmentId);

    // Resumed: released for now (inside the owner's hours), so shown due now; the sender defers it again.
    deps.clock.advance(HOUR);
    await resumeEnrollment(deps, actor, e.enrollmentId);
    const released = (await outboxRow(w, e.enrollmentId)).availableAt;
    expect(await shownDue(w, e)).toEqual(dueEverywhere('a1', released));
    expect(await sendDueEmails(deps)).toMatchObject({ sent: 0, deferred: 1 });
    expect(await shownDue(w, e)).toEqual(dueEverywhere('a1', T0 + DAY + 1));
    await expectNoTick(w, e.enrollmentId);

    deps.clock.set(T0 + DAY + 1);
    expect((await sendDueEmails(deps)).sent).toBe(1);
    expect(sink.accepted).toHaveLength(2);
    expect((await shownDue(w, e)).step).toBe('t1');
  });
});
