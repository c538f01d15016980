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
