// ISO 8601 durations as definitions use them (`P2D`, `PT4H`, `P1DT12H`, `PT30M`, `P1W`): parsing and nominal length.
// Calendar days stay apart from clock time so that a calendar can add "P1D" as one day in a time zone
// (23 or 25 hours across a DST change) and "PT24H" as exactly 24 hours.
import { Duration } from 'luxon';

/**
 * A parsed duration. `days` are calendar days (weeks already turned into 7 days each);
 * `hours`, `minutes` and `seconds` are clock time. The object is also a luxon `DurationLikeObject`,
 * so `DateTime.plus(duration)` adds calendar days in the DateTime's zone, then exact clock time.
 */
export interface StepDuration {
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  /** May carry a fraction (`PT1.5S`). */
  readonly seconds: number;
}

export const DURATION_ERRORS = [
  'not_iso_duration',
  'months_or_years',
  'negative',
  'fractional_days',
] as const;
export type DurationError = (typeof DURATION_ERRORS)[number];

export type DurationParseResult =
  | { ok: true; duration: StepDuration }
  | { ok: false; error: DurationError; message: string };

/** The longest wait (and condition `within`) a sequence may hold: Dynamics' "maximum wait time is 30 days". */
export const MAX_STEP_DURATION_DAYS = 30;

export const MILLIS_PER_SECOND = 1000;
export const MILLIS_PER_MINUTE = 60 * MILLIS_PER_SECOND;
export const MILLIS_PER_HOUR = 60 * MILLIS_PER_MINUTE;
export const MILLIS_PER_NOMINAL_DAY = 24 * MILLIS_PER_HOUR;

// luxon accepts `P`, `PT` and `P1DT` (nothing after the T); ISO 8601 does not, and neither do we.
const EMPTY_OR_DANGLING_T = /^PT?$|T$/;

export function parseDuration(text: string): DurationParseResult {
  // luxon reads `-P1D` and `P-1D`; a step can't wait a negative time, and saying why beats "not a duration".
  if (text.includes('-')) return failure('negative', `"${text}" is negative; a duration must be positive.`);
  if (EMPTY_OR_DANGLING_T.test(text)) return notIso(text);
  const parsed = Duration.fromISO(text);
  if (!parsed.isValid) return notIso(text);
  const { years = 0, quarters = 0, months = 0, weeks = 0, days = 0 } = parsed.toObject();
  const { hours = 0, minutes = 0, seconds = 0, milliseconds = 0 } = parsed.toObject();
  if (years !== 0 || quarters !== 0 || months !== 0) {
    return failure(
      'months_or_years',
      `"${text}" counts months or years, whose length varies; use days or weeks (P30D, P4W).`,
    );
  }
  // Half a calendar day has no meaning across a DST change; half an hour does.
  if (!Number.isInteger(weeks) || !Number.isInteger(days)) {
    return failure('fractional_days', `"${text}" has a fraction of a day or week; use hours (P1DT12H).`);
  }
  const duration: StepDuration = {
    days: weeks * 7 + days,
    hours,
    minutes,
    seconds: seconds + milliseconds / MILLIS_PER_SECOND,
  };
  // Absurdly long digit strings could overflow to Infinity and poison every sum downstream.
  if (!isFiniteDuration(duration)) return notIso(text);
  return { ok: true, duration };
}

/** Length counting every day as 24 hours: for limits ("at most 30 days") and summaries, never for scheduling. */
export function durationToMillisNominal(d: StepDuration): number {
  return (
    d.days * MILLIS_PER_NOMINAL_DAY +
    d.hours * MILLIS_PER_HOUR +
    d.minutes * MILLIS_PER_MINUTE +
    d.seconds * MILLIS_PER_SECOND
  );
}

/** Nominal length in (possibly fractional) days: `P1DT12H` is 1.5. */
export function durationDays(d: StepDuration): number {
  return durationToMillisNominal(d) / MILLIS_PER_NOMINAL_DAY;
}

export function isPositiveDuration(d: StepDuration): boolean {
  return durationToMillisNominal(d) > 0;
}

/** At most {@link MAX_STEP_DURATION_DAYS} nominal days. */
export function isWithinStepLimit(d: StepDuration): boolean {
  return durationToMillisNominal(d) <= MAX_STEP_DURATION_DAYS * MILLIS_PER_NOMINAL_DAY;
}

/** "2 days 4 hours": for messages a sales manager reads. */
export function describeDuration(d: StepDuration): string {
  const parts: string[] = [];
  const add = (amount: number, unit: string) => {
    if (amount !== 0) parts.push(`${amount} ${unit}${amount === 1 ? '' : 's'}`);
  };
  add(d.days, 'day');
  add(d.hours, 'hour');
  add(d.minutes, 'minute');
  add(d.seconds, 'second');
  return parts.length === 0 ? 'no time' : parts.join(' ');
}

function isFiniteDuration(d: StepDuration): boolean {
  return Object.values(d).every((n) => Number.isFinite(n)) && Number.isFinite(durationToMillisNominal(d));
}

function notIso(text: string): DurationParseResult {
  return failure(
    'not_iso_duration',
    `"${text}" is not a duration; write it like P2D (2 days), PT4H (4 hours) or P1DT12H.`,
  );
}

function failure(error: DurationError, message: string): DurationParseResult {
  return { ok: false, error, message };
}
