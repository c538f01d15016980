import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { isValidTimeZone, ZoneOffsets } from './zone-offsets.js';

const at = (iso: string): number => Date.parse(iso);
const NY = 'America/New_York';
const ZONES = [
  NY,
  'Europe/London',
  'Australia/Sydney',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'Australia/Lord_Howe',
];
const MINUTE = 60_000;

describe('ZoneOffsets', () => {
  it('knows IANA names, not offsets or made-up zones', () => {
    expect(isValidTimeZone(NY)).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('+05:00')).toBe(false);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(() => ZoneOffsets.of('Mars/Olympus_Mons')).toThrow(/Unknown time zone/);
    expect(ZoneOffsets.of(NY)).toBe(ZoneOffsets.of(NY));
  });

  it('changes offset at the exact second of a DST change', () => {
    const ny = ZoneOffsets.of(NY);
    const springForward = at('2026-03-08T07:00:00Z');
    expect(ny.offsetAt(springForward - 1)).toBe(-5 * 60 * MINUTE);
    expect(ny.offsetAt(springForward)).toBe(-4 * 60 * MINUTE);
    expect(ny.wallOf(springForward)).toBe(at('2026-03-08T03:00:00Z'));
  });

  it('maps a wall-clock time in a gap to the end of the gap, and a repeated one to its first instant', () => {
    const ny = ZoneOffsets.of(NY);
    expect(ny.instantOf(at('2026-03-08T02:30:00Z'))).toBe(at('2026-03-08T07:00:00Z'));
    expect(ny.instantOf(at('2026-11-01T01:30:00Z'))).toBe(at('2026-11-01T01:30:00-04:00'));
    expect(ny.instantOf(at('2026-07-01T09:00:00Z'))).toBe(at('2026-07-01T09:00:00-04:00'));
  });

  it('agrees with luxon (Intl) on any instant, and instantOf inverts wallOf (property)', () => {
    const from = at('1990-01-01T00:00:00Z');
    const until = at('2040-01-01T00:00:00Z');
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: from, max: until }), (zone, instant) => {
        const table = ZoneOffsets.of(zone);
        expect(table.offsetAt(instant)).toBe(Math.round(IANAZone.create(zone).offset(instant) * MINUTE));
        const wall = table.wallOf(instant);
        expect(wall).toBe(instant + DateTime.fromMillis(instant, { zone }).offset * MINUTE);
        expect(table.instantOf(wall)).toBeLessThanOrEqual(instant);
        expect(table.wallOf(table.instantOf(wall))).toBe(wall);
      }),
    );
  });
});
