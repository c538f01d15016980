// Time off as the admin edits it: local date-times in the user's own time zone, sent to the API as UTC
// instants (`timeOff: [{start, end}]`, api.md "Users").
import { DateTime } from 'luxon';

export interface TimeOffRow {
  /** `YYYY-MM-DDTHH:mm`, what <input type="datetime-local"> reads and writes, in the user's zone. */
  start: string;
  end: string;
}

export interface TimeOffProblem {
  index: number;
  message: string;
}

export function timeOffFromApi(list: readonly { start: string; end: string }[], zone: string): TimeOffRow[] {
  const local = (iso: string) =>
    DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm");
  return list.map((t) => ({ start: local(t.start), end: local(t.end) }));
}

export function timeOffToApi(
  rows: readonly TimeOffRow[],
  zone: string,
): { ok: true; value: { start: string; end: string }[] } | { ok: false; problems: TimeOffProblem[] } {
  const problems: TimeOffProblem[] = [];
  const value: { start: string; end: string }[] = [];
  rows.forEach((row, index) => {
    const start = DateTime.fromISO(row.start, { zone });
    const end = DateTime.fromISO(row.end, { zone });
    if (!start.isValid || !end.isValid) problems.push({ index, message: 'Enter a start and an end.' });
    else if (end <= start) problems.push({ index, message: 'The end must be after the start.' });
    else value.push({ start: start.toUTC().toISO() ?? '', end: end.toUTC().toISO() ?? '' });
  });
  return problems.length === 0 ? { ok: true, value } : { ok: false, problems };
}

/** A new row: the next whole day in the user's zone, from `now`. */
export function newTimeOffRow(now: Date, zone: string): TimeOffRow {
  const day = DateTime.fromJSDate(now).setZone(zone).plus({ days: 1 }).startOf('day');
  const format = "yyyy-MM-dd'T'HH:mm";
  // The next day's own start: where a midnight does not exist (DST at 00:00) a day starts at 01:00.
  return { start: day.toFormat(format), end: day.plus({ days: 1 }).startOf('day').toFormat(format) };
}

/** Whether the IANA zone name is one this browser knows. */
export function isKnownZone(zone: string): boolean {
  return zone !== '' && DateTime.local().setZone(zone).isValid;
}
