// Days + hours fields ↔ the ISO 8601 duration a wait or a condition's time limit holds; at most 30 days,
// as Dynamics' "Set wait time". What the fields hold is always written back, even when it breaks a rule
// (45 days, nothing at all): the field says why, and activation reports it on the step, as it does for the
// designer's other unfinished values. Replacing it with the last good value would save what nobody typed.
import { MAX_STEP_DURATION_DAYS, parseDuration } from '@domain/duration.js';

export { MAX_STEP_DURATION_DAYS };

export interface DaysHours {
  days: number;
  hours: number;
  /** Minutes written by hand or by an import; kept so editing days doesn't lose them. */
  minutes: number;
}

export function toDaysHours(text: string | undefined): DaysHours {
  if (text === undefined) return { days: 0, hours: 0, minutes: 0 };
  const parsed = parseDuration(text);
  if (!parsed.ok) return { days: 0, hours: 0, minutes: 0 };
  const { days, hours, minutes } = parsed.duration;
  // PT36H reads as 1 day 12 hours in the fields.
  return { days: days + Math.floor(hours / 24), hours: hours % 24, minutes };
}

/** The ISO duration of the fields as they are: a negative or fractional number is written as typed too
 * (`P-1D`, `P1.5D`), for the server's `invalid_duration`, instead of being dropped. */
export function fromDaysHours({ days, hours, minutes }: DaysHours): string {
  const part = (n: number, unit: string) => (Number.isFinite(n) && n !== 0 ? `${n}${unit}` : '');
  const time = `${part(hours, 'H')}${part(minutes, 'M')}`;
  const date = part(days, 'D');
  if (date === '' && time === '') return 'P0D';
  return `P${date}${time === '' ? '' : `T${time}`}`;
}

/** Why the fields can't be saved as they are, or undefined when they can. */
export function daysHoursProblem({ days, hours, minutes }: DaysHours): string | undefined {
  if (![days, hours, minutes].every((n) => Number.isInteger(n) && n >= 0))
    return 'Use whole, positive numbers.';
  if (hours > 23) return 'Hours go up to 23; add a day instead.';
  if (days * 24 * 60 + hours * 60 + minutes === 0) return 'Wait at least one hour.';
  if (days * 24 * 60 + hours * 60 + minutes > MAX_STEP_DURATION_DAYS * 24 * 60)
    return `The longest wait is ${MAX_STEP_DURATION_DAYS} days: shorten it before activating.`;
  return undefined;
}

const NO_TIME = 'No time set';

/** The name a new wait gets from its duration ("Wait 2 days", "Wait 3 hours"; "Wait" while it has none). */
export function waitName(duration: string | undefined): string {
  const length = describeWait(duration);
  return length === NO_TIME ? 'Wait' : `Wait ${length}`;
}

/**
 * The name a wait gets when its duration changes: one still generated from the old duration (or none)
 * follows the new one; a name the user typed is kept.
 */
export function nameForNewDuration(
  name: string | undefined,
  oldDuration: string,
  newDuration: string,
): string {
  const generated = name === undefined || name.trim() === '' || name === waitName(oldDuration);
  return generated ? waitName(newDuration) : name;
}

/** "2 days 4 hours" for a node's subtitle. */
export function describeWait(text: string | undefined): string {
  const { days, hours, minutes } = toDaysHours(text);
  const parts = [
    days > 0 ? `${days} day${days === 1 ? '' : 's'}` : '',
    hours > 0 ? `${hours} hour${hours === 1 ? '' : 's'}` : '',
    minutes > 0 ? `${minutes} min` : '',
  ].filter((p) => p !== '');
  return parts.length === 0 ? NO_TIME : parts.join(' ');
}
