// The "upcoming" part of a record's Up next: what follows the current step in the sequence version the
// record runs, with the waits in between and, at a condition, what each branch leads to. View only.
import { type ConditionStep, type SequenceDefinition, type Step, testsSignal } from '@domain/definition.js';
import { describeWait } from '../designer/wait-duration.js';

export type Upcoming =
  | { kind: 'end'; waits: string[] }
  | { kind: 'step'; step: Step; waits: string[] }
  | { kind: 'branch'; condition: ConditionStep; waits: string[]; yes: Upcoming; no: Upcoming };

/** How deep nested conditions are followed before the view stops (it is a glance, not the designer). */
const MAX_DEPTH = 2;

/**
 * What comes after `currentStepId`: for a condition that is running now, its two branches; for any other
 * step, the step its `next` leads to (waits folded into `waits`). Undefined when the step is unknown.
 */
export function upcomingAfter(definition: SequenceDefinition, currentStepId: string): Upcoming | undefined {
  const byId = new Map(definition.steps.map((s) => [s.id, s]));
  const current = byId.get(currentStepId);
  if (current === undefined) return undefined;
  // A condition running now: the view says when it decides, so its branches start from that moment.
  if (current.type === 'condition') return branchOf(byId, current, [], 0, false);
  return follow(byId, nextOf(current), 0);
}

function follow(
  byId: Map<string, Step>,
  id: string | undefined,
  depth: number,
  before: string[] = [],
): Upcoming {
  const waits: string[] = [...before];
  const seen = new Set<string>();
  let step = id === undefined ? undefined : byId.get(id);
  while (step !== undefined && step.type === 'wait' && !seen.has(step.id)) {
    seen.add(step.id);
    waits.push(describeWait(step.duration));
    const next = nextOf(step);
    step = next === undefined ? undefined : byId.get(next);
  }
  if (step === undefined || seen.has(step.id)) return { kind: 'end', waits };
  if (step.type === 'condition') {
    if (depth >= MAX_DEPTH) return { kind: 'step', step, waits };
    return branchOf(byId, step, waits, depth + 1, true);
  }
  return { kind: 'step', step, waits };
}

/**
 * A condition's branches. One still ahead (`ahead`) that waits for a signal decides only after `within`
 * (`no` always, `yes` too unless it moves on when the signal comes): that time is the first of each
 * branch's waits, so "after 2 days + 3 days" says when a branch's step really comes.
 */
function branchOf(
  byId: Map<string, Step>,
  condition: ConditionStep,
  waits: string[],
  depth: number,
  ahead: boolean,
): Upcoming {
  const decides = ahead && testsSignal(condition.if) && condition.within !== undefined;
  const within = decides ? [describeWait(condition.within as string)] : [];
  return {
    kind: 'branch',
    condition,
    waits,
    yes: follow(byId, condition.yes, depth, condition.moveOnSignal === true ? [] : within),
    no: follow(byId, condition.no, depth, within),
  };
}

function nextOf(step: Step): string | undefined {
  return step.type === 'condition' || step.type === 'advance_to_sequence' ? undefined : step.next;
}
