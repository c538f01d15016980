// Tracking on both stores, for messages that never went out and for URLs no token can be read from:
// a click on a failed message still redirects but records nothing (as an open of it records nothing),
// the administrators' view of a message carries no tracking at all, and /t/o/… answers the 1×1 GIF
// whatever follows it (docs/mail.md), while the click route answers garbage with a 4xx, never a 500.
import { expect, it } from 'vitest';
import { connectRecords } from '../engine/connect.js';
import { runDue } from '../engine/scheduler.js';
import { activeSequence, definition } from '../engine/test-support/engine-world.js';
import { countOf } from '../engine/test-support/raw-db.js';
import { signClickToken, signOpenToken } from '../mail/tracking-token.js';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { DIALECT_SERVER_SECRET, startDialectServerAsAdmin } from './test-support/dialect-server.js';

const LINK = 'https://example.org/pricing';

type T = Parameters<Parameters<typeof forEachDialect>[1]>[0];

/** Two automated emails queued: one the SMTP server refused for good (`failed`), one `sent`. */
async function world(t: T) {
  const server = await startDialectServerAsAdmin(t);
  const { deps } = server;
  const owner = await deps.store.users.create({
    id: deps.ids.newId('usr'),
    email: 'owner@stepwise.example',
    name: 'Owner',
    role: 'salesperson',
    createdAt: deps.clock.now(),
  });
  await deps.store.emailTemplates.create({
    id: 'tpl_track',
    name: 'Track',
    subject: 'Hello {{ record.name }}',
    body: `Pricing: ${LINK}`,
    createdAt: deps.clock.now(),
  });
  const sequenceId = await activeSequence(
    deps.store,
    owner.id,
    definition(
      [
        { id: 'a1', type: 'automated_email', templateId: 'tpl_track', next: 'c1' },
        {
          id: 'c1',
          type: 'condition',
          if: { signal: 'email_clicked', step: 'a1' },
          within: 'P2D',
          moveOnSignal: true,
          yes: 'p1',
          no: 't1',
        },
        { id: 'p1', type: 'phone_call', name: 'Call (clicked)' },
        { id: 't1', type: 'task', name: 'Task (no click)' },
      ],
      { workingHours: 'none' },
    ),
  );
  const rows: Record<'failed' | 'sent', string> = { failed: '', sent: '' };
  for (const name of ['failed', 'sent'] as const) {
    const record = await deps.store.records.create({
      id: deps.ids.newId('rec'),
      type: 'lead',
      name,
      email: `${name}@customer.example`,
      ownerId: owner.id,
      createdAt: deps.clock.now(),
    });
    await connectRecords(deps, {
      sequenceId,
      recordIds: [record.id],
      actor: { id: owner.id, role: 'salesperson' },
    });
  }
  await runDue(deps, { batchSize: 10, leaseOwner: 'test' });
  const now = deps.clock.now();
  const queued = await deps.store.outbox.claimDue('email', now, 10, now + 60_000);
  expect(queued).toHaveLength(2);
  for (const row of queued) {
    const record = await deps.store.records.get(String(row.payload.recordId));
    const name = record?.name === 'sent' ? 'sent' : 'failed';
    rows[name] = row.id;
    const sending = {
      at: now,
      leaseUntil: now + 60_000,
      messageKeyHash: row.id.slice(-8),
      mailboxKey: 'env',
    };
    expect(await deps.store.outbox.markSending(row.id, sending)).toBe(true);
    if (name === 'sent') expect(await deps.store.outbox.markSent(row.id, now, '250 OK')).toBe(true);
    else expect(await deps.store.outbox.settle(row.id, ['sending'], 'failed', '554 rejected')).toBe(true);
  }
  return { ...server, rows };
}

const clickToken = (messageId: string) =>
  signClickToken(DIALECT_SERVER_SECRET, { messageId, url: LINK, linkIndex: 0 });

forEachDialect('tracking edges', (t) => {
  it('a click on a failed message redirects but records nothing; on a sent one it is recorded', async () => {
    const { app, deps, clock, rows } = await world(t);
    const minute = Math.floor(clock.now() / 60_000);
    const keyOf = (id: string) => `click:${id}:0:${minute}`;

    const onFailed = await app.inject({ method: 'GET', url: `/t/c/${clickToken(rows.failed)}` });
    expect([onFailed.statusCode, onFailed.headers.location]).toEqual([302, LINK]);
    expect(await deps.store.signals.existingDedupeKeys([keyOf(rows.failed)])).toEqual([]);
    const opened = await app.inject({
      method: 'GET',
      url: `/t/o/${signOpenToken(DIALECT_SERVER_SECRET, { messageId: rows.failed })}`,
    });
    expect([opened.statusCode, opened.headers['content-type']]).toEqual([200, 'image/gif']);
    expect(await deps.store.signals.existingDedupeKeys([`open:${rows.failed}:${minute}`])).toEqual([]);

    const onSent = await app.inject({ method: 'GET', url: `/t/c/${clickToken(rows.sent)}` });
    expect([onSent.statusCode, onSent.headers.location]).toEqual([302, LINK]);
    expect(await deps.store.signals.existingDedupeKeys([keyOf(rows.sent)])).toEqual([keyOf(rows.sent)]);
    // The link's site learns nothing of where the click came from (the mail client's page).
    expect(onSent.headers['referrer-policy']).toBe('no-referrer');
    const forged = await app.inject({ method: 'GET', url: `/t/c/${clickToken(rows.sent)}x` });
    expect([forged.statusCode, forged.headers['content-type']]).toEqual([
      404,
      'application/problem+json; charset=utf-8',
    ]);
  });

  it('the administrators’ view of a message has its links as written and no pixel', async () => {
    const { call, rows } = await world(t);
    for (const id of [rows.failed, rows.sent]) {
      const view = await call('GET', `/api/outbox/${id}`);
      expect(view.statusCode, view.body).toBe(200);
      const { html, text } = view.json().message;
      expect(html).toContain(`href="${LINK}"`);
      expect(text).toContain(LINK);
      expect(html).not.toContain('/t/c/');
      expect(html).not.toContain('/t/o/');
    }
  });

  it('/t/o/… answers the pixel whatever follows, and records nothing for a bad token', async () => {
    const { app } = await world(t);
    for (const url of [
      `/t/o/${'A'.repeat(9000)}`,
      `/t/o/${'A'.repeat(8193)}`,
      '/t/o/%00%ff',
      '/t/o/%ff',
      '/t/o/%',
      '/t/o/%00',
      '/t/o/a%00b?x=%00',
      '/t/o/a/b/c',
      '/t/o/',
      '/t/o/garbage',
    ]) {
      const label = url.slice(0, 40);
      for (const method of ['GET', 'HEAD'] as const) {
        const answer = await app.inject({ method, url });
        expect(answer.statusCode, `${method} ${label}`).toBe(200);
        expect(answer.headers['content-type'], label).toBe('image/gif');
        expect(answer.headers['cache-control'], label).toContain('no-store');
        // A web mail client on another origin loads it as an image: the default same-origin would block it.
        expect(answer.headers['cross-origin-resource-policy'], label).toBe('cross-origin');
        if (method === 'GET') expect(answer.rawPayload.subarray(0, 6).toString('latin1')).toBe('GIF89a');
      }
    }
    expect(await countOf(t, 'SELECT count(*) AS n FROM signals')).toBe(0);
    for (const url of ['/t/c/%00%ff', '/t/c/%ff', `/t/c/${'A'.repeat(9000)}`, '/t/c/%00', '/t/c/garbage']) {
      const answer = await app.inject({ method: 'GET', url });
      expect(answer.statusCode, url.slice(0, 40)).toBeGreaterThanOrEqual(400);
      expect(answer.statusCode, url.slice(0, 40)).toBeLessThan(500);
    }
  });
});
