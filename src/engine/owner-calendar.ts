// Scheduled manual steps follow their owner's working calendar: when a user's hours, zone or time off
// change, or a record (with its running enrollments) gets another owner, each step the calendar placed
// and that is not due yet is placed again by the `calendar_changed` transition (domain/transition.ts:
// `manualDue` from the step's `readyAt`, as when it was entered). Snoozed steps keep the seller's time.
//
// The move runs inside the transaction of the change that caused it, not after it: a crash or a failed
// write then leaves either the old calendar with the old due times or the new one with the new times,
// never a changed calendar with steps still placed in the old one (nothing would ever notice and redo
// it). The price is a longer transaction for an owner with many scheduled steps: one read of their ids
// by index, then batches of 1,000 through applyEvents (load, transition, fenced commit).
//
// Queued automated emails are made due at once in the same transaction (outbox.sendPendingSooner): the
// sender reads each one's window again when it takes it, so one the new calendar (or the new owner's)
// lets go sooner goes now, and the others wait again for their window's start.
import { hasWorkingHours } from '../domain/calendar.js';
import { applyEvents } from './apply-events.js';
import type { EngineDeps } from './deps.js';
import { BadRequestError } from './errors.js';
import type { User, UserPatch } from './ports/store.js';

/** Enrollments loaded, transitioned and committed per statement group. */
const BATCH = 1_000;

/** `deps` over the transaction `tx`; the worker hint waits for the commit (the caller gives it). */
function within(deps: EngineDeps, tx: EngineDeps['store']): EngineDeps {
  return { store: tx, clock: deps.clock, ids: deps.ids, settings: deps.settings };
}

/**
 * Places the scheduled steps of these running enrollments again in their owner's current calendar; returns
 * how many moved. Call it with `deps.store` being the transaction of the change.
 */
async function followOwnerCalendar(deps: EngineDeps, enrollmentIds: readonly string[]): Promise<number> {
  let moved = 0;
  for (let start = 0; start < enrollmentIds.length; start += BATCH) {
    const result = await applyEvents(
      deps,
      enrollmentIds.slice(start, start + BATCH).map((enrollmentId) => ({
        enrollmentId,
        event: { type: 'calendar_changed' } as const,
      })),
    );
    moved += result.applied;
  }
  return moved;
}

/** After a commit that moved steps, possibly to now: the in-process worker need not wait for its poll. */
function hint(deps: EngineDeps, moved: number): void {
  if (moved > 0) deps.onWorkScheduled?.(deps.clock.now());
}

/**
 * Changes a user; when the patch touches the calendar (zone, working hours, time off), the manual steps
 * of their running enrollments move with it, in the same transaction. Working hours change only the days
 * the patch names. Null when there is no such user.
 * @throws StoreConflictError `email_taken`; BadRequestError when no day would have working hours left.
 */
export async function updateUser(deps: EngineDeps, id: string, patch: UserPatch): Promise<User | null> {
  const now = deps.clock.now();
  if (patch.timezone === undefined && patch.workingHours === undefined && patch.timeOff === undefined)
    return deps.store.users.update(id, patch, now);
  let moved = 0;
  const user = await deps.store.transaction(async (tx) => {
    const updated = await tx.users.update(id, patch, now);
    if (updated === null) return null;
    // Checked on the merged week, in the transaction: the days kept are the row's, not a stale read's.
    if (patch.workingHours !== undefined && !hasWorkingHours(updated.workingHours))
      throw new BadRequestError('The calendar is not valid.', [
        {
          code: 'invalid_working_hours',
          path: '/workingHours',
          message: 'At least one day needs working hours.',
        },
      ]);
    const enrollmentIds = await tx.engine.scheduledStepEnrollments(updated.id, now);
    moved = await followOwnerCalendar(within(deps, tx), enrollmentIds);
    // Queued automated emails read the calendar again when sent (outbox-sender.ts): due now, one that the
    // new calendar lets go sooner goes now, the others wait again for their window.
    await tx.outbox.sendPendingSooner({ ownerId: updated.id }, now);
    return updated;
  });
  hint(deps, moved);
  return user;
}

/**
 * Runs `change` (an owner change that returns the running enrollments it gave to another owner) and places
 * their scheduled steps in the new owner's calendar, in one transaction.
 */
export async function withOwnerCalendar<T>(
  deps: EngineDeps,
  change: (tx: EngineDeps['store']) => Promise<T>,
  movedEnrollments: (result: T) => readonly string[],
): Promise<T> {
  let moved = 0;
  const result = await deps.store.transaction(async (tx) => {
    const changed = await change(tx);
    moved = await followOwnerCalendar(within(deps, tx), movedEnrollments(changed));
    await tx.outbox.sendPendingSooner({ enrollmentIds: movedEnrollments(changed) }, deps.clock.now());
    return changed;
  });
  hint(deps, moved);
  return result;
}
