// The "upcoming" part of a record's Up next: what follows the current step in the sequence version the
// record runs, with the waits in between and, at a condition, what each branch leads to. View only.
import type { ConditionStep, SequenceDefinition, Step } from '@domain/definition.js';
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
  if (current.type === 'condition') return branchOf(byId, current, [], 0);
  return follow(byId, nextOf(current), 0);
}

function follow(byId: Map<string, Step>, id: string | undefined, depth: number): Upcoming {
  const waits: string[] = [];
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
    return branchOf(byId, step, waits, depth + 1);
  }
  return { kind: 'step', step, waits };
}

function branchOf(
  byId: Map<string, Step>,
  condition: ConditionStep,
  waits: string[],
  depth: number,
): Upcoming {
  return {
    kind: 'branch',
    condition,
    waits,
    yes: follow(byId, condition.yes, depth),
    no: follow(byId, condition.no, depth),
  };
}

function nextOf(step: Step): string | undefined {
  return step.type === 'condition' || step.type === 'advance_to_sequence' ? undefined : step.next;
}
