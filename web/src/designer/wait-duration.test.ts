import { describe, expect, it } from 'vitest';
import {
  daysHoursProblem,
  describeWait,
  fromDaysHours,
  nameForNewDuration,
  toDaysHours,
  waitName,
} from './wait-duration.js';

describe('wait duration fields', () => {
  it('reads ISO durations as days and hours', () => {
    expect(toDaysHours('P2D')).toEqual({ days: 2, hours: 0, minutes: 0 });
    expect(toDaysHours('P1DT12H')).toEqual({ days: 1, hours: 12, minutes: 0 });
    expect(toDaysHours('PT36H')).toEqual({ days: 1, hours: 12, minutes: 0 });
    expect(toDaysHours('P1W')).toEqual({ days: 7, hours: 0, minutes: 0 });
  });

  it('writes them back', () => {
    expect(fromDaysHours({ days: 2, hours: 0, minutes: 0 })).toBe('P2D');
    expect(fromDaysHours({ days: 0, hours: 4, minutes: 0 })).toBe('PT4H');
    expect(fromDaysHours({ days: 1, hours: 12, minutes: 30 })).toBe('P1DT12H30M');
  });

  it('writes what the fields hold even when a rule refuses it, for activation to report on the step', () => {
    expect(fromDaysHours({ days: 45, hours: 0, minutes: 0 })).toBe('P45D');
    expect(toDaysHours(fromDaysHours({ days: 45, hours: 0, minutes: 0 }))).toEqual({
      days: 45,
      hours: 0,
      minutes: 0,
    });
    expect(describeWait(fromDaysHours({ days: 45, hours: 0, minutes: 0 }))).toBe('45 days');
    expect(fromDaysHours({ days: 0, hours: 0, minutes: 0 })).toBe('P0D');
    expect(fromDaysHours({ days: 1, hours: 25, minutes: 0 })).toBe('P1DT25H');
    expect(fromDaysHours({ days: -1, hours: 0, minutes: 0 })).toBe('P-1D');
    expect(fromDaysHours({ days: 1.5, hours: 0, minutes: 0 })).toBe('P1.5D');
  });

  it('refuses more than 30 days, nothing at all, and 24 hours or more', () => {
    expect(daysHoursProblem({ days: 30, hours: 0, minutes: 0 })).toBeUndefined();
    expect(daysHoursProblem({ days: 30, hours: 1, minutes: 0 })).toMatch(/30 days/);
    expect(daysHoursProblem({ days: 0, hours: 0, minutes: 0 })).toMatch(/at least/);
    expect(daysHoursProblem({ days: 1, hours: 24, minutes: 0 })).toMatch(/23/);
  });

  it('describes a wait for people', () => {
    expect(describeWait('P1DT2H')).toBe('1 day 2 hours');
  });

  it('names a wait after its duration', () => {
    expect(waitName('P1D')).toBe('Wait 1 day');
    expect(waitName('PT3H')).toBe('Wait 3 hours');
    expect(waitName('P0D')).toBe('Wait');
  });

  it('renames a wait whose name came from its duration, and keeps a name the user typed', () => {
    expect(nameForNewDuration('Wait 1 day', 'P1D', 'P2D')).toBe('Wait 2 days');
    expect(nameForNewDuration('Wait 2 days', 'P2D', 'PT3H')).toBe('Wait 3 hours');
    expect(nameForNewDuration(undefined, 'P1D', 'P2D')).toBe('Wait 2 days');
    expect(nameForNewDuration('Give them time', 'P1D', 'P2D')).toBe('Give them time');
    expect(nameForNewDuration('Wait two days', 'P2D', 'P3D')).toBe('Wait two days');
    // Days emptied while typing a new number: the name follows through the empty value.
    const emptied = nameForNewDuration('Wait 1 day', 'P1D', 'P0D');
    expect(nameForNewDuration(emptied, 'P0D', 'P5D')).toBe('Wait 5 days');
  });
});
