// Working-time arithmetic: when a seller works, when an automated email may go out, when a wait ends.
// Pure: instants are epoch milliseconds (UTC); time zones come from the platform's IANA data through luxon.
import {
  MILLIS_PER_NOMINAL_DAY as DAY,
  MILLIS_PER_HOUR as HOUR,
  MILLIS_PER_MINUTE as MINUTE,
  MILLIS_PER_SECOND as SECOND,
  type StepDuration,
} from './duration.js';
import { canonicalTimeZone, isValidTimeZone, ZoneOffsets } from './zone-offsets.js';

export { canonicalTimeZone, isValidTimeZone };

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
/** Per weekday, `["HH:MM", "HH:MM"]` intervals in the calendar's zone; `"24:00"` may end one (next midnight). */
export type WeeklyHours = Record<Weekday, [string, string][]>;
/** Epoch ms, `[start, end)`. */
export interface TimeOff {
  start: number;
  end: number;
}
/**
 * A user's working time. Treat it as a value: compiled forms are cached by object identity
 * (the calendar, its `weeklyHours` and its `timeOff` array), so build a new one instead of mutating.
 */
export interface WorkingCalendar {
  timezone: string;
  weeklyHours: WeeklyHours;
  timeOff: TimeOff[];
}

/**
 * A wait: a {@link StepDuration} as parseDuration returns it, or any of its parts, plus `weeks` of 7 days.
 * `weeks` and `days` are calendar days in the calendar's zone, the rest exact elapsed time.
 */
export type Wait = Partial<StepDuration> & { readonly weeks?: number };

const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
/** Beyond this, Date (and so Intl) has no calendar: about 20,000 years of margin under its ±8.64e15 limit. */
const LAST_INSTANT = 8e15;

function freezeWeek(week: WeeklyHours): WeeklyHours {
  for (const day of WEEKDAYS) {
    for (const interval of week[day]) Object.freeze(interval);
    Object.freeze(week[day]);
  }
  return Object.freeze(week);
}

/** Monday to Friday 08:00–17:00: Dynamics 365's default working hours. */
export const DEFAULT_WEEKLY_HOURS: WeeklyHours = freezeWeek({
  mon: [['08:00', '17:00']],
  tue: [['08:00', '17:00']],
  wed: [['08:00', '17:00']],
  thu: [['08:00', '17:00']],
  fri: [['08:00', '17:00']],
  sat: [],
  sun: [],
});

/** Every instant is working time: the calendar of `workingHours: 'none'`. */
export const ALWAYS_OPEN: WorkingCalendar = Object.freeze({
  timezone: 'UTC',
  weeklyHours: freezeWeek({
    mon: [['00:00', '24:00']],
    tue: [['00:00', '24:00']],
    wed: [['00:00', '24:00']],
    thu: [['00:00', '24:00']],
    fri: [['00:00', '24:00']],
    sat: [['00:00', '24:00']],
    sun: [['00:00', '24:00']],
  }),
  timeOff: Object.freeze([]) as unknown as TimeOff[],
});

// ---------------------------------------------------------------------------------------------
// Weekly hours: parsing (the edge) and compiling (the hot path)

interface Issue {
  path: string;
  message: string;
}

const TIME = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;

/** Minutes since midnight, or undefined when `text` is not "HH:MM" ("24:00" only where `allow24`). */
function minutesOf(text: unknown, allow24: boolean): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = TIME.exec(text);
  if (m === null) return undefined;
  if (m[3] !== undefined) return allow24 ? 1440 : undefined;
  return Number(m[1]) * 60 + Number(m[2]);
}

function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** Sorted, merged (overlapping or touching) `[start, end]` pairs, flattened: working minutes, time off. */
function mergeIntervals(pairs: [number, number][]): number[] {
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [s, e] of pairs) {
    const last = out.length - 1;
    if (last > 0 && s <= (out[last] as number)) out[last] = Math.max(out[last] as number, e);
    else out.push(s, e);
  }
  return out;
}

/** Per weekday (0 = Monday), merged minute intervals flattened as [s0, e0, s1, e1, …]. */
function readWeek(json: unknown): { days: number[][]; issues: Issue[] } {
  const issues: Issue[] = [];
  const days: number[][] = WEEKDAYS.map(() => []);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    issues.push({
      path: '',
      message: 'Working hours are an object mapping mon…sun to lists of ["HH:MM", "HH:MM"] intervals.',
    });
    return { days, issues };
  }
  const record = json as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(WEEKDAYS as readonly string[]).includes(key))
      issues.push({ path: `/${key}`, message: `Unknown day "${key}"; days are ${WEEKDAYS.join(', ')}.` });
  }
  WEEKDAYS.forEach((day, index) => {
    const list = Object.hasOwn(record, day) ? record[day] : [];
    if (!Array.isArray(list)) {
      issues.push({ path: `/${day}`, message: 'Expected a list of ["HH:MM", "HH:MM"] intervals.' });
      return;
    }
    const pairs: [number, number][] = [];
    list.forEach((interval: unknown, i) => {
      const path = `/${day}/${i}`;
      if (!Array.isArray(interval) || interval.length !== 2) {
        issues.push({ path, message: 'Expected an interval ["HH:MM", "HH:MM"].' });
        return;
      }
      const start = minutesOf(interval[0], false);
      const end = minutesOf(interval[1], true);
      if (start === undefined)
        issues.push({ path: `${path}/0`, message: 'Expected a start time "HH:MM" from "00:00" to "23:59".' });
      if (end === undefined)
        issues.push({ path: `${path}/1`, message: 'Expected an end time "HH:MM" from "00:01" to "24:00".' });
      if (start === undefined || end === undefined) return;
      if (end <= start) {
        issues.push({
          path,
          message:
            'An interval ends after it starts, within one day; write one that crosses midnight as two: [start, "24:00"] and ["00:00", end] on the next day.',
        });
        return;
      }
      pairs.push([start, end]);
    });
    days[index] = mergeIntervals(pairs);
  });
  return { days, issues };
}

/**
 * Untrusted JSON (a user's `workingHours`) to weekly hours: sorted, with overlapping and touching
 * intervals merged, every day present (a missing day has no hours). A week without any working hours
 * is rejected: see `nextWorkingInstant` for what a calendar does with one anyway.
 */
export function parseWeeklyHours(
  json: unknown,
): { ok: true; value: WeeklyHours } | { ok: false; errors: { path: string; message: string }[] } {
  const parsed = parseWorkingDays(json);
  if (!parsed.ok) return parsed;
  const value = {} as WeeklyHours;
  for (const day of WEEKDAYS) value[day] = parsed.value[day] ?? [];
  if (!hasWorkingHours(value))
    return { ok: false, errors: [{ path: '', message: 'At least one day needs working hours.' }] };
  return { ok: true, value };
}

/**
 * Untrusted JSON naming some days of the week (a change to a user's `workingHours`), each sorted and
 * merged as by `parseWeeklyHours`; a day left out is left out of the answer (its hours stay as they
 * were), and `[]` is a day without working hours.
 */
export function parseWorkingDays(
  json: unknown,
): { ok: true; value: Partial<WeeklyHours> } | { ok: false; errors: { path: string; message: string }[] } {
  const { days, issues } = readWeek(json);
  if (issues.length > 0) return { ok: false, errors: issues };
  const value: Partial<WeeklyHours> = {};
  WEEKDAYS.forEach((day, index) => {
    if (!Object.hasOwn(json as object, day)) return;
    const flat = days[index] ?? [];
    const list: [string, string][] = [];
    for (let i = 0; i < flat.length; i += 2)
      list.push([formatMinutes(flat[i] as number), formatMinutes(flat[i + 1] as number)]);
    value[day] = list;
  });
  return { ok: true, value };
}

/** Some day of the week has working hours (a week without any is open all the time: compileWeek). */
export function hasWorkingHours(week: WeeklyHours): boolean {
  return WEEKDAYS.some((day) => week[day].length > 0);
}

interface CompiledWeek {
  /** Index 0 = Monday; flattened [start, end) pairs in ms since local midnight. */
  days: number[][];
  /** Every day is 00:00–24:00, so working hours never end (time off aside). */
  open: boolean;
}

const compiledWeeks = new WeakMap<WeeklyHours, CompiledWeek>();

function compileWeek(week: WeeklyHours): CompiledWeek {
  const cached = compiledWeeks.get(week);
  if (cached !== undefined) return cached;
  const { days, issues } = readWeek(week);
  if (issues.length > 0) {
    const first = issues[0] as Issue;
    throw new RangeError(`Invalid weekly hours at "${first.path}": ${first.message}`);
  }
  // A week without hours is open all the time (fail-open; parseWeeklyHours keeps such weeks out).
  const empty = days.every((d) => d.length === 0);
  const ms = days.map((d) => (empty ? [0, DAY] : d.map((m) => m * MINUTE)));
  const compiled: CompiledWeek = {
    days: ms,
    open: ms.every((d) => d.length === 2 && d[0] === 0 && d[1] === DAY),
  };
  compiledWeeks.set(week, compiled);
  return compiled;
}

// ---------------------------------------------------------------------------------------------
// Compiled calendars

interface CompiledTimeOff {
  /** Merged, disjoint, non-touching blocks, ascending. */
  starts: number[];
  ends: number[];
}

interface CompiledCalendar {
  zone: ZoneOffsets;
  week: CompiledWeek;
  timeOff: CompiledTimeOff;
}

const compiledTimeOffs = new WeakMap<readonly TimeOff[], CompiledTimeOff>();
const compiledCalendars = new WeakMap<WorkingCalendar, CompiledCalendar>();

function compileTimeOff(list: readonly TimeOff[]): CompiledTimeOff {
  const cached = compiledTimeOffs.get(list);
  if (cached !== undefined) return cached;
  // Empty, reversed or NaN entries hide nothing.
  const blocks = list.filter((b) => b.end > b.start).map((b): [number, number] => [b.start, b.end]);
  const merged = mergeIntervals(blocks);
  const compiled = {
    starts: merged.filter((_, i) => i % 2 === 0),
    ends: merged.filter((_, i) => i % 2 === 1),
  };
  compiledTimeOffs.set(list, compiled);
  return compiled;
}

function compile(cal: WorkingCalendar): CompiledCalendar {
  let compiled = compiledCalendars.get(cal);
  if (compiled === undefined) {
    compiled = {
      zone: ZoneOffsets.of(cal.timezone),
      week: compileWeek(cal.weeklyHours),
      timeOff: compileTimeOff(cal.timeOff),
    };
    compiledCalendars.set(cal, compiled);
  }
  return compiled;
}

/** The end of the time-off block holding `at`, or undefined when `at` is not in time off. */
function timeOffEnd(timeOff: CompiledTimeOff, at: number): number | undefined {
  const { starts, ends } = timeOff;
  let lo = 0;
  let hi = starts.length; // first block starting after `at`
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((starts[mid] as number) <= at) lo = mid + 1;
    else hi = mid;
  }
  const end = lo > 0 ? (ends[lo - 1] as number) : undefined;
  return end !== undefined && at < end ? end : undefined;
}

function localDay(wall: number): number {
  return Math.floor(wall / DAY);
}

/** 0 = Monday; day 0 (1970-01-01) was a Thursday. */
function weekdayOf(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

/**
 * The earliest instant ≥ `at` inside the weekly hours (time off aside). A local day's interval
 * [s, e) is the instants from instantOf(s) to instantOf(e): contiguous and in order across days,
 * whatever DST does. Intervals of days before `at`'s local day end by instantOf(its midnight) ≤ at.
 */
function nextHoursInstant(cal: CompiledCalendar, at: number): number {
  if (cal.week.open) return at;
  const { zone, week } = cal;
  const first = localDay(zone.wallOf(at));
  // A non-empty week has hours within 7 days; a DST gap can swallow one day's hours, not a week's.
  for (let day = first; day <= first + 14; day++) {
    const intervals = week.days[weekdayOf(day)] as number[];
    const midnight = day * DAY;
    for (let i = 0; i < intervals.length; i += 2) {
      const end = zone.instantOf(midnight + (intervals[i + 1] as number));
      if (end <= at) continue;
      const start = zone.instantOf(midnight + (intervals[i] as number));
      if (start < end) return Math.max(start, at);
    }
  }
  throw new Error(`No working hours within two weeks of ${at} in ${zone.name}`);
}

function checkInstant(at: number): void {
  if (!isInstant(at)) throw new RangeError(`Not an instant in epoch ms: ${at}`);
}

// ---------------------------------------------------------------------------------------------
// The public operations

/** Epoch ms a calendar can work with (JSON has no Infinity or NaN, and Date's range is finite). */
export function isInstant(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value) <= LAST_INSTANT;
}

/** Inside the weekly hours and outside time off. */
export function isWorkingInstant(cal: WorkingCalendar, at: number): boolean {
  checkInstant(at);
  const compiled = compile(cal);
  return timeOffEnd(compiled.timeOff, at) === undefined && nextHoursInstant(compiled, at) === at;
}

/**
 * `at` itself if it is inside working time, else the start of the next working period.
 * A week with no hours at all means "no hours restriction" (only time off applies): such a week can
 * only come from data that skipped `parseWeeklyHours`, and a step that runs at an odd hour is
 * safer than one that never runs or a worker that throws on every transition.
 */
export function nextWorkingInstant(cal: WorkingCalendar, at: number): number {
  checkInstant(at);
  const compiled = compile(cal);
  let candidate = at;
  // Each turn leaves one time-off block behind: a block of weeks costs one step, not a walk over its days.
  for (;;) {
    if (candidate > LAST_INSTANT) return candidate;
    candidate = nextHoursInstant(compiled, candidate);
    const end = timeOffEnd(compiled.timeOff, candidate);
    if (end === undefined) return candidate;
    candidate = end;
  }
}

/**
 * Whether a local day counts for `skipNonWorkingDays`: it has working hours not all covered by time off.
 * When it does not and time off covers it, also the last local day that the same time off covers whole.
 */
function dayStatus(
  cal: CompiledCalendar,
  day: number,
): { working: true } | { working: false; coveredThrough: number } | { working: false; endless: number } {
  const { zone, week, timeOff } = cal;
  const intervals = week.days[weekdayOf(day)] as number[];
  const midnight = day * DAY;
  let coveredUntil: number | undefined;
  for (let i = 0; i < intervals.length; i += 2) {
    const start = zone.instantOf(midnight + (intervals[i] as number));
    const end = zone.instantOf(midnight + (intervals[i + 1] as number));
    if (start >= end) continue; // inside a DST gap
    const offEnd = timeOffEnd(timeOff, start);
    if (offEnd === undefined || offEnd < end) return { working: true };
    coveredUntil = offEnd;
  }
  if (coveredUntil === undefined) return { working: false, coveredThrough: day };
  if (coveredUntil > LAST_INSTANT) return { working: false, endless: coveredUntil };
  // Days before the one where that time off ends hold nothing but time off (their hours end earlier).
  return { working: false, coveredThrough: Math.max(day, localDay(zone.wallOf(coveredUntil)) - 1) };
}

function nonNegative(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Wait arithmetic: calendar days in the calendar's zone (P1D = same wall-clock time next day, across DST;
 * a wall time that does not exist that day moves to the end of the gap, one that happens twice takes the
 * earlier), then clock parts as exact elapsed time (PT24H = exactly 24h); a fraction of a day counts as
 * exact time. With skipNonWorkingDays, days count only days that have working hours and are not fully
 * covered by time off (Dynamics "wait time computation"); the clock part is exact either way.
 * The result is not moved into working hours: compose with nextWorkingInstant for that.
 * Negative or non-finite parts count as zero, so the result is never before `at`. (Time off that runs
 * past the last day Date can represent ends the count: the result is that time off's end.)
 */
export function addWait(
  cal: WorkingCalendar,
  at: number,
  wait: Wait,
  options: { skipNonWorkingDays: boolean },
): number {
  checkInstant(at);
  const totalDays = nonNegative(wait.weeks) * 7 + nonNegative(wait.days);
  const wholeDays = Math.floor(totalDays);
  const clock = Math.round(
    (totalDays - wholeDays) * DAY +
      nonNegative(wait.hours) * HOUR +
      nonNegative(wait.minutes) * MINUTE +
      nonNegative(wait.seconds) * SECOND,
  );
  if (wholeDays === 0) return at + clock;
  const compiled = compile(cal);
  const wall = compiled.zone.wallOf(at);
  const startDay = localDay(wall);
  const timeOfDay = wall - startDay * DAY;
  let day = startDay;
  if (options.skipNonWorkingDays) {
    let remaining = wholeDays;
    while (remaining > 0) {
      day += 1;
      const status = dayStatus(compiled, day);
      if (status.working) remaining -= 1;
      else if ('endless' in status) return status.endless;
      else day = status.coveredThrough;
    }
  } else {
    day += wholeDays;
  }
  return compiled.zone.instantOf(day * DAY + timeOfDay) + clock;
}

/**
 * The sending window for an automated email: nextWorkingInstant in the given calendar (the owner's, or for
 * `workingHours: 'recipient'` the owner's hours and time off in the recipient's zone, see withTimeZone).
 */
export function sendingWindowStart(cal: WorkingCalendar, at: number): number {
  return nextWorkingInstant(cal, at);
}

/**
 * The same hours (and the same time off, which is absolute) read in another zone. An unknown zone
 * (a record with a bad or missing `timezone`) keeps the calendar's own zone rather than failing a step.
 */
export function withTimeZone(cal: WorkingCalendar, timezone: string): WorkingCalendar {
  if (timezone === cal.timezone || !isValidTimeZone(timezone)) return cal;
  return { timezone, weeklyHours: cal.weeklyHours, timeOff: cal.timeOff };
}
