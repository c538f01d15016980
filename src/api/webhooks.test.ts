// Webhooks over HTTP: register (secret shown once), refuse non-http(s) URLs and unknown event types,
// change, rotate, delete; an endpoint's deliveries with their attempts after a real delivery to a
// loopback receiver; re-send. Also the records routes that must go through the engine (delete and
// owner change end or reassign running enrollments).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../engine/clock.js';
import { deliverDueWebhooks } from '../engine/webhooks/deliverer.js';
import { dispatchWebhookEvents } from '../engine/webhooks/dispatcher.js';
import { HttpWebhookPoster } from '../engine/webhooks/http-poster.js';
import { verifySignature } from '../engine/webhooks/signature.js';
import { type Harness, startHarness } from './test-support/api-harness.js';
import { activeSequence, enrolledLead } from './test-support/enrollment-fixtures.js';

describe('webhooks API', () => {
  let h: Harness;
  let server: Server;
  let receiverUrl: string;
  const received: { body: string; signature: string; eventId: string }[] = [];
  let answers: number[] = [];

  beforeAll(async () => {
    h = await startHarness();
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          body: Buffer.concat(chunks).toString('utf8'),
          signature: String(request.headers['stepwise-signature']),
          eventId: String(request.headers['stepwise-event-id']),
        });
        response.statusCode = answers.shift() ?? 200;
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    await h.close();
    await new Promise((resolve) => server.close(resolve));
  });

  /** The deliverer's wall clock, years away from the harness's engine clock: signatures follow it. */
  const wall = new ManualClock('2031-02-03T04:05:06Z');
  const create = (payload: object) => h.as('admin', { method: 'POST', url: '/api/webhooks', payload });
  const deliverAll = async () => {
    while ((await dispatchWebhookEvents(h.deps)).events > 0);
    return deliverDueWebhooks({ ...h.deps, poster: new HttpWebhookPoster(), wallClock: wall });
  };

  it('registers an endpoint and shows its secret only on creation and rotation', async () => {
    const created = await create({
      url: receiverUrl,
      events: ['step.completed', 'email.sent'],
      description: 'CRM',
    });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body).toMatchObject({
      url: receiverUrl,
      events: ['step.completed', 'email.sent'],
      description: 'CRM',
      active: true,
    });
    expect(body.secret).toMatch(/^whsec_.{20,}$/);
    expect(Object.keys(body).sort()).toEqual(
      ['active', 'createdAt', 'description', 'events', 'id', 'secret', 'updatedAt', 'url'].sort(),
    );

    const one = await h.as('admin', { method: 'GET', url: `/api/webhooks/${body.id}` });
    expect(one.statusCode).toBe(200);
    expect(one.json().secret).toBeUndefined();
    const list = await h.as('admin', { method: 'GET', url: '/api/webhooks?limit=200' });
    expect(list.json().items.find((w: { id: string }) => w.id === body.id)).toBeDefined();
    expect(JSON.stringify(list.json())).not.toContain(body.secret);

    const rotated = await h.as('admin', { method: 'POST', url: `/api/webhooks/${body.id}/rotate-secret` });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json().secret).toMatch(/^whsec_/);
    expect(rotated.json().secret).not.toBe(body.secret);

    const patched = await h.as('admin', {
      method: 'PATCH',
      url: `/api/webhooks/${body.id}`,
      payload: { events: ['*'], active: false, description: null },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ events: ['*'], active: false, description: null });

    const deleted = await h.as('admin', { method: 'DELETE', url: `/api/webhooks/${body.id}` });
    expect(deleted.statusCode).toBe(204);
    expect((await h.as('admin', { method: 'GET', url: `/api/webhooks/${body.id}` })).statusCode).toBe(404);
    expect((await h.as('admin', { method: 'DELETE', url: `/api/webhooks/${body.id}` })).statusCode).toBe(404);
  });

  it('refuses URLs that are not http(s), unknown event types and unknown fields with 400', async () => {
    for (const url of [
      'ftp://example.com/x',
      'javascript:alert(1)',
      'file:///etc/passwd',
      '/relative',
      'not a url',
    ]) {
      const answer = await create({ url, events: ['*'] });
      expect(answer.statusCode, url).toBe(400);
      expect(answer.json()).toMatchObject({ code: 'bad_request' });
      expect(answer.json().errors[0]).toMatchObject({ code: 'invalid_url', path: '/url' });
    }
    expect((await create({ url: receiverUrl, events: ['record.created'] })).statusCode).toBe(400);
    expect((await create({ url: receiverUrl, events: [] })).statusCode).toBe(400);
    expect((await create({ url: receiverUrl, events: ['*'], secret: 'mine' })).statusCode).toBe(400);
    expect((await create({ url: receiverUrl })).statusCode).toBe(400);
    const id = (await create({ url: receiverUrl, events: ['*'] })).json().id;
    const patch = await h.as('admin', {
      method: 'PATCH',
      url: `/api/webhooks/${id}`,
      payload: { url: 'gopher://example.com' },
    });
    expect(patch.statusCode).toBe(400);
    expect((await h.as('admin', { method: 'DELETE', url: `/api/webhooks/${id}` })).statusCode).toBe(204);
    expect((await h.as('admin', { method: 'GET', url: '/api/webhooks/nope/deliveries' })).statusCode).toBe(
      404,
    );
    expect(
      (await h.as('admin', { method: 'POST', url: '/api/webhook-deliveries/nope/resend' })).statusCode,
    ).toBe(404);
    expect((await h.as('admin', { method: 'GET', url: '/api/webhooks?cursor=forged' })).statusCode).toBe(400);
  });

  it('lists deliveries with their attempts and sends one again', async () => {
    const created = (await create({ url: receiverUrl, events: ['step.completed'] })).json();
    const sequenceId = await activeSequence(h.deps, h.users.admin, 'call');
    const lead = await enrolledLead(h.deps, h.users.admin, h.users.salesperson, sequenceId);
    received.length = 0;
    answers = [502];
    const completed = await h.as('salesperson', {
      method: 'POST',
      url: `/api/enrollment-steps/${lead.stepRowId}/complete`,
      payload: { outcome: 'answered' },
    });
    expect(completed.statusCode).toBe(200);

    expect(await deliverAll()).toEqual({ delivered: 0, retried: 1, failed: 0 });
    const page = await h.as('admin', { method: 'GET', url: `/api/webhooks/${created.id}/deliveries` });
    expect(page.statusCode).toBe(200);
    const [delivery] = page.json().items;
    expect(delivery).toMatchObject({
      webhookId: created.id,
      eventType: 'step.completed',
      status: 'pending',
      deliveredAt: null,
      resentAt: null,
      payload: { type: 'step.completed', data: { enrollmentStepId: lead.stepRowId, outcome: 'answered' } },
    });
    expect(delivery.eventId).toBe(delivery.payload.id);
    expect(delivery.attempts).toEqual([
      { at: expect.any(String), statusCode: 502, error: 'HTTP 502', durationMs: expect.any(Number) },
    ]);
    expect(Date.parse(delivery.nextAttemptAt)).toBeGreaterThan(h.clock.now());

    // An administrator's re-send makes it due now; the receiver accepts it this time.
    const resent = await h.as('admin', {
      method: 'POST',
      url: `/api/webhook-deliveries/${delivery.id}/resend`,
    });
    expect(resent.statusCode).toBe(200);
    expect(resent.json()).toMatchObject({ id: delivery.id, status: 'pending' });
    // Marked as re-sent, though the engine's clock has not moved since the delivery was made.
    const resentAt = Date.parse(resent.json().resentAt);
    expect(resentAt).toBeGreaterThan(Date.parse(delivery.createdAt));
    expect(resentAt).toBeLessThanOrEqual(Math.max(h.clock.now(), Date.parse(delivery.createdAt) + 1));
    expect(await deliverAll()).toEqual({ delivered: 1, retried: 0, failed: 0 });
    expect(received.map((r) => r.eventId)).toEqual([delivery.eventId, delivery.eventId]);
    expect(
      verifySignature(received[1]?.signature ?? '', received[1]?.body ?? '', created.secret, wall.now()),
    ).toBe(true);
    const after = (
      await h.as('admin', { method: 'GET', url: `/api/webhooks/${created.id}/deliveries` })
    ).json();
    expect(after.items[0]).toMatchObject({
      status: 'delivered',
      nextAttemptAt: null,
      resentAt: resent.json().resentAt,
    });
    expect(after.items[0].attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([502, 200]);
    // A delivered one can be sent again too (the same event id: the receiver deduplicates).
    expect(
      (await h.as('admin', { method: 'POST', url: `/api/webhook-deliveries/${delivery.id}/resend` })).json()
        .status,
    ).toBe('pending');
  });

  it('sends a signed ping on request, and pages deliveries with a cursor', async () => {
    const created = (await create({ url: receiverUrl, events: ['sequence.activated'] })).json();
    received.length = 0;
    for (let i = 0; i < 3; i++) {
      const ping = await h.as('admin', { method: 'POST', url: `/api/webhooks/${created.id}/test` });
      expect(ping.statusCode).toBe(202);
      expect(ping.json()).toMatchObject({ eventType: 'ping', status: 'pending', attempts: [] });
    }
    await deliverAll();
    const pings = received.filter((r) => JSON.parse(r.body).type === 'ping');
    expect(pings).toHaveLength(3);
    for (const ping of pings)
      expect(verifySignature(ping.signature, ping.body, created.secret, wall.now())).toBe(true);

    const first = (
      await h.as('admin', { method: 'GET', url: `/api/webhooks/${created.id}/deliveries?limit=2` })
    ).json();
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = (
      await h.as('admin', {
        method: 'GET',
        url: `/api/webhooks/${created.id}/deliveries?limit=2&cursor=${first.nextCursor}`,
      })
    ).json();
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items].map((d: { id: string }) => d.id);
    expect(new Set(ids).size).toBe(3);
  });
});

describe('records routes through the engine', () => {
  let h: Harness;
  let sequenceId: string;

  beforeAll(async () => {
    h = await startHarness();
    sequenceId = await activeSequence(h.deps, h.users.admin, 'call');
  });

  afterAll(async () => {
    await h.close();
  });

  const enrollment = async (id: string) =>
    (await h.as('admin', { method: 'GET', url: `/api/enrollments/${id}` })).json();

  it('DELETE /api/records/{id} ends the running enrollment with record_deleted', async () => {
    const lead = await enrolledLead(h.deps, h.users.admin, h.users.salesperson, sequenceId);
    const other = await h.as('seller2', { method: 'DELETE', url: `/api/records/${lead.recordId}` });
    expect(other.statusCode).toBe(404);
    expect((await enrollment(lead.enrollmentId)).status).toBe('active');

    const deleted = await h.as('salesperson', { method: 'DELETE', url: `/api/records/${lead.recordId}` });
    expect(deleted.statusCode).toBe(204);
    expect(await enrollment(lead.enrollmentId)).toMatchObject({
      status: 'disconnected',
      endReason: 'record_deleted',
    });
    expect((await h.as('admin', { method: 'GET', url: `/api/records/${lead.recordId}` })).statusCode).toBe(
      404,
    );
    expect((await h.as('admin', { method: 'DELETE', url: `/api/records/${lead.recordId}` })).statusCode).toBe(
      404,
    );
    const up = await h.as('admin', {
      method: 'GET',
      url: `/api/worklist?ownerId=${h.users.salesperson.id}&when=all`,
    });
    expect(JSON.stringify(up.json())).not.toContain(lead.enrollmentId);
  });

  it('PATCH /api/records/{id} with a new owner moves the running enrollment to that owner', async () => {
    const lead = await enrolledLead(h.deps, h.users.admin, h.users.salesperson, sequenceId);
    const refused = await h.as('salesperson', {
      method: 'PATCH',
      url: `/api/records/${lead.recordId}`,
      payload: { ownerId: h.users.seller2.id, name: 'Not written' },
    });
    expect(refused.statusCode).toBe(403);
    const unknownOwner = await h.as('sales_manager', {
      method: 'PATCH',
      url: `/api/records/${lead.recordId}`,
      payload: { ownerId: 'usr_nobody', name: 'Not written' },
    });
    expect(unknownOwner.statusCode).toBe(400);
    expect(unknownOwner.json().errors[0].code).toBe('owner_not_found');

    const moved = await h.as('sales_manager', {
      method: 'PATCH',
      url: `/api/records/${lead.recordId}`,
      payload: { ownerId: h.users.seller2.id, name: 'Renamed' },
    });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ ownerId: h.users.seller2.id, name: 'Renamed' });
    expect(await enrollment(lead.enrollmentId)).toMatchObject({
      status: 'active',
      ownerId: h.users.seller2.id,
    });
    // The record and its enrollment are the new owner's now; the previous seller no longer sees them.
    expect(
      (await h.as('salesperson', { method: 'GET', url: `/api/records/${lead.recordId}` })).statusCode,
    ).toBe(404);
    expect((await h.as('seller2', { method: 'GET', url: `/api/records/${lead.recordId}` })).statusCode).toBe(
      200,
    );
    const audit = await h.deps.store.audit.list({ subject: { type: 'record', id: lead.recordId } });
    expect(audit.items[0]).toMatchObject({
      action: 'record.owner_changed',
      data: { from: h.users.salesperson.id, to: h.users.seller2.id, enrollmentIds: [lead.enrollmentId] },
    });
  });
});
