import { describe, expect, it } from 'vitest';
import {
  addInterval,
  changeInterval,
  checkWeek,
  copyDay,
  DEFAULT_WEEK,
  describeWeek,
  removeInterval,
  timeChoices,
  weekFromApi,
  weeklyHours,
  weekToApi,
} from './working-hours.js';

describe('working hours model', () => {
  it('reads the API shape and writes it back unchanged', () => {
    const json = {
      mon: [
        ['08:00', '12:00'],
        ['13:00', '17:30'],
      ],
      tue: [['09:00', '24:00']],
      sat: [],
    };
    const week = weekFromApi(json);
    expect(week.mon).toEqual([
      { start: '08:00', end: '12:00' },
      { start: '13:00', end: '17:30' },
    ]);
    expect(week.sun).toEqual([]);
    expect(weekToApi(week)).toEqual({ ...json, wed: [], thu: [], fri: [], sun: [] });
  });

  it('uses Monday to Friday 08:00–17:00 when the user has none', () => {
    expect(weekFromApi(undefined)).toEqual(DEFAULT_WEEK);
    expect(describeWeek(DEFAULT_WEEK)).toBe('Mon–Fri 08:00–17:00');
    expect(weeklyHours(DEFAULT_WEEK)).toBe(45);
  });

  it('finds bad times, reversed intervals and overlaps, with the interval they belong to', () => {
    let week = weekFromApi({ mon: [['08:00', '12:00']] });
    week = addInterval(week, 'mon'); // 13:00–17:00
    expect(week.mon[1]).toEqual({ start: '13:00', end: '17:00' });
    expect(checkWeek(week)).toEqual([]);
    week = changeInterval(week, 'mon', 1, { start: '11:00' });
    expect(checkWeek(week)).toEqual([
      { day: 'mon', index: 1, message: 'This interval overlaps another one.' },
    ]);
    week = changeInterval(week, 'mon', 1, { start: '18:00' });
    expect(checkWeek(week)).toEqual([{ day: 'mon', index: 1, message: 'The end must be after the start.' }]);
    week = changeInterval(week, 'mon', 1, { start: '24:00', end: '24:00' });
    expect(checkWeek(week)[0]?.message).toBe('Times are HH:MM, from 00:00 to 24:00.');
  });

  it('accepts 24:00 as an end and asks for at least one working day', () => {
    expect(checkWeek(weekFromApi({ fri: [['20:00', '24:00']] }))).toEqual([]);
    const none = removeInterval(weekFromApi({ mon: [['08:00', '17:00']] }), 'mon', 0);
    expect(checkWeek(none)).toEqual([
      { day: null, index: null, message: 'At least one day needs working hours.' },
    ]);
    expect(describeWeek(none)).toBe('No working hours');
  });

  it('copies a day to others and summarises runs of equal days', () => {
    let week = weekFromApi({
      mon: [
        ['09:00', '12:00'],
        ['13:00', '18:00'],
      ],
    });
    week = copyDay(week, 'mon', ['tue', 'wed', 'thu']);
    week = addInterval(week, 'sat'); // a day without hours gets 09:00–17:00
    expect(describeWeek(week)).toBe('Mon–Thu 09:00–12:00, 13:00–18:00; Sat 09:00–17:00');
    expect(weeklyHours(week)).toBe(4 * 8 + 8);
    week.tue[0] = { start: '10:00', end: '12:00' }; // a copy, not a shared interval
    expect(week.mon[0]).toEqual({ start: '09:00', end: '12:00' });
  });

  it('offers quarter hours, 24:00 only as an end, and keeps a value off the grid', () => {
    const starts = timeChoices(false, '08:10');
    expect(starts[0]).toBe('00:00');
    expect(starts).toContain('08:10');
    expect(starts).not.toContain('24:00');
    const ends = timeChoices(true, '17:00');
    expect(ends.at(-1)).toBe('24:00');
    expect(ends[0]).toBe('00:15');
  });
});
