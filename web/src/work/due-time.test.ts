import { describe, expect, it } from 'vitest';
import { customSnooze, describeDue, localInputValue, snoozePresets } from './due-time.js';

// Tuesday 2026-11-24, 10:00 in New York.
const NOW = Date.parse('2026-11-24T15:00:00Z');
const NY = 'America/New_York';

describe('describeDue', () => {
  it('says when in words and in the seller’s zone', () => {
    expect(describeDue('2026-11-24T18:00:00Z', NOW, NY)).toEqual({
      relative: 'in 3 hours',
      absolute: 'Tue 24 Nov, 13:00',
      iso: '2026-11-24T18:00:00.000Z',
    });
    expect(describeDue('2026-11-22T15:00:00Z', NOW, NY).relative).toBe('2 days ago');
    expect(describeDue('2026-11-24T15:00:20Z', NOW, NY).relative).toBe('now');
    expect(describeDue('2027-01-05T15:00:00Z', NOW, NY).absolute).toBe('Tue 5 Jan 2027, 10:00');
  });
});

describe('snoozePresets', () => {
  it('offers the next hour, the afternoon, tomorrow, next Monday and a week, in the zone', () => {
    const presets = snoozePresets(NOW, NY);
    expect(presets.map((p) => [p.key, p.until])).toEqual([
      ['hour', '2026-11-24T16:00:00.000Z'],
      ['afternoon', '2026-11-24T20:00:00.000Z'],
      ['tomorrow', '2026-11-25T14:00:00.000Z'],
      ['monday', '2026-11-30T14:00:00.000Z'],
      ['week', '2026-12-01T14:00:00.000Z'],
    ]);
    expect(presets[2]?.label).toBe('Tomorrow morning (Wed 25 Nov, 09:00)');
  });
  it('drops the afternoon once it has begun and next Monday when it is tomorrow', () => {
    const sundayEvening = Date.parse('2026-11-29T23:00:00Z'); // 18:00 Sunday in NY
    expect(snoozePresets(sundayEvening, NY).map((p) => p.key)).toEqual(['hour', 'tomorrow', 'week']);
  });
  it('offers no next Monday on a Monday, where it would be the same time as in a week', () => {
    const mondayMorning = Date.parse('2026-11-30T14:00:00Z'); // 09:00 Monday in NY
    expect(snoozePresets(mondayMorning, NY).map((p) => p.key)).toEqual([
      'hour',
      'afternoon',
      'tomorrow',
      'week',
    ]);
  });
});

describe('customSnooze', () => {
  it('reads the local time in the zone', () => {
    expect(customSnooze('2026-11-26T09:30', NOW, NY)).toEqual({
      ok: true,
      until: '2026-11-26T14:30:00.000Z',
    });
    expect(localInputValue(NOW, NY)).toBe('2026-11-24T10:00');
  });
  it('refuses what the server refuses, in words', () => {
    expect(customSnooze('', NOW, NY)).toMatchObject({ ok: false, message: 'Choose a date and time.' });
    expect(customSnooze('2026-11-24T09:00', NOW, NY)).toMatchObject({ ok: false, message: /future/ });
    expect(customSnooze('2027-01-10T09:00', NOW, NY)).toMatchObject({ ok: false, message: /30 days/ });
    expect(customSnooze('tomorrow', NOW, NY)).toMatchObject({ ok: false, message: /not a date/ });
  });
});
