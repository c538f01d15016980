// POST /api/inbound-email takes raw RFC 5322 messages only: bytes or prose without a header block
// answer 400 `not_a_message` (they used to pass for "not a reply"); minimal real messages still work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInboundCorpus } from '../mail/inbound/corpus.js';
import { type Harness, startHarness } from './test-support/api-harness.js';

describe('POST /api/inbound-email: what is a message', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  const post = (payload: string | Buffer, contentType = 'message/rfc822') =>
    h.as('admin', {
      method: 'POST',
      url: '/api/inbound-email',
      headers: { 'content-type': contentType },
      payload,
    });

  it.each([
    ['binary bytes', Buffer.from([0x00, 0x01, 0x02, 0x03, 0xff, 0xfe, 0x00, 0x00])],
    ['text without headers', 'just some text without headers'],
    ['prose with a colon', 'Dear team: please call me back.\r\n\r\nThanks'],
    ['an empty header block', '\r\nFrom: a@example.org\r\n\r\nHello'],
    ['a header block without From, Date or Message-ID', 'Subject: Hello\r\nX-Note: 1\r\n\r\nHi'],
    ['JSON sent as text', '{"from": "a@example.org"}'],
  ])('answers 400 not_a_message to %s', async (_name, payload) => {
    for (const contentType of ['message/rfc822', 'text/plain', 'application/octet-stream']) {
      const answer = await post(payload, contentType);
      expect(answer.statusCode, `${contentType}: ${answer.body}`).toBe(400);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(answer.json()).toMatchObject({
        code: 'bad_request',
        errors: [{ code: 'not_a_message', message: expect.any(String) }],
      });
    }
  });

  it('classifies a minimal message (From, Subject, a body; no Message-ID or Date), whatever the type', async () => {
    const minimal = 'From: someone@example.org\r\nSubject: Re: Hello\r\n\r\nYes, call me.\r\n';
    for (const contentType of ['message/rfc822', 'text/plain', 'application/octet-stream']) {
      const answer = await post(minimal, contentType);
      expect(answer.statusCode, answer.body).toBe(200);
      expect(answer.json()).toMatchObject({ kind: 'reply', reason: 'reply subject' });
    }
    const bareLf = await post('Date: Mon, 7 Dec 2026 10:00:00 +0000\nX-Mailer:\n  folded\n\nHi\n');
    expect(bareLf.statusCode, bareLf.body).toBe(200);
    expect(bareLf.json()).toMatchObject({ kind: 'unknown' });
    const mbox = await post(
      'From someone@example.org Mon Dec  7 10:00:00 2026\nFrom: someone@example.org\n\nHi\n',
    );
    expect(mbox.statusCode, mbox.body).toBe(200);
    // A broken mailer's stray line among the headers is let through, as mailparser reads it.
    const stray = await post('From: someone@example.org\r\nnot a header\r\nSubject: Re: Hello\r\n\r\nHi');
    expect(stray.statusCode, stray.body).toBe(200);
  });

  it('matches a reply to its record by a sender address with non-ASCII capitals (as stored)', async () => {
    const created = await h.as('admin', {
      method: 'POST',
      url: '/api/records',
      payload: { type: 'lead', name: 'Ärla', email: 'Ärla.X@x.test' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const answer = await post('From: Ärla <Ärla.X@X.test>\r\nSubject: Re: Hello\r\n\r\nYes, call me.\r\n');
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json()).toMatchObject({ kind: 'reply', matched: 'sender' });
  });

  it('accepts every message of the inbound corpus (bounces, auto-replies, replies) as its class', async () => {
    for (const message of loadInboundCorpus()) {
      const answer = await post(message.raw);
      expect(answer.statusCode, `${message.file}: ${answer.body}`).toBe(200);
      expect(answer.json().kind, message.file).toBe(message.expected.kind);
    }
  });
});

describe('POST /api/inbound-email: who may, and which bounces count', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  // A delivery report for an address, without the original message's headers (so naming none of ours).
  const forgedBounce = (address: string) =>
    [
      'From: MAILER-DAEMON@example.org',
      'To: sales@example.com',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <forged-bounce@example.org>',
      'Content-Type: multipart/report; report-type=delivery-status; boundary=BB',
      '',
      '--BB',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; example.org',
      '',
      `Final-Recipient: rfc822; ${address}`,
      'Action: failed',
      'Status: 5.1.1',
      '--BB--',
      '',
    ].join('\r\n');

  it('refuses a salesperson, even with an API token of their own (a bounce ends other owners’ work)', async () => {
    const answer = await h.as('salesperson', {
      method: 'POST',
      url: '/api/inbound-email',
      headers: { 'content-type': 'message/rfc822' },
      payload: forgedBounce('someone@example.org'),
    });
    expect(answer.statusCode, answer.body).toBe(403);
    expect(answer.json()).toMatchObject({ code: 'forbidden' });
  });

  it('keeps a hard bounce that names none of our messages on the timeline only: nothing suppressed or ended', async () => {
    const created = await h.as('admin', {
      method: 'POST',
      url: '/api/records',
      payload: { type: 'lead', name: 'Not bounced', email: 'not.bounced@customer.test' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const answer = await h.as('sales_manager', {
      method: 'POST',
      url: '/api/inbound-email',
      headers: { 'content-type': 'message/rfc822' },
      payload: forgedBounce('Not.Bounced@customer.test'),
    });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json()).toMatchObject({ kind: 'bounce', matched: 'sender', signals: 1 });
    const record = await h.as('admin', { method: 'GET', url: `/api/records/${created.json().id}` });
    expect(record.json()).toMatchObject({ emailSuppressed: null });
  });
});
