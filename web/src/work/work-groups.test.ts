import { describe, expect, it } from 'vitest';
import { workItem } from './work-fixtures.js';
import { groupWork, matchesFilter, NO_FILTER, whenOf } from './work-groups.js';

// 2026-11-24 10:00 in New York (UTC-5) is 15:00 UTC.
const NOW = Date.parse('2026-11-24T15:00:00Z');
const NY = 'America/New_York';

describe('whenOf', () => {
  it('splits at the start of today and tomorrow in the seller’s zone', () => {
    expect(whenOf('2026-11-24T04:59:00Z', NOW, NY)).toBe('overdue'); // 23:59 yesterday in NY
    expect(whenOf('2026-11-24T05:00:00Z', NOW, NY)).toBe('today'); // midnight in NY
    expect(whenOf('2026-11-25T04:59:00Z', NOW, NY)).toBe('today'); // 23:59 today in NY
    expect(whenOf('2026-11-25T05:00:00Z', NOW, NY)).toBe('upcoming');
  });
  it('is not the same day in every zone', () => {
    // NOW is already 00:00 on the 25th in Tokyo: 11:00 on the 24th there is overdue, not today
    expect(whenOf('2026-11-25T02:00:00Z', NOW, NY)).toBe('today');
    expect(whenOf('2026-11-25T02:00:00Z', NOW, 'Asia/Tokyo')).toBe('today');
    expect(whenOf('2026-11-24T02:00:00Z', NOW, 'Asia/Tokyo')).toBe('overdue');
    expect(whenOf('2026-11-24T02:00:00Z', NOW, 'UTC')).toBe('today');
    expect(whenOf('2026-11-23T23:00:00Z', NOW, 'UTC')).toBe('overdue');
  });
  it('keeps the day boundary across a DST change', () => {
    // 2026-11-01 is the day New York goes back to EST; midnight on the 2nd is 05:00 UTC
    const now = Date.parse('2026-11-01T20:00:00Z');
    expect(whenOf('2026-11-02T04:30:00Z', now, NY)).toBe('today');
    expect(whenOf('2026-11-02T05:00:00Z', now, NY)).toBe('upcoming');
  });
  it('starts tomorrow at its own midnight when today’s midnight did not exist', () => {
    // 2027-09-05 starts at 01:00 in Santiago (DST at 00:00, UTC-4 → UTC-3); 2027-09-06 starts at 00:00
    // (03:00 UTC), so 00:30 on the 6th is tomorrow, not the first hour of a 25-hour today.
    const now = Date.parse('2027-09-05T15:00:00Z'); // 12:00 in Santiago
    const santiago = 'America/Santiago';
    expect(whenOf('2027-09-05T03:59:00Z', now, santiago)).toBe('overdue'); // 23:59 on the 4th (UTC-4)
    expect(whenOf('2027-09-05T04:00:00Z', now, santiago)).toBe('today'); // 01:00, the day's first minute
    expect(whenOf('2027-09-06T02:59:00Z', now, santiago)).toBe('today'); // 23:59
    expect(whenOf('2027-09-06T03:00:00Z', now, santiago)).toBe('upcoming'); // 00:00 on the 6th
    expect(whenOf('2027-09-06T03:30:00Z', now, santiago)).toBe('upcoming'); // 00:30 on the 6th
  });
  it('reads a step without a due time as workable today, and an unknown zone as UTC', () => {
    expect(whenOf(null, NOW, NY)).toBe('today');
    expect(whenOf('2026-11-23T23:00:00Z', NOW, 'Not/AZone')).toBe('overdue');
  });
});

describe('groupWork', () => {
  const items = [
    workItem('b', { dueAt: '2026-11-24T18:00:00Z', stepType: 'phone_call' }),
    workItem('a', { dueAt: '2026-11-24T16:00:00Z' }),
    workItem('c', { dueAt: '2026-11-20T16:00:00Z', stepType: 'linkedin_connect' }),
    workItem('d', {
      dueAt: '2026-11-27T16:00:00Z',
      record: { id: 'r', name: 'Acme', type: 'account', email: null, phone: null, linkedinUrl: null },
      stepType: 'task',
    }),
  ];
  it('sorts each group by due time', () => {
    const groups = groupWork(items, NO_FILTER, NOW, NY);
    expect(groups.overdue.map((i) => i.id)).toEqual(['c']);
    expect(groups.today.map((i) => i.id)).toEqual(['a', 'b']);
    expect(groups.upcoming.map((i) => i.id)).toEqual(['d']);
  });
  it('filters by activity (LinkedIn steps together) and by record type', () => {
    expect(groupWork(items, { activity: 'linkedin', recordType: 'all' }, NOW, NY).overdue).toHaveLength(1);
    expect(
      groupWork(items, { activity: 'phone_call', recordType: 'all' }, NOW, NY).today.map((i) => i.id),
    ).toEqual(['b']);
    const accounts = groupWork(items, { activity: 'all', recordType: 'account' }, NOW, NY);
    expect([...accounts.overdue, ...accounts.today, ...accounts.upcoming].map((i) => i.id)).toEqual(['d']);
    expect(matchesFilter(items[0]!, { activity: 'email', recordType: 'lead' })).toBe(false);
  });
});
