// Time arithmetic of the transition: wait ends, condition deadlines, when a manual step opens and
// when an automated email may go out. Calendar days stay distinct from clock hours (P1D ≠ PT24H).
import { Duration } from 'luxon';
import { addWait, nextWorkingInstant, sendingWindowStart } from '../calendar.js';
import type { IsoDuration, SequenceOptions } from '../definition.js';
import type { TransitionContext } from '../enrollment.js';

export interface WaitSpan {
  weeks?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
}

/**
 * `P2D` → `{days: 2}`, `PT36H` → `{hours: 36}`. Months and years (which the validator rejects for
 * waits of at most 30 days) count as 30 and 365 days; unparsable text is a zero wait.
 */
export function parseWait(text: IsoDuration | undefined): WaitSpan {
  if (text === undefined) return {};
  const d = Duration.fromISO(text);
  if (!d.isValid) return {};
  const o = d.toObject();
  const span: WaitSpan = {};
  const days = (o.days ?? 0) + (o.months ?? 0) * 30 + (o.years ?? 0) * 365 + (o.quarters ?? 0) * 91;
  if (o.weeks) span.weeks = o.weeks;
  if (days) span.days = days;
  if (o.hours) span.hours = o.hours;
  if (o.minutes) span.minutes = o.minutes;
  const seconds = (o.seconds ?? 0) + (o.milliseconds ?? 0) / 1000;
  if (seconds) span.seconds = seconds;
  return span;
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
    addWait(ctx.ownerCalendar, at, parseWait(duration), { skipNonWorkingDays: options.skipNonWorkingDays }),
  );
}

/** A condition's `within` is plain calendar time from when it is reached (working days are not counted). */
export function conditionDeadline(
  ctx: TransitionContext,
  at: number,
  within: IsoDuration | undefined,
): number {
  return notBefore(at, addWait(ctx.ownerCalendar, at, parseWait(within), { skipNonWorkingDays: false }));
}

/** A manual activity opens at the owner's next working instant. */
export function manualDue(ctx: TransitionContext, at: number): number {
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
