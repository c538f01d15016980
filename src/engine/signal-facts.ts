// Signals that only add a fact a later condition reads — an open, a click or an attachment opened, a
// reply when the sequence does not exit on reply — of an email no `moveOnSignal` condition is waiting
// on, are stored with their step (signals.step_id) and not applied to the enrollment when they come:
// no load, no transition, no fenced write, which is most of a signal's cost. A condition reads facts
// only when it decides; then the transition calls `onSignalFactsRead`, and apply-events runs it again
// on the state with the stored facts added (addSignalFacts: each at its own time, repeats ignored,
// nothing moves), so the result is the one applying them on arrival would have given. The stored facts
// are the earliest time of each signal type per email step instance (signal_step_firsts, kept with the
// step's counters): a fact keeps its earliest time anyway, so the later ones add nothing.
import type { EmailSignal } from '../domain/definition.js';
import type { EnrollmentEvent } from '../domain/enrollment.js';
import type { DefinitionEntry } from './engine-cache.js';
import type { StoredSignalFact } from './ports/store.js';

const FACT_SIGNALS: ReadonlySet<string> = new Set<EmailSignal>([
  'email_opened',
  'email_clicked',
  'email_attachment_opened',
  'email_replied',
]);

function factOnly(type: string, entry: DefinitionEntry): boolean {
  if (!FACT_SIGNALS.has(type)) return false;
  return type !== 'email_replied' || !entry.definition.options.exitOnReply;
}

/** Whether a signal of `type` about email step `stepId` may be stored and applied when a condition decides. */
export function onlyAFact(type: string, entry: DefinitionEntry | undefined, stepId: string): boolean {
  return entry !== undefined && factOnly(type, entry) && !entry.signalImmediate.has(stepId);
}

/** An enrollment's stored facts as signal events, oldest first; those no condition tests are left out. */
export function factEvents(
  facts: readonly StoredSignalFact[],
  entry: DefinitionEntry,
): Extract<EnrollmentEvent, { type: 'signal' }>[] {
  return facts
    .filter((f) => factOnly(f.type, entry) && entry.signalTested.has(f.stepId))
    .sort((a, b) => a.at - b.at)
    .map((f) => ({ type: 'signal', signal: f.type as EmailSignal, stepId: f.stepId, at: f.at }));
}
