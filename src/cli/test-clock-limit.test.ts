// POST /api/clock answers within its time limit whatever the SMTP server does (routes/clock.ts, scheduler.ts
// `runUntil`), on both dialects, through the HTTP API of a server wired as `serve` wires it (the process's own
// mail sender, its background loop running) to a real SMTP server on loopback that stalls: it never greets,
// or it takes the message and never answers. The move answers 504 `smtp_timeout` soon after its limit, the
// clock at the target; each email whose exchange was broken off is retried (not handed over) or
// `send_unknown` (handed over), never `sending`, never sent twice; the background loop is running again.
import { simpleParser } from 'mailparser';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { createApiToken } from '../api/auth/api-tokens.js';
import { iso } from '../api/schemas.js';
import { buildServer } from '../api/server.js';
import { loadConfig } from '../config.js';
import type { SequenceDefinition } from '../domain/definition.js';
import { connectRecords } from '../engine/connect.js';
import { OUTBOX_STATUSES, type OutboxMessage } from '../engine/ports/store.js';
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
import { type StallingSmtp, type StallMode, startStallingSmtp } from '../mail/test-support/stalling-smtp.js';
import { type DialectTest, forEachDialect } from '../storage/test-support/dialects.js';
import { createMailSender } from './mail-sender.js';

const SECRET = 'a-test-secret-of-at-least-32-characters';
/** The move's limit and its grace in these tests (2 minutes and 5 s in a real server). */
const LIMIT_MS = 1_500;
const GRACE_MS = 200;
/**
 * What the answer may take past the limit and its grace: the database work after the walk, on a loaded
 * machine (2 s flaked with other suites beside it). What the bound tells apart is the stalled exchange's
 * own limit (300 s), which a move that failed to break off would wait for.
 */
const MARGIN_MS = 15_000;
const RECORDS = 3;

// Each test closes its world itself, before the dialect suite closes the store; this is for a failed one.
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups = [];
});

/** The email after an hour's wait: it falls due inside the move, so the walk's own send pass meets the server. */
const WAIT_FIRST: SequenceDefinition['steps'] = [
  { id: 'w1', type: 'wait', duration: 'PT1H', next: 'a1' },
  { id: 'a1', type: 'automated_email', templateId: 'tpl_intro', next: 't1' },
  { id: 't1', type: 'task', name: 'Follow up' },
];
/** The email at once: the background loop sends it before any move. */
const EMAIL_FIRST: SequenceDefinition['steps'] = WAIT_FIRST.slice(1);

async function world(t: DialectTest, mode: StallMode, steps: SequenceDefinition['steps']) {
  const smtp = await startStallingSmtp(mode);
  const deps = engineDeps(t.store());
  const config = loadConfig({
    DATABASE_URL: ':memory:',
    STEPWISE_CLOCK: 'manual',
    STEPWISE_SECRET: SECRET,
    STEPWISE_MAIL_FROM: 'sales@stepwise.example',
    // No spacing: the three messages are in flight at once.
    STEPWISE_SMTP_URL: `smtp://127.0.0.1:${smtp.port}?dailyCap=off&minSpacingMs=0`,
  });
  const log = pino({ level: 'silent' });
  const sender = await createMailSender(deps, config, log);
  const app = await buildServer({
    config,
    engine: deps,
    logger: log,
    testClockMail: sender.testClock,
    testClockWalkLimit: { ms: LIMIT_MS, graceMs: GRACE_MS },
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
    await sender.stop();
    await smtp.close();
  };
  cleanups.push(close);
  const owner = await aUser(deps.store, 'admin', { name: 'Olivia Owner' });
  const { token } = await createApiToken(deps, owner.id, 'tests');
  await deps.store.emailTemplates.create({
    id: 'tpl_intro',
    name: 'Intro',
    subject: 'Hello {{ record.name }}',
    body: 'Hi there.',
    createdAt: T0,
  });
  const sequenceId = await activeSequence(deps.store, owner.id, definition(steps));
  const recordIds = await someRecords(deps.store, owner.id, RECORDS);
  for (const [i, id] of recordIds.entries())
    await deps.store.records.update(id, { name: `Ada ${i}`, email: `ada.${i}@customer.example` }, T0);
  const { enrolled } = await connectRecords(deps, {
    sequenceId,
    recordIds,
    actor: { id: owner.id, role: 'admin' },
  });
  /** POST /api/clock {advance}, and how long it took to answer. */
  const move = async (advance: string) => {
    const started = performance.now();
    const response = await app.inject({
      method: 'POST',
      url: '/api/clock',
      headers: { authorization: `Bearer ${token}` },
      payload: { advance },
    });
    return { response, ms: performance.now() - started };
  };
  return { deps, smtp, sender, move, close, enrollmentIds: enrolled.map((e) => e.enrollmentId) };
}

type World = Awaited<ReturnType<typeof world>>;

async function outboxRows(w: World): Promise<OutboxMessage[]> {
  const rows: OutboxMessage[] = [];
  for (const status of OUTBOX_STATUSES)
    rows.push(...(await w.deps.store.outbox.listByStatus(status, { limit: 100 })).items);
  return rows;
}

async function stepStates(w: World, enrollmentId: string): Promise<string[]> {
  return (await w.deps.store.enrollments.listSteps(enrollmentId)).map((s) => `${s.stepId}:${s.state}`);
}

async function until(what: string, done: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function messageIds(smtp: StallingSmtp): Promise<string[]> {
  return Promise.all(smtp.accepted.map(async (raw) => (await simpleParser(raw)).messageId ?? ''));
}

/** The 504 of a move cut off at its limit, the clock at its target. */
function expectSmtpTimeout(
  moved: Awaited<ReturnType<World['move']>>,
  expected: { now: number; processed: number; brokenOff: number },
) {
  const { response, ms } = moved;
  expect(response.statusCode).toBe(504);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.json()).toMatchObject({
    type: '/problems/smtp-timeout',
    status: 504,
    code: 'smtp_timeout',
    now: iso(expected.now),
    processed: expected.processed,
    brokenOff: expected.brokenOff,
  });
  expect(response.json().detail).toMatch(/did not answer within/);
  // It waited for the server until the limit (and the grace), and not much longer.
  expect(ms).toBeGreaterThanOrEqual(LIMIT_MS);
  expect(ms).toBeLessThan(LIMIT_MS + GRACE_MS + MARGIN_MS);
}

forEachDialect('test clock move with a stalling SMTP server', (t) => {
  it('a server that never greets: 504 at the limit, the emails retried, and sent once each by the resumed loop', async () => {
    const w = await world(t, 'greeting', WAIT_FIRST);
    await w.sender.start();
    // To 30 s after the emails fall due: their retry (a minute after the attempt) is not due yet when the
    // move answers, so the loop it resumed leaves them alone until the clock moves on.
    const moved = await w.move('PT1H30S');
    // The three waits ran out at T0 + 1 h (processed); the three emails they queued met the silent server.
    expectSmtpTimeout(moved, { now: T0 + HOUR + 30_000, processed: RECORDS, brokenOff: RECORDS });
    expect(w.deps.clock.now()).toBe(T0 + HOUR + 30_000);
    expect(w.smtp.connections).toBe(RECORDS);
    const rows = await outboxRows(w);
    expect(rows).toHaveLength(RECORDS);
    for (const row of rows) {
      // Not handed over: back to pending for a retry, the attempt counted (the crash rule's "retried").
      expect(row.status).toBe('pending');
      expect(row.attempts).toBe(1);
      expect(row.lastError).toMatch(/^connect: broken off/);
      expect(row.availableAt).toBe(T0 + HOUR + 60_000);
    }
    expect(w.smtp.received).toHaveLength(0);
    for (const id of w.enrollmentIds) expect(await stepStates(w, id)).toEqual(['w1:completed', 'a1:waiting']);

    // The server comes back and the retry falls due: the background loop, running again, sends each once.
    w.smtp.recover();
    w.deps.clock.advance(30_000);
    await until('every email is sent', async () =>
      (await outboxRows(w)).every((row) => row.status === 'sent'),
    );
    const ids = await messageIds(w.smtp);
    expect(ids).toHaveLength(RECORDS);
    expect(new Set(ids).size).toBe(RECORDS);
    for (const row of await outboxRows(w)) expect(row.attempts).toBe(2);
    for (const id of w.enrollmentIds)
      expect(await stepStates(w, id)).toEqual(['w1:completed', 'a1:completed', 't1:open']);
    await w.close();
  });

  it('a server that takes the message and never answers: 504 at the limit, send_unknown, never sent again', async () => {
    const w = await world(t, 'data', WAIT_FIRST);
    await w.sender.start();
    expectSmtpTimeout(await w.move('P1D'), { now: T0 + DAY, processed: RECORDS, brokenOff: RECORDS });
    const rows = await outboxRows(w);
    expect(rows).toHaveLength(RECORDS);
    for (const row of rows) {
      // Handed over without an answer: it may be delivered, so an administrator decides (never re-sent by itself).
      expect(row.status).toBe('send_unknown');
      expect(row.attempts).toBe(1);
      expect(row.lastError).toMatch(/broken off/);
    }
    expect(w.smtp.received).toHaveLength(RECORDS);

    // The server works again; the next move answers as usual and sends nothing twice.
    w.smtp.mode = 'accept';
    const next = await w.move('P1D');
    expect(next.response.statusCode).toBe(200);
    expect(next.response.json()).toEqual({ now: iso(T0 + 2 * DAY), processed: 0 });
    expect(w.smtp.received).toHaveLength(RECORDS);
    expect(w.smtp.accepted).toHaveLength(0);
    expect((await outboxRows(w)).map((row) => row.status)).toEqual(Array(RECORDS).fill('send_unknown'));
    for (const id of w.enrollmentIds) expect(await stepStates(w, id)).toEqual(['w1:completed', 'a1:waiting']);
    await w.close();
  });

  it('the background loop stuck in a stalled exchange when the move comes: still 504 at the limit', async () => {
    const w = await world(t, 'greeting', EMAIL_FIRST);
    // The loop takes the emails due now and waits for a greeting that never comes.
    await w.sender.start();
    await until('the loop is connected for every email', () => w.smtp.connections === RECORDS);
    // The move waits for the loop's pass (two passes at once could both pass a mailbox's limits) only
    // until its limit: then the loop's exchanges are broken off, and the move answers.
    // 30 s: the retries (a minute after the loop's attempt at T0) are not due when it answers.
    expectSmtpTimeout(await w.move('PT30S'), { now: T0 + 30_000, processed: 0, brokenOff: RECORDS });
    expect(w.deps.clock.now()).toBe(T0 + 30_000);
    const rows = await outboxRows(w);
    expect(rows).toHaveLength(RECORDS);
    for (const row of rows) {
      expect(row.status).toBe('pending');
      expect(row.attempts).toBe(1);
      expect(row.lastError).toMatch(/^connect: broken off/);
      expect(row.availableAt).toBe(T0 + 60_000);
    }
    expect(w.smtp.connections).toBe(RECORDS);
    expect(w.smtp.received).toHaveLength(0);

    w.smtp.recover();
    w.deps.clock.advance(30_000);
    await until('every email is sent', async () =>
      (await outboxRows(w)).every((row) => row.status === 'sent'),
    );
    const ids = await messageIds(w.smtp);
    expect(ids).toHaveLength(RECORDS);
    expect(new Set(ids).size).toBe(RECORDS);
    for (const id of w.enrollmentIds) expect(await stepStates(w, id)).toEqual(['a1:completed', 't1:open']);
    await w.close();
  });
});
