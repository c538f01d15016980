// Time arithmetic of the transition: wait ends, condition deadlines, when a manual step opens and
// when an automated email may go out. Calendar days stay distinct from clock hours (P1D ≠ PT24H).
import { addWait, nextWorkingInstant, sendingWindowStart } from '../calendar.js';
import type { IsoDuration, SequenceOptions } from '../definition.js';
import { parseDuration, type StepDuration } from '../duration.js';
import type { TransitionContext } from '../enrollment.js';

const NO_WAIT: StepDuration = { days: 0, hours: 0, minutes: 0, seconds: 0 };

// Memo of parseDuration by text: invisible to callers apart from speed. A sequence holds a handful of
// distinct durations; parsing costs ~0.7 µs through luxon, a hit ~10 ns. Bounded, as texts come from users.
const parsedWaits = new Map<string, StepDuration>();
const MAX_PARSED_WAITS = 1024;

/**
 * How long a wait or `within` lasts. Text the validator refuses (months, negative, not a duration), which
 * an activated sequence never holds, is no wait at all; so is a missing `within`.
 */
function waitOf(text: IsoDuration | undefined): StepDuration {
  if (text === undefined) return NO_WAIT;
  let wait = parsedWaits.get(text);
  if (wait === undefined) {
    const parsed = parseDuration(text);
    wait = parsed.ok ? parsed.duration : NO_WAIT;
    if (parsedWaits.size >= MAX_PARSED_WAITS) parsedWaits.clear();
    parsedWaits.set(text, wait);
  }
  return wait;
}

/** Never earlier than `at`, whatever the calendar says. */
function notBefore(at: number, result: number): number {
  return Number.isFinite(result) && result > at ? result : at;
}

export function waitEnd(
  ctx: TransitionContext,
  options: SequenceOptions,
  at: number,
  duration: IsoDuration,
): number {
  return notBefore(
    at,
    addWait(ctx.ownerCalendar, at, waitOf(duration), { skipNonWorkingDays: options.skipNonWorkingDays }),
  );
}

/** A condition's `within` is plain calendar time from when it is reached (working days are not counted). */
export function conditionDeadline(
  ctx: TransitionContext,
  at: number,
  within: IsoDuration | undefined,
): number {
  return notBefore(at, addWait(ctx.ownerCalendar, at, waitOf(within), { skipNonWorkingDays: false }));
}

/**
 * A manual activity opens at the owner's next working instant; with `workingHours: "none"` at once (api.md:
 * `owner` is the option under which "steps open and automated emails go out inside the owner's working
 * hours", and `none` lifts both; `recipient` moves only the emails into the record's zone).
 */
export function manualDue(ctx: TransitionContext, options: SequenceOptions, at: number): number {
  if (options.workingHours === 'none') return at;
  return notBefore(at, nextWorkingInstant(ctx.ownerCalendar, at));
}

/** An automated email goes out inside the sequence's sending window. */
export function emailSendAt(ctx: TransitionContext, options: SequenceOptions, at: number): number {
  switch (options.workingHours) {
    case 'none':
      return at;
    case 'recipient':
      return notBefore(at, sendingWindowStart(ctx.recipientCalendar ?? ctx.ownerCalendar, at));
    default:
      return notBefore(at, sendingWindowStart(ctx.ownerCalendar, at));
  }
}
