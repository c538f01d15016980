import { describe, expect, it } from 'vitest';
import { messageIdFor, outboxKeyHash, outboxKeyHashesFromHeaders } from './message-id.js';

const SECRET = 'message-id-test-secret-of-32-chars';

describe('messageIdFor', () => {
  it('is deterministic per idempotency key and differs between keys', () => {
    const first = messageIdFor(SECRET, 'enr_1:step_email1:1', 'Mail.Example.com');
    expect(first).toMatch(/^<sw\.[0-9a-f]{32}@mail\.example\.com>$/);
    expect(messageIdFor(SECRET, 'enr_1:step_email1:1', 'mail.example.com')).toBe(first);
    expect(messageIdFor(SECRET, 'enr_1:step_email1:2', 'mail.example.com')).not.toBe(first);
    expect(messageIdFor(`${SECRET}!`, 'enr_1:step_email1:1', 'mail.example.com')).not.toBe(first);
  });
});

describe('outboxKeyHashesFromHeaders', () => {
  const a = outboxKeyHash(SECRET, 'a');
  const b = outboxKeyHash(SECRET, 'b');
  const c = outboxKeyHash(SECRET, 'c');

  it('finds In-Reply-To first, then References newest first, without duplicates', () => {
    expect(
      outboxKeyHashesFromHeaders({
        inReplyTo: `<sw.${c}@mail.example.com>`,
        references: `<sw.${a}@mail.example.com> <CAF=xyz@mail.gmail.com>\r\n <sw.${b}@mail.example.com> <sw.${c}@mail.example.com>`,
      }),
    ).toEqual([c, b, a]);
  });

  it('accepts the list form of References that mailparser gives', () => {
    expect(
      outboxKeyHashesFromHeaders({
        references: [`<sw.${a}@mail.example.com>`, `<sw.${b}@mail.example.com>`],
      }),
    ).toEqual([b, a]);
  });

  it('survives case changes and ignores other IDs and other domains when asked', () => {
    expect(outboxKeyHashesFromHeaders({ inReplyTo: `<SW.${a.toUpperCase()}@MAIL.EXAMPLE.COM>` })).toEqual([
      a,
    ]);
    expect(outboxKeyHashesFromHeaders({ inReplyTo: '<sw.123@mail.example.com> <abc@x>' })).toEqual([]);
    expect(
      outboxKeyHashesFromHeaders(
        { inReplyTo: `<sw.${a}@evil.example> <sw.${b}@mail.example.com>` },
        'mail.example.com',
      ),
    ).toEqual([b]);
    expect(outboxKeyHashesFromHeaders({})).toEqual([]);
  });
});
