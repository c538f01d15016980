// Webhooks end to end on both dialects, against a real HTTP receiver on loopback: events written by the
// engine's own commits (through the 0005 triggers) are fanned out, signed, delivered, retried with
// backoff until 24 hours have passed, never enqueued twice, and not logged at all without endpoints.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { forEachDialect } from '../../storage/test-support/dialects.js';
import { applyEvents } from '../apply-events.js';
import { ManualClock } from '../clock.js';
import { connectRecords } from '../connect.js';
import { dropUnknown } from '../outbox-sender.js';
import { completeStep, skipStep } from '../seller-actions.js';
import { deactivateSequence } from '../sequences/stop-sequence.js';
import { ingestSignals } from '../signals.js';
import {
  activeSequence,
  aUser,
  definition,
  engineDeps,
  HOUR,
  someRecords,
  T0,
} from '../test-support/engine-world.js';
import { countOf } from '../test-support/raw-db.js';
import { deliverDueWebhooks, type WebhookDeliveryDeps } from './deliverer.js';
import { deliveriesFor, dispatchWebhookEvents } from './dispatcher.js';
import {
  createWebhook,
  listWebhookDeliveries,
  resendWebhookDelivery,
  resentAt,
  updateWebhook,
} from './endpoints.js';
import { HttpWebhookPoster } from './http-poster.js';
import { verifySignature } from './signature.js';
import { WebhookRunner } from './webhook-runner.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() when the request was in. */
  at: number;
}

/** A webhook receiver on 127.0.0.1 answering the statuses of `answers` in turn (then the last one). */
async function receiver(answers: number[] = [200]) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      });
      response.statusCode = answers[Math.min(received.length - 1, answers.length - 1)] ?? 200;
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return { url: `http://127.0.0.1:${port}/hooks/stepwise`, received };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Manual steps: a call opens at once (T0 is a Monday 09:00 UTC, inside working hours). */
const CALL_THEN_TASK = definition([
  { id: 'p1', type: 'phone_call', name: 'Call', next: 't1' },
  { id: 't1', type: 'task', name: 'Follow up' },
]);

/**
 * docs/webhooks.md's Node.js `verifyStepwise`, line for line, with the receiver's `Date.now()` passed
 * in as `nowMs`: what a receiver following the documentation accepts.
 */
function verifyAsDocumented(
  rawBody: string,
  header: string,
  secret: string,
  nowMs: number,
  toleranceSeconds = 300,
) {
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2)));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowMs / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The receiver's real time: days after the engine's T0, as it is under STEPWISE_CLOCK=manual. */
const WALL_START = T0 + 3 * 24 * HOUR + 17 * 60_000 + 123;

type T = Parameters<Parameters<typeof forEachDialect>[1]>[0];

async function world(t: T) {
  const base = engineDeps(t.store());
  const deps: WebhookDeliveryDeps & { clock: typeof base.clock; wallClock: ManualClock } = {
    ...base,
    poster: new HttpWebhookPoster(),
    wallClock: new ManualClock(WALL_START),
  };
  const admin = await aUser(deps.store, 'admin');
  const actor = { id: admin.id, role: 'admin' as const };
  const sequenceId = await activeSequence(deps.store, admin.id, CALL_THEN_TASK);
  const connect = async (count: number) => {
    const recordIds = await someRecords(deps.store, admin.id, count);
    const result = await connectRecords(deps, { sequenceId, recordIds, actor });
    return result.enrolled.map((e) => e.enrollmentId);
  };
  /** Everything pending fanned out, then one delivery pass. */
  const pass = async () => {
    while ((await dispatchWebhookEvents(deps)).events > 0);
    return deliverDueWebhooks(deps);
  };
  return { deps, actor, sequenceId, connect, pass };
}

forEachDialect('webhooks', (t) => {
  it('delivers the events of a commit, signed with the endpoint secret and verifiable', async () => {
    const w = await world(t);
    const hook = await receiver();
    const webhook = await createWebhook(w.deps, w.actor, {
      url: hook.url,
      events: ['enrollment.started', 'step.opened'],
    });
    const [enrollmentId] = await w.connect(1);

    expect(await w.pass()).toEqual({ delivered: 2, retried: 0, failed: 0 });
    const bodies = hook.received.map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => b.type).sort()).toEqual(['enrollment.started', 'step.opened']);
    const started = bodies.find((b) => b.type === 'enrollment.started');
    expect(started.data).toMatchObject({ enrollmentId, sequenceId: w.sequenceId, status: 'active' });
    expect(started.createdAt).toBe(new Date(T0).toISOString());
    const opened = bodies.find((b) => b.type === 'step.opened');
    expect(opened.data).toMatchObject({ enrollmentId, stepId: 'p1', stepType: 'phone_call', state: 'open' });
    expect(opened.data.enrollmentStepId).toBe(`${enrollmentId}.0001`);

    for (const request of hook.received) {
      const body = JSON.parse(request.body);
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['stepwise-event-id']).toBe(body.id);
      expect(request.headers['stepwise-event-type']).toBe(body.type);
      const signature = String(request.headers['stepwise-signature']);
      expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      // `t` is the wall clock's time, not the engine's (the event's createdAt stays on the engine's).
      expect(signature.startsWith(`t=${Math.floor(WALL_START / 1000)},`)).toBe(true);
      const now = w.deps.wallClock.now();
      expect(verifySignature(signature, request.body, webhook.secret, now)).toBe(true);
      expect(verifyAsDocumented(request.body, signature, webhook.secret, now)).toBe(true);
      expect(verifyAsDocumented(request.body, signature, webhook.secret, now + 299_000)).toBe(true);
      expect(verifySignature(signature, `${request.body} `, webhook.secret, now)).toBe(false);
      expect(verifyAsDocumented(`${request.body} `, signature, webhook.secret, now)).toBe(false);
      expect(verifySignature(signature, request.body, 'whsec_wrong', now)).toBe(false);
      expect(verifyAsDocumented(request.body, signature, 'whsec_wrong', now)).toBe(false);
      // An old signature is refused by a receiver that checks the timestamp.
      expect(verifySignature(signature, request.body, webhook.secret, now + HOUR)).toBe(false);
      expect(verifyAsDocumented(request.body, signature, webhook.secret, now + 301_000)).toBe(false);
      // Signed on the engine's clock, every delivery would have been refused: it is days away.
      expect(verifyAsDocumented(request.body, signature, webhook.secret, w.deps.clock.now())).toBe(false);
    }

    const page = await listWebhookDeliveries(w.deps, webhook.id);
    expect(page.items).toHaveLength(2);
    for (const delivery of page.items) {
      expect(delivery).toMatchObject({ status: 'delivered', deliveredAt: T0, nextAttemptAt: null });
      expect(delivery.attempts).toHaveLength(1);
      expect(delivery.attempts[0]).toMatchObject({ statusCode: 200, error: null });
    }
  });

  it('retries a receiver that answered 500, with the same event id and body', async () => {
    const w = await world(t);
    const hook = await receiver([500, 200]);
    const webhook = await createWebhook(w.deps, w.actor, { url: hook.url, events: ['enrollment.started'] });
    await w.connect(1);

    expect(await w.pass()).toEqual({ delivered: 0, retried: 1, failed: 0 });
    const [pending] = (await listWebhookDeliveries(w.deps, webhook.id)).items;
    expect(pending?.status).toBe('pending');
    expect(pending?.attempts.map((a) => [a.statusCode, a.error])).toEqual([[500, 'HTTP 500']]);
    // The first retry waits 30 s ± 25%.
    const wait = (pending?.nextAttemptAt ?? 0) - T0;
    expect(wait).toBeGreaterThanOrEqual(22_500);
    expect(wait).toBeLessThan(37_500);

    // The retry is due on the engine's clock, however little real time has passed.
    w.deps.wallClock.advance(7_000);
    expect(await w.pass()).toEqual({ delivered: 0, retried: 0, failed: 0 });
    w.deps.clock.advance(wait);
    expect(await w.pass()).toEqual({ delivered: 1, retried: 0, failed: 0 });
    expect(hook.received).toHaveLength(2);
    expect(hook.received[1]?.body).toBe(hook.received[0]?.body);
    // Each attempt is signed afresh, at its own wall-clock time.
    const retrySignature = String(hook.received[1]?.headers['stepwise-signature']);
    expect(retrySignature.startsWith(`t=${Math.floor((WALL_START + 7_000) / 1000)},`)).toBe(true);
    expect(
      verifySignature(retrySignature, hook.received[1]?.body ?? '', webhook.secret, w.deps.wallClock.now()),
    ).toBe(true);
    expect(hook.received[1]?.headers['stepwise-event-id']).toBe(
      hook.received[0]?.headers['stepwise-event-id'],
    );
    const [done] = (await listWebhookDeliveries(w.deps, webhook.id)).items;
    expect(done?.status).toBe('delivered');
    expect(done?.attempts.map((a) => a.statusCode)).toEqual([500, 200]);
  });

  it('backs off exponentially and gives up after 24 hours', async () => {
    const w = await world(t);
    const hook = await receiver([503]);
    const webhook = await createWebhook(w.deps, w.actor, { url: hook.url, events: ['*'] });
    await updateWebhook(w.deps, w.actor, webhook.id, { events: ['enrollment.started'] });
    await w.connect(1);
    let delivery = (await listWebhookDeliveries(w.deps, webhook.id)).items[0];
    for (let guard = 0; guard < 100; guard++) {
      await w.pass();
      delivery = (await listWebhookDeliveries(w.deps, webhook.id)).items[0];
      if (delivery?.status !== 'pending' || delivery.nextAttemptAt === null) break;
      w.deps.clock.set(delivery.nextAttemptAt);
    }
    expect(delivery?.status).toBe('failed');
    const times = delivery?.attempts.map((a) => a.at) ?? [];
    const gaps = times.slice(1).map((at, i) => at - (times[i] as number));
    // 30 s, 1 min, 2 min … doubling (with jitter) up to 2 hours, for 24 hours: about 20 attempts.
    expect(times.length).toBeGreaterThan(15);
    expect(times.length).toBeLessThan(25);
    expect(gaps[1] as number).toBeGreaterThan(gaps[0] as number);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(2.5 * HOUR);
    expect((times.at(-1) as number) - T0).toBeLessThanOrEqual(24 * HOUR);
    expect((times.at(-1) as number) - T0).toBeGreaterThan(20 * HOUR);
    expect(hook.received).toHaveLength(times.length);
  });

  it('never enqueues an event twice when a dispatcher died between enqueue and consuming the events', async () => {
    const w = await world(t);
    const hook = await receiver();
    const webhook = await createWebhook(w.deps, w.actor, { url: hook.url, events: ['enrollment.started'] });
    await w.connect(3);

    // The dead dispatcher: took the events and wrote their deliveries, but never deleted the events.
    const events = await w.deps.store.webhooks.takeEvents(100);
    expect(events.map((e) => e.type)).toEqual([
      'enrollment.started',
      'enrollment.started',
      'enrollment.started',
    ]);
    const endpoints = await w.deps.store.webhooks.listActive();
    expect(await w.deps.store.webhooks.enqueue(deliveriesFor(events, endpoints, w.deps.ids, T0))).toBe(3);

    // The next dispatcher sees the same events again: they add nothing and are consumed.
    expect(await dispatchWebhookEvents(w.deps)).toEqual({ events: 3, deliveries: 0 });
    expect(await dispatchWebhookEvents(w.deps)).toEqual({ events: 0, deliveries: 0 });
    expect(await countOf(t, 'SELECT count(*) AS n FROM webhook_events')).toBe(0);
    expect(await w.pass()).toEqual({ delivered: 3, retried: 0, failed: 0 });
    const ids = hook.received.map((r) => r.headers['stepwise-event-id']);
    expect(new Set(ids).size).toBe(3);
    expect((await listWebhookDeliveries(w.deps, webhook.id)).items).toHaveLength(3);
  });

  it('logs no event while no active endpoint wants it', async () => {
    const w = await world(t);
    const hook = await receiver();
    await w.connect(5);
    expect(await countOf(t, 'SELECT count(*) AS n FROM webhook_events')).toBe(0);

    const webhook = await createWebhook(w.deps, w.actor, { url: hook.url, events: ['sequence.activated'] });
    await w.connect(5);
    expect(await countOf(t, 'SELECT count(*) AS n FROM webhook_events')).toBe(0);

    await updateWebhook(w.deps, w.actor, webhook.id, { events: ['enrollment.started'], active: false });
    await w.connect(5);
    expect(await countOf(t, 'SELECT count(*) AS n FROM webhook_events')).toBe(0);
    expect(await w.pass()).toEqual({ delivered: 0, retried: 0, failed: 0 });
    expect(hook.received).toHaveLength(0);
  });

  it('reports step completions, skips, the end of enrollments and of sequences', async () => {
    const w = await world(t);
    const hook = await receiver();
    await createWebhook(w.deps, w.actor, { url: hook.url, events: ['*'] });
    const [first, second, third] = await w.connect(3);
    await applyEvents(w.deps, [
      { enrollmentId: first as string, event: { type: 'disconnect', reason: 'user_disconnected' } },
    ]);
    w.deps.clock.advance(HOUR);
    await completeStep(w.deps, w.actor, `${second}.0001`, { outcome: 'answered', notes: 'Booked' });
    await skipStep(w.deps, w.actor, `${third}.0001`);
    await deactivateSequence(w.deps, w.actor, w.sequenceId);
    await w.pass();
    const bodies = hook.received.map((r) => JSON.parse(r.body));
    const types = bodies.map((b) => `${b.type}:${b.data.enrollmentId ?? b.data.sequenceId}`);
    expect(types).toContain(`enrollment.started:${first}`);
    expect(types).toContain(`enrollment.ended:${first}`);
    expect(types).toContain(`step.completed:${second}`);
    expect(types).toContain(`step.opened:${second}`);
    expect(types).toContain(`step.skipped:${third}`);
    expect(types).toContain(`sequence.deactivated:${w.sequenceId}`);
    const ended = bodies.filter((b) => b.type === 'enrollment.ended');
    expect(ended.find((b) => b.data.enrollmentId === first).data).toMatchObject({
      status: 'disconnected',
      endReason: 'user_disconnected',
    });
    // Deactivating the sequence ended the two enrollments still running.
    expect(ended.filter((b) => b.data.endReason === 'sequence_deactivated')).toHaveLength(2);
    const completed = bodies.find((b) => b.type === 'step.completed');
    expect(completed.data).toMatchObject({ stepId: 'p1', outcome: 'answered', actorId: w.actor.id });
    expect(completed.createdAt).toBe(new Date(T0 + HOUR).toISOString());
    // Event ids are unique and stable: one delivery per event.
    expect(new Set(bodies.map((b) => b.id)).size).toBe(bodies.length);
  });

  it('reports sent and failed emails, signals and sequence activations', async () => {
    const w = await world(t);
    const hook = await receiver();
    await createWebhook(w.deps, w.actor, {
      url: hook.url,
      events: ['email.sent', 'email.failed', 'signal.received', 'sequence.activated'],
    });
    const emailFirst = await activeSequence(
      w.deps.store,
      w.actor.id,
      definition([{ id: 'a1', type: 'automated_email', templateId: 'tpl_1' }]),
    );
    const recordIds = await someRecords(w.deps.store, w.actor.id, 2);
    const connected = await connectRecords(w.deps, { sequenceId: emailFirst, recordIds, actor: w.actor });
    const [sent, failed] = connected.enrolled.map((e) => e.enrollmentId);
    const outbox = await w.deps.store.outbox.claimDue('email', T0 + 7 * 24 * HOUR, 10, T0 + 8 * 24 * HOUR);
    const rowOf = (enrollmentId: string | undefined) =>
      outbox.find((row) => row.payload.enrollmentId === enrollmentId)?.id as string;
    const sending = { at: T0, leaseUntil: T0 + HOUR, messageKeyHash: 'h', mailboxKey: 'env' };
    await w.deps.store.outbox.markSending(rowOf(sent), { ...sending, messageKeyHash: 'h1' });
    await w.deps.store.outbox.markSent(rowOf(sent), T0 + 5, '250 OK');
    await w.deps.store.outbox.settle(rowOf(failed), ['pending'], 'failed', '550 no such user');
    await ingestSignals(w.deps, [{ id: 's-1', type: 'email_opened', recordId: recordIds[0] as string }]);
    await w.pass();

    const bodies = hook.received.map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => b.type).sort()).toEqual([
      'email.failed',
      'email.sent',
      'sequence.activated',
      'signal.received',
    ]);
    const byType = Object.fromEntries(bodies.map((b) => [b.type, b]));
    expect(byType['email.sent'].data).toMatchObject({
      messageId: rowOf(sent),
      enrollmentId: sent,
      enrollmentStepId: `${sent}.0001`,
      stepId: 'a1',
      error: null,
    });
    expect(byType['email.sent'].createdAt).toBe(new Date(T0 + 5).toISOString());
    expect(byType['email.failed'].data).toMatchObject({ enrollmentId: failed, error: '550 no such user' });
    expect(byType['signal.received'].data).toMatchObject({ type: 'email_opened', recordId: recordIds[0] });
    expect(byType['sequence.activated'].data).toMatchObject({
      sequenceId: emailFirst,
      status: 'active',
      version: 1,
    });
  });

  it('reports an administrator’s drop of a send_unknown message once: email.sent if delivered, else email.failed', async () => {
    const w = await world(t);
    const hook = await receiver();
    await createWebhook(w.deps, w.actor, { url: hook.url, events: ['email.sent', 'email.failed'] });
    const emailFirst = await activeSequence(
      w.deps.store,
      w.actor.id,
      definition([
        { id: 'a1', type: 'automated_email', templateId: 'tpl_1', next: 't1' },
        { id: 't1', type: 'task', name: 'Follow up' },
      ]),
    );
    const recordIds = await someRecords(w.deps.store, w.actor.id, 3);
    const connected = await connectRecords(w.deps, { sequenceId: emailFirst, recordIds, actor: w.actor });
    const [delivered, lost, suppressed] = connected.enrolled.map((e) => e.enrollmentId);
    const outbox = await w.deps.store.outbox.claimDue('email', T0 + 7 * 24 * HOUR, 10, T0 + 8 * 24 * HOUR);
    const rowOf = (enrollmentId: string | undefined) =>
      outbox.find((row) => row.payload.enrollmentId === enrollmentId)?.id as string;
    // Handed over, no answer: the sender's lease ran out (send_unknown).
    for (const id of [rowOf(delivered), rowOf(lost)])
      await w.deps.store.outbox.markSending(id, {
        at: T0,
        leaseUntil: T0 + 1,
        messageKeyHash: id,
        mailboxKey: 'env',
      });
    expect(await w.deps.store.outbox.expireSending(T0 + 2)).toHaveLength(2);
    // A suppressed address's message is dropped too, but it never went anywhere: no email event.
    await w.deps.store.outbox.settle(rowOf(suppressed), ['pending'], 'dropped', 'suppressed');
    w.deps.clock.set(T0 + HOUR);
    expect(await dropUnknown(w.deps, rowOf(delivered), { delivered: true, actorId: w.actor.id })).toBe(true);
    expect(await dropUnknown(w.deps, rowOf(lost), { actorId: w.actor.id })).toBe(true);
    expect(await dropUnknown(w.deps, rowOf(lost), { actorId: w.actor.id })).toBe(false);
    await w.pass();

    const bodies = hook.received.map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => b.type).sort()).toEqual(['email.failed', 'email.sent']);
    const byType = Object.fromEntries(bodies.map((b) => [b.type, b]));
    const shape = (enrollmentId: string | undefined) => ({
      messageId: rowOf(enrollmentId),
      enrollmentId,
      enrollmentStepId: `${enrollmentId}.0001`,
      stepId: 'a1',
      recordId: expect.any(String),
      ownerId: w.actor.id,
      sequenceId: emailFirst,
    });
    expect(byType['email.sent'].data).toEqual({ ...shape(delivered), error: null });
    expect(byType['email.sent'].createdAt).toBe(new Date(T0 + HOUR).toISOString());
    expect(byType['email.failed'].data).toEqual({ ...shape(lost), error: 'dropped by an administrator' });
  });

  it('runs dispatch and delivery as one round in the long-running worker', async () => {
    const w = await world(t);
    const hook = await receiver();
    await createWebhook(w.deps, w.actor, { url: hook.url, events: ['enrollment.started'] });
    await w.connect(2);
    const runner = new WebhookRunner(w.deps);
    expect(await runner.runOnce()).toEqual({ dispatched: 2, delivered: 2, retried: 0, failed: 0 });
    expect(await runner.runOnce()).toEqual({ dispatched: 0, delivered: 0, retried: 0, failed: 0 });
    expect(hook.received).toHaveLength(2);
    runner.start();
    await runner.stop();
  });

  it('keeps delivering to other endpoints while one receiver is slow to answer', async () => {
    const w = await world(t);
    // The slow receiver answers after a second; it is registered first, so its delivery is claimed
    // first and shares the first pair of POSTs with one of the fast endpoint's.
    let slowAnsweredAt = 0;
    const slow = createServer((request, response) => {
      request.resume();
      request.on('end', () =>
        setTimeout(() => {
          slowAnsweredAt = performance.now();
          response.end('ok');
        }, 1_000),
      );
    });
    servers.push(slow);
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/slow`;
    await createWebhook(w.deps, w.actor, { url: slowUrl, events: ['enrollment.started'] });
    const fast = await receiver();
    const fastHook = await createWebhook(w.deps, w.actor, {
      url: fast.url,
      events: ['enrollment.started', 'step.opened'],
    });
    await w.connect(1);
    while ((await dispatchWebhookEvents(w.deps)).events > 0);

    expect(await deliverDueWebhooks(w.deps, { concurrency: 2 })).toEqual({
      delivered: 3,
      retried: 0,
      failed: 0,
    });
    // Both of the fast endpoint's events arrived while the slow receiver was still thinking.
    expect(fast.received).toHaveLength(2);
    for (const request of fast.received) expect(request.at).toBeLessThan(slowAnsweredAt);
    const page = await listWebhookDeliveries(w.deps, fastHook.id);
    expect(page.items.map((d) => d.status)).toEqual(['delivered', 'delivered']);
  });

  it('marks a re-sent delivery and sends it at once, also on a clock that has not moved', async () => {
    const w = await world(t);
    const hook = await receiver();
    const webhook = await createWebhook(w.deps, w.actor, { url: hook.url, events: ['enrollment.started'] });
    await w.connect(1);
    expect(await w.pass()).toEqual({ delivered: 1, retried: 0, failed: 0 });
    const [delivered] = (await listWebhookDeliveries(w.deps, webhook.id)).items;
    expect(delivered && resentAt(delivered)).toBeNull();

    const resent = await resendWebhookDelivery(w.deps, w.actor, delivered?.id ?? '');
    expect(resent).toMatchObject({ status: 'pending', nextAttemptAt: T0 });
    expect(resentAt(resent)).toBe(T0 + 1);
    expect(await w.pass()).toEqual({ delivered: 1, retried: 0, failed: 0 });
    expect(hook.received.map((r) => r.headers['stepwise-event-id'])).toEqual([
      resent.eventId,
      resent.eventId,
    ]);
    const [after] = (await listWebhookDeliveries(w.deps, webhook.id)).items;
    expect(after && resentAt(after)).toBe(T0 + 1);
    expect(after?.attempts).toHaveLength(2);
  });

  it('fails the pending deliveries of an endpoint that was switched off', async () => {
    const w = await world(t);
    const hook = await receiver();
    const webhook = await createWebhook(w.deps, w.actor, { url: hook.url, events: ['enrollment.started'] });
    await w.connect(1);
    while ((await dispatchWebhookEvents(w.deps)).events > 0);
    await updateWebhook(w.deps, w.actor, webhook.id, { active: false });
    expect(await deliverDueWebhooks(w.deps)).toEqual({ delivered: 0, retried: 0, failed: 1 });
    const [delivery] = (await listWebhookDeliveries(w.deps, webhook.id)).items;
    expect(delivery?.attempts[0]).toMatchObject({ statusCode: null, error: 'the endpoint is inactive' });
    expect(hook.received).toHaveLength(0);
  });
});
