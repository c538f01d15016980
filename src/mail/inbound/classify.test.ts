import { describe, expect, it } from 'vitest';
import { outboxKeyHash } from '../message-id.js';
import { classifyInbound } from './classify.js';
import { classifyCorpus, loadInboundCorpus, mismatches } from './corpus.js';

const corpus = loadInboundCorpus();

describe('inbound corpus', () => {
  it('holds at least 32 messages of every kind', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(32);
    const kinds = new Set(corpus.map((message) => message.expected.kind));
    expect([...kinds].sort()).toEqual(['auto_reply', 'bounce', 'reply', 'unknown']);
  });

  it('classifies every message as expected (100%)', async () => {
    const results = await classifyCorpus(corpus);
    const wrong = corpus.flatMap((message, index) => {
      const result = results[index];
      if (result === undefined) return [`${message.file}: no result`];
      return mismatches(message.expected, result).map((problem) => `${message.file}: ${problem}`);
    });
    expect(wrong).toEqual([]);
  });

  it('classifies the same with CRLF line endings, as messages arrive over SMTP', async () => {
    const results = await classifyCorpus(
      corpus.map((message) => ({
        ...message,
        raw: Buffer.from(message.raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1'),
      })),
    );
    const wrong = corpus.flatMap((message, index) => {
      const result = results[index];
      return result === undefined
        ? [message.file]
        : mismatches(message.expected, result).map((p) => `${message.file}: ${p}`);
    });
    expect(wrong).toEqual([]);
  });
});

function fixture(file: string): Buffer {
  const message = corpus.find((candidate) => candidate.file === file);
  if (message === undefined) throw new Error(`no fixture ${file}`);
  return message.raw;
}

describe('classifyInbound', () => {
  it('names the bounced outbox row first, from the DSN', async () => {
    const result = await classifyInbound(fixture('postfix-hard-user-unknown.eml'));
    expect(result).toMatchObject({
      kind: 'bounce',
      from: 'mailer-daemon@mail.stepwise.example',
      outboxKeyHashes: ['0a1b2c3d4e5f60718293a4b5c6d7e8f9'],
      bounce: { hard: true, action: 'failed', diagnostic: expect.stringContaining('User unknown') },
    });
  });

  it('grades a full mailbox (X.2.2) as a soft bounce, even reported with a 5 and Action: failed', async () => {
    const full = fixture('postfix-hard-user-unknown.eml')
      .toString('utf8')
      .replace('Status: 5.1.1', 'Status: 5.2.2')
      .replace(
        /550 5\.1\.1 <jdoe@example\.com>: Recipient address\r?\n\s+rejected: User unknown in virtual mailbox table/,
        '552 5.2.2 <jdoe@example.com>: Mailbox full',
      );
    expect(await classifyInbound(Buffer.from(full))).toMatchObject({
      kind: 'bounce',
      bounce: { hard: false, action: 'failed', diagnostic: expect.stringContaining('Mailbox full') },
    });
  });

  it('threads a reply to our Message-ID and decodes sender and subject', async () => {
    const result = await classifyInbound(fixture('reply-gmail-quoted.eml'));
    expect(result).toMatchObject({
      kind: 'reply',
      from: 'priya.patel@gmail.com',
      fromName: 'Priya Patel',
      subject: 'Re: Quick question about your Q3 roadmap',
      inReplyTo: ['<sw.cccccccccccccccccccccccccccccccc@mail.stepwise.example>'],
      outboxKeyHashes: ['cccccccccccccccccccccccccccccccc'],
      date: Date.UTC(2026, 10, 23, 14, 12, 31),
    });
  });

  it('decodes encoded-word subjects before matching out-of-office phrases', async () => {
    const result = await classifyInbound(fixture('ooo-es-respuesta-automatica.eml'));
    expect(result).toMatchObject({
      kind: 'auto_reply',
      subject: 'Respuesta automática: Pregunta rápida',
      reason: 'out-of-office subject',
    });
  });

  it('finds our message id for a hash computed from the idempotency key', async () => {
    const key = 'enr_1:email_1:1';
    const raw = `From: a@b.example\r\nTo: sam@stepwise.example\r\nSubject: Re: hi\r\nIn-Reply-To: <sw.${outboxKeyHash('classify-test-secret-of-32-chars', key)}@mail.stepwise.example>\r\n\r\nYes!\r\n`;
    expect(await classifyInbound(raw)).toMatchObject({
      kind: 'reply',
      outboxKeyHashes: [outboxKeyHash('classify-test-secret-of-32-chars', key)],
      replyText: 'Yes!',
    });
  });

  it('does not throw on an empty or garbage message', async () => {
    expect((await classifyInbound('')).kind).toBe('unknown');
    expect((await classifyInbound('\u0000\u0001 not a message at all')).kind).toBe('unknown');
    expect((await classifyInbound(Buffer.alloc(0))).kind).toBe('unknown');
  });
});

describe('classifyInbound edge cases', () => {
  const message = (headers: string, body = 'Hello') =>
    `From: Pat Person <pat@example.com>\r\nTo: sam@stepwise.example\r\nMessage-ID: <x1@example.com>\r\n${headers}\r\n\r\n${body}\r\n`;

  it('treats Auto-Submitted: no as a person writing', async () => {
    expect((await classifyInbound(message('Subject: Re: hi\r\nAuto-Submitted: no'))).kind).toBe('reply');
  });

  it('does not take X-Auto-Response-Suppress alone as an auto-reply', async () => {
    expect((await classifyInbound(message('Subject: Re: hi\r\nX-Auto-Response-Suppress: All'))).kind).toBe(
      'reply',
    );
  });

  it('reads out-of-office phrases only at the start of the subject', async () => {
    expect((await classifyInbound(message('Subject: Re: Out of office policy for December'))).kind).toBe(
      'reply',
    );
    expect((await classifyInbound(message('Subject: [Out of Office] Re: hi'))).kind).toBe('auto_reply');
  });

  it('recognises translated reply prefixes without threading headers', async () => {
    for (const subject of ['AW: Angebot', 'SV: Tilbud', 'RE[2]: Offer', 'Antw: Aanbod', 'RV: Oferta']) {
      expect((await classifyInbound(message(`Subject: ${subject}`))).kind, subject).toBe('reply');
    }
  });

  it('does not take a person forwarding a bounce-like subject as a bounce', async () => {
    expect((await classifyInbound(message('Subject: Re: Undeliverable invoices', 'We fixed it.'))).kind).toBe(
      'reply',
    );
  });

  it('grades a bounce without any code or phrase by its subject, soft unless it says failed', async () => {
    const from = 'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\nTo: sam@stepwise.example';
    const failed = await classifyInbound(
      `${from}\r\nSubject: Undelivered Mail Returned to Sender\r\n\r\nSorry.\r\n`,
    );
    const delayed = await classifyInbound(
      `${from}\r\nSubject: Delayed Mail (still being retried)\r\n\r\nSorry.\r\n`,
    );
    expect(failed).toMatchObject({ kind: 'bounce', bounce: { hard: true } });
    expect(delayed).toMatchObject({ kind: 'bounce', bounce: { hard: false } });
  });
});
