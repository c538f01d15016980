import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { RandomIds } from './ids.js';

describe('RandomIds', () => {
  it('makes prefixed ids of fixed length, ordered by time', () => {
    const clock = new ManualClock('2026-11-23T09:00:00Z');
    const ids = new RandomIds(clock);
    const first = ids.newId('enr');
    clock.advance(1);
    const second = ids.newId('enr');
    expect(first).toMatch(/^enr_[0-9a-z]{20}$/);
    expect(second > first).toBe(true);
  });

  it('does not repeat', () => {
    const ids = new RandomIds(new ManualClock(0));
    const seen = new Set(Array.from({ length: 10_000 }, () => ids.newId('x')));
    expect(seen.size).toBe(10_000);
  });

  it('within one millisecond counts up by one: time, then the 50 bits in Crockford base32, most significant first', () => {
    const clock = new ManualClock('2026-11-23T09:00:00Z');
    const ids = new RandomIds(clock);
    const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
    const decode = (text: string) => [...text].reduce((n, c) => n * 32 + alphabet.indexOf(c), 0);
    const drawn = Array.from({ length: 5_000 }, () => ids.newId('enr'));
    expect(drawn.every((id) => decode(id.slice(4, 14)) === clock.now())).toBe(true);
    const tails = drawn.map((id) => decode(id.slice(14)));
    expect(tails.every((n, i) => i === 0 || n === (tails[i - 1] as number) + 1)).toBe(true);
  });

  it('makes url-safe secrets of the asked size', () => {
    const secret = new RandomIds(new ManualClock(0)).secret(32);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
  });
});

describe('ManualClock', () => {
  it('moves only forward', () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    clock.advance(1000);
    expect(clock.now()).toBe(Date.parse('2026-01-01T00:00:01Z'));
    expect(() => clock.set(0)).toThrow(/backwards/);
  });
});
