// The pure transition function of an enrollment: (definition, state, event, context) → [state, effects].
// It executes nothing; the engine stores the state and writes the effects in one transaction.
//
// Rules where the issue and api.md are silent (each has a test):
// - Time: each step happens at its own due time, even when the tick comes late (a wait that ended
//   at T enters the next step proposed at T), so a late worker catches up to the same timeline.
// - Signal conditions: by default a `yes` waits for the `within` deadline (signals dated after it
//   do not count), but a certain `no` is taken at once, when reached or when it becomes certain: no part
//   can still become true (`all` → one part is certainly false: a skipped/failed/suppressed email, a call's
//   outcome; not a field, which may still change before the deadline; `any` → every part is). With
//   `moveOnSignal` a certain `yes` is taken at once too (`any` → one part is true). A condition with no signal part
//   decides when reached, reading the fields an `update_field` earlier in the same transition wrote. `within` is plain calendar time from
//   when the condition is reached (skipNonWorkingDays applies to waits only).
// - A skipped email, a permanently failed or suppressed automated email, count as "no signal";
//   a skipped call has no outcome. Facts are kept only for steps some condition tests.
// - Pause: no ticks; seller actions do not apply; signals and exits still do; an automated email's
//   outcome still closes its step, and the sequence moves on at resume. A queued automated email is held
//   (`email.hold`: its outbox row waits, unless the sender already took it) and released at resume
//   (`email.release`). Resume shifts waits and condition windows by the paused duration; a step that was
//   only waiting for working time (a manual step to open, a held email) opens or goes out at the next
//   working instant from the resume; a snoozed step keeps its time shifted by the pause, in working time.
// - Snooze takes an open step back to `scheduled` until exactly `until` (the seller's choice is not
//   moved into working hours, nor by a later calendar change: it keeps no `readyAt`).
// - A calendar change (`calendar_changed`: the owner's hours, zone or time off, or a new owner) places a
//   scheduled step again with `manualDue` from the instant it was ready (`readyAt`), in the calendar of
//   `ctx`, as if that calendar had held when the step was entered. Only while it is not due yet (a due
//   step is the scheduler's, opening now) and the enrollment is active (resume re-fits a paused one in the
//   calendar of that time); a step the new calendar would have opened already opens now, never in the past.
// - Ending (exit, bounce, unsubscribe, disconnect) cancels the step in progress and drops a queued
//   automated email (`email.cancel`); a broken definition (missing step, loop) ends in status `error`.
import { isInstant } from './calendar.js';
import { isEmailStep, type SequenceDefinition, type Step } from './definition.js';
import {
  type Effect,
  type EnrollmentEvent,
  type EnrollmentState,
  isEnded,
  type StepFacts,
  type TransitionContext,
} from './enrollment.js';
import { SIGNAL_FACT, SIGNAL_FACTS } from './transition/conditions.js';
import { isManual, nextOf, Run } from './transition/run.js';
import { emailSendAt, manualDue } from './transition/timing.js';

/**
 * Applies one event. Several steps may be passed in one call (an update_field, then an automated
 * email, then a wait...), and everything that fell due by `ctx.now` happens at its own due time.
 * An event that does not apply (a step that isn't open, a tick before `dueAt`, anything after the
 * end, a repeat) returns the very same state object and no effects, so redelivery is harmless.
 */
export function advance(
  definition: SequenceDefinition,
  state: EnrollmentState,
  event: EnrollmentEvent,
  ctx: TransitionContext,
): [EnrollmentState, Effect[]] {
  if (isEnded(state)) return [state, []];
  const run = new Run(definition, state, ctx);
  if (!apply(run, event)) return [state, []];
  run.settle();
  if (run.effects.length === 0 && sameState(run.s, state)) return [state, []];
  return [run.s, run.effects];
}

/**
 * Records signals as facts only: nothing moves (no settle), so a condition past its deadline still decides
 * on the next event with all of them in view. For stored signals a condition is about to read (the engine's
 * signal-facts.ts); signals that would end the enrollment are not facts and are ignored here.
 */
export function addSignalFacts(
  definition: SequenceDefinition,
  state: EnrollmentState,
  signals: readonly Extract<EnrollmentEvent, { type: 'signal' }>[],
  ctx: TransitionContext,
): EnrollmentState {
  if (isEnded(state)) return state;
  const run = new Run(definition, state, ctx);
  let changed = false;
  for (const event of signals) {
    if (event.stepId === undefined || !(event.signal in SIGNAL_FACT)) continue;
    if (event.signal === 'email_replied' && definition.options.exitOnReply) continue;
    changed = applySignal(run, event) || changed;
  }
  return changed ? run.s : state;
}

function instantOr(value: number, fallback: number): number {
  return isInstant(value) ? value : fallback;
}

function sameState(a: EnrollmentState, b: EnrollmentState): boolean {
  return (Object.keys(a) as (keyof EnrollmentState)[]).every((k) => a[k] === b[k]);
}

/** The phases of a manual step a seller's complete, skip or send acts in: open, or not yet open (ahead). */
const MANUAL_ACTION_PHASES: readonly string[] = ['open', 'scheduled'];

/** The current step, if the event names it (and its instance, when `seq` is given) and it is in `phase`. */
function target(
  run: Run,
  event: { stepId?: string; seq?: number },
  phases: readonly string[],
): Step | undefined {
  const s = run.s;
  if (event.stepId !== undefined && event.stepId !== s.stepId) return undefined;
  if (event.seq !== undefined && event.seq !== s.seq) return undefined;
  if (s.phase === null || !phases.includes(s.phase)) return undefined;
  return run.currentStep();
}

/** Returns whether the event applied; `settle` then lets due work happen. */
function apply(run: Run, event: EnrollmentEvent): boolean {
  const s = run.s;
  const now = run.now;
  const active = s.status === 'active';
  switch (event.type) {
    case 'start':
      if (!active || s.stepId !== null || s.seq !== 0) return false;
      run.moveOn(run.definition.start, now);
      return true;

    case 'tick':
      return active && s.dueAt !== null && now >= s.dueAt;

    // A seller may work ahead: a manual step not yet open (waiting for working hours) or snoozed can be
    // completed, skipped or sent before its time. It closes without opening (no step.opened: it never
    // reached the work list's Today), and the enrollment moves on from now.
    case 'step_completed': {
      const step = active ? target(run, event, MANUAL_ACTION_PHASES) : undefined;
      if (step === undefined || !isManual(step)) return false;
      const { outcome, notes, actorId } = event;
      const usedOutcome = step.type === 'phone_call' ? outcome : undefined;
      run.close(step, 'completed', now, {
        ...(outcome !== undefined && { outcome }),
        ...(notes !== undefined && { notes }),
        ...(actorId !== undefined && { actorId }),
      });
      if (usedOutcome !== undefined) {
        run.emit({ type: 'stats.increment', stepId: step.id, counter: `outcome:${usedOutcome}` });
        run.setFact(step.id, { outcome: usedOutcome });
      }
      run.moveOn(nextOf(step), now);
      return true;
    }

    case 'step_skipped': {
      const step = active ? target(run, event, MANUAL_ACTION_PHASES) : undefined;
      if (step === undefined || !isManual(step)) return false;
      run.close(step, 'skipped', now, event.actorId !== undefined ? { actorId: event.actorId } : {});
      run.setFact(step.id, { skipped: true });
      run.moveOn(nextOf(step), now);
      return true;
    }

    case 'snoozed': {
      // Open, or already snoozed / not yet open (scheduled): the step opens at `until` instead.
      const step = active ? target(run, event, ['open', 'scheduled']) : undefined;
      if (step === undefined || !isManual(step) || !isInstant(event.until) || event.until <= now)
        return false;
      if (s.phase === 'scheduled' && s.due === event.until) return false; // a repeat

      s.phase = 'scheduled';
      s.due = event.until;
      s.readyAt = null;
      run.emit({ type: 'step.snoozed', stepId: step.id, seq: s.seq, until: event.until });
      return true;
    }

    case 'wait_skipped': {
      const step = active ? target(run, event, ['waiting']) : undefined;
      if (step?.type !== 'wait') return false;
      run.close(step, 'skipped', now, event.actorId !== undefined ? { actorId: event.actorId } : {});
      run.moveOn(step.next, now);
      return true;
    }

    case 'signal':
      return applySignal(run, event);

    case 'email_sent': {
      const step = target(run, event, ['sending', ...MANUAL_ACTION_PHASES]);
      if (step === undefined) return false;
      if (s.phase !== 'sending') {
        // A manual email step sent from the seller's mailbox completes like `step_completed`.
        if (!active || step.type !== 'email') return false;
        if (event.send !== undefined) {
          // Sent through Stepwise: the outbox delivers it (keyed by enrollment and seq, so once).
          run.emit({
            type: 'email.queue',
            stepId: step.id,
            seq: s.seq,
            templateId: step.templateId ?? null,
            sendAt: now,
            override: event.send,
          });
        }
        // Sent elsewhere: counted now. Through the outbox: counted when the mail server takes it.
        if (event.send === undefined)
          run.emit({ type: 'stats.increment', stepId: step.id, counter: 'email_sent' });
        run.close(step, 'completed', now, event.actorId !== undefined ? { actorId: event.actorId } : {});
        run.moveOn(step.next, now);
        return true;
      }
      const at = Math.min(now, Math.max(instantOr(event.at, now), s.due ?? now));
      run.emit({ type: 'stats.increment', stepId: step.id, counter: 'email_sent' });
      run.close(step, 'completed', at);
      return moveOnOrHold(run, step, at);
    }

    case 'email_failed': {
      const step = event.permanent ? target(run, event, ['sending']) : undefined;
      if (step === undefined) return false;
      // A failed email can never be opened or replied to: conditions testing it take `no`.
      run.close(step, 'failed', now, { reason: event.reason });
      run.setFact(step.id, { skipped: true });
      return moveOnOrHold(run, step, now);
    }

    case 'email_suppressed': {
      const step = target(run, event, ['sending']);
      if (step === undefined) return false;
      run.close(step, 'skipped', now, { reason: 'suppressed' });
      run.setFact(step.id, { skipped: true });
      return moveOnOrHold(run, step, now);
    }

    case 'pause': {
      if (!active || s.stepId === null) return false;
      s.status = 'paused';
      s.pausedAt = now;
      s.dueAt = null;
      // A queued automated email waits too (unless the sender has already taken it).
      const step = run.currentStep();
      if (step !== undefined && s.phase === 'sending')
        run.emit({ type: 'email.hold', stepId: step.id, seq: s.seq });
      return true;
    }

    case 'resume':
      return resume(run);

    case 'disconnect':
      run.end(event.reason, now);
      return true;

    case 'record_fields_changed':
      // Only a condition still waiting can change its mind (an early `yes`/`no` under moveOnSignal).
      return active && s.phase === 'awaiting_signal';

    case 'calendar_changed':
      return replaceInCalendar(run);

    default:
      event satisfies never;
      return false;
  }
}

/** After an automated email's outcome: move on now, or, while paused, hold until `resume`. */
function moveOnOrHold(run: Run, step: Step, at: number): boolean {
  if (run.s.status === 'paused') {
    run.s.phase = 'done';
    return true;
  }
  run.moveOn(nextOf(step), at);
  return true;
}

function applySignal(run: Run, event: Extract<EnrollmentEvent, { type: 'signal' }>): boolean {
  const now = run.now;
  switch (event.signal) {
    case 'email_bounced':
      run.end('bounced', now);
      return true;
    case 'email_unsubscribed':
      run.end('unsubscribed', now);
      return true;
    case 'linkedin_connection_accepted':
      return false;
    case 'email_opened':
    case 'email_clicked':
    case 'email_replied':
    case 'email_attachment_opened': {
      if (event.stepId !== undefined) {
        const tested = run.step(event.stepId);
        if (tested === undefined || !isEmailStep(tested)) return false;
      }
      if (event.signal === 'email_replied' && run.definition.options.exitOnReply) {
        run.end('exit_on_reply', now);
        return true;
      }
      if (event.stepId === undefined) return false;
      const at = Math.min(instantOr(event.at, now), now);
      const facts = run.s.facts[event.stepId] ?? {};
      const patch: StepFacts = {};
      for (const key of SIGNAL_FACTS[event.signal]) {
        const seen = facts[key];
        if (seen === undefined || seen > at) patch[key] = at;
      }
      return Object.keys(patch).length > 0 && run.setFact(event.stepId, patch);
    }
    default:
      event.signal satisfies never;
      return false;
  }
}

/** A scheduled step the calendar placed, not due yet, placed again from `readyAt` (see the rules above). */
function replaceInCalendar(run: Run): boolean {
  const s = run.s;
  const step = run.currentStep();
  if (s.status !== 'active' || s.phase !== 'scheduled' || s.readyAt === null || s.due === null) return false;
  if (step === undefined || !isManual(step) || s.due <= run.now) return false;
  const due = Math.max(manualDue(run.ctx, run.definition.options, s.readyAt), run.now);
  if (due === s.due) return false;
  s.due = due;
  run.emit({ type: 'step.rescheduled', stepId: step.id, seq: s.seq, dueAt: due });
  return true;
}

/**
 * Waits and condition windows shift by the paused duration. A step that was only waiting for working time
 * (a manual step ready to open, a queued automated email) is ready now: it opens, or goes out, at the next
 * working instant from the resume. A snoozed step keeps the seller's time shifted by the pause, in working time.
 */
function resume(run: Run): boolean {
  const s = run.s;
  if (s.status !== 'paused') return false;
  const shift = Math.max(0, run.now - (s.pausedAt ?? run.now));
  s.status = 'active';
  s.pausedAt = null;
  const step = run.currentStep();
  if (step === undefined || s.due === null) return true;
  const { ctx, definition } = run;
  if (s.phase === 'sending') {
    // Released even after a zero-length pause: the pause held the outbox row.
    const sendAt = Math.max(s.due, emailSendAt(ctx, definition.options, run.now));
    run.emit({ type: 'email.release', stepId: step.id, seq: s.seq, sendAt });
    if (sendAt !== s.due) run.emit({ type: 'step.rescheduled', stepId: step.id, seq: s.seq, dueAt: sendAt });
    s.due = sendAt;
    return true;
  }
  if (shift === 0 || s.phase === 'done') return true;
  if (s.phase === 'scheduled') {
    // `readyAt` is null for a snoozed step (and in states stored before it was kept).
    s.readyAt = s.readyAt === null ? s.due + shift : run.now;
    s.due = manualDue(ctx, definition.options, s.readyAt);
  } else s.due += shift;
  run.emit({ type: 'step.rescheduled', stepId: step.id, seq: s.seq, dueAt: s.due });
  return true;
}
