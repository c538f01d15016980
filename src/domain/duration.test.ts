import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeDuration,
  durationDays,
  durationToMillisNominal,
  isPositiveDuration,
  isWithinStepLimit,
  parseDuration,
} from './duration.js';
import {
  invalidDurationTextArb,
  tooLongDurationTextArb,
  validDurationTextArb,
} from './test-support/arbitraries.js';

function parsed(text: string) {
  const result = parseDuration(text);
  if (!result.ok) throw new Error(`expected ${text} to parse: ${result.message}`);
  return result.duration;
}

describe('parseDuration', () => {
  it.each([
    ['P2D', { days: 2, hours: 0, minutes: 0, seconds: 0 }],
    ['PT4H', { days: 0, hours: 4, minutes: 0, seconds: 0 }],
    ['P1DT12H', { days: 1, hours: 12, minutes: 0, seconds: 0 }],
    ['PT30M', { days: 0, hours: 0, minutes: 30, seconds: 0 }],
    ['P1W', { days: 7, hours: 0, minutes: 0, seconds: 0 }],
    ['P1W2D', { days: 9, hours: 0, minutes: 0, seconds: 0 }],
    ['PT1.5S', { days: 0, hours: 0, minutes: 0, seconds: 1.5 }],
    ['PT1.5H', { days: 0, hours: 1.5, minutes: 0, seconds: 0 }],
  ])('reads %s with calendar days apart from clock time', (text, expected) => {
    expect(parsed(text)).toEqual(expected);
  });

  it('keeps P1D and PT24H different although both are one nominal day', () => {
    expect(parsed('P1D')).not.toEqual(parsed('PT24H'));
    expect(durationDays(parsed('P1D'))).toBe(1);
    expect(durationDays(parsed('PT24H'))).toBe(1);
  });

  it.each([
    ['P1M', 'months_or_years'],
    ['P1Y', 'months_or_years'],
    ['P1Y2D', 'months_or_years'],
    ['-P1D', 'negative'],
    ['P-1D', 'negative'],
    ['P1.5D', 'fractional_days'],
    ['P0.5W', 'fractional_days'],
    ['P', 'not_iso_duration'],
    ['PT', 'not_iso_duration'],
    ['P1DT', 'not_iso_duration'],
    ['', 'not_iso_duration'],
    ['2 days', 'not_iso_duration'],
    ['p1d', 'not_iso_duration'],
    [' P1D', 'not_iso_duration'],
  ])('refuses %j (%s)', (text, error) => {
    const result = parseDuration(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toBe(error);
      expect(result.message).toContain(text);
    }
  });

  it('parses zero, leaving "more than zero" to the rules that need it', () => {
    expect(isPositiveDuration(parsed('P0D'))).toBe(false);
    expect(isPositiveDuration(parsed('PT1S'))).toBe(true);
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        parseDuration(text);
      }),
    );
  });

  it('accepts every duration the valid-definition generator writes, within the 30-day limit', () => {
    fc.assert(
      fc.property(validDurationTextArb, (text) => {
        const d = parsed(text);
        expect(isPositiveDuration(d)).toBe(true);
        expect(isWithinStepLimit(d)).toBe(true);
      }),
    );
  });

  it('refuses the invalid ones and flags the too-long ones', () => {
    fc.assert(
      fc.property(invalidDurationTextArb, (text) => {
        expect(parseDuration(text).ok).toBe(false);
      }),
    );
    fc.assert(
      fc.property(tooLongDurationTextArb, (text) => {
        expect(isWithinStepLimit(parsed(text))).toBe(false);
      }),
    );
  });
});

describe('nominal length', () => {
  it('counts a day as 24 hours', () => {
    expect(durationToMillisNominal(parsed('P1DT12H'))).toBe(36 * 3_600_000);
    expect(durationDays(parsed('P1DT12H'))).toBe(1.5);
    expect(durationDays(parsed('PT30M'))).toBeCloseTo(1 / 48);
  });

  it('puts the limit at exactly 30 days', () => {
    expect(isWithinStepLimit(parsed('P30D'))).toBe(true);
    expect(isWithinStepLimit(parsed('PT720H'))).toBe(true);
    expect(isWithinStepLimit(parsed('P30DT1S'))).toBe(false);
    expect(isWithinStepLimit(parsed('P5W'))).toBe(false);
  });

  it('describes a duration in words', () => {
    expect(describeDuration(parsed('P1DT12H'))).toBe('1 day 12 hours');
    expect(describeDuration(parsed('P31D'))).toBe('31 days');
    expect(describeDuration(parsed('P0D'))).toBe('no time');
  });
});
