import { describe, expect, it } from 'vitest';
import { isKnownZone, newTimeOffRow, timeOffFromApi, timeOffToApi } from './time-off.js';

describe('time off in the user’s zone', () => {
  it('shows UTC instants as local times of the user’s zone and writes them back', () => {
    const api = [{ start: '2026-12-24T08:00:00.000Z', end: '2026-12-27T08:00:00.000Z' }];
    const rows = timeOffFromApi(api, 'Europe/Paris');
    expect(rows).toEqual([{ start: '2026-12-24T09:00', end: '2026-12-27T09:00' }]);
    expect(timeOffToApi(rows, 'Europe/Paris')).toEqual({ ok: true, value: api });
  });

  it('crosses a daylight-saving change correctly', () => {
    const back = timeOffToApi([{ start: '2026-03-28T00:00', end: '2026-03-30T00:00' }], 'Europe/Paris');
    expect(back).toEqual({
      ok: true,
      value: [{ start: '2026-03-27T23:00:00.000Z', end: '2026-03-29T22:00:00.000Z' }],
    });
  });

  it('reports empty and reversed rows by index', () => {
    const answer = timeOffToApi(
      [
        { start: '2026-05-01T00:00', end: '2026-05-02T00:00' },
        { start: '', end: '2026-05-02T00:00' },
        { start: '2026-05-03T00:00', end: '2026-05-02T00:00' },
      ],
      'UTC',
    );
    expect(answer).toEqual({
      ok: false,
      problems: [
        { index: 1, message: 'Enter a start and an end.' },
        { index: 2, message: 'The end must be after the start.' },
      ],
    });
  });

  it('proposes the next whole day and knows real zones', () => {
    expect(newTimeOffRow(new Date('2026-11-23T23:30:00Z'), 'Asia/Tokyo')).toEqual({
      start: '2026-11-25T00:00',
      end: '2026-11-26T00:00',
    });
    // Santiago's 2027-09-05 starts at 01:00 (DST at midnight); the 6th starts at 00:00 again.
    expect(newTimeOffRow(new Date('2027-09-04T15:00:00Z'), 'America/Santiago')).toEqual({
      start: '2027-09-05T01:00',
      end: '2027-09-06T00:00',
    });
    expect(isKnownZone('America/New_York')).toBe(true);
    expect(isKnownZone('Mars/Olympus')).toBe(false);
  });
});
