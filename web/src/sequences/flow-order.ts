// A definition's steps in reading order: from the start along `next`, a condition's Yes branch before its
// No branch, each step once, with the branch it sits on ("Yes › No"); unreachable steps come last.
import type { SequenceDefinition, Step } from '@domain/definition.js';

export interface OrderedStep {
  step: Step;
  /** The answers taken to reach the step, e.g. ['Yes', 'No']; [] on the main path. */
  branch: string[];
}

export function stepsInFlowOrder(definition: SequenceDefinition): OrderedStep[] {
  const byId = new Map(definition.steps.map((s) => [s.id, s]));
  const seen = new Set<string>();
  const ordered: OrderedStep[] = [];
  // An explicit stack (last in, first out) keeps deep sequences off the call stack.
  const stack: { id: string | undefined; branch: string[] }[] = [{ id: definition.start, branch: [] }];
  while (stack.length > 0) {
    const { id, branch } = stack.pop() as { id: string | undefined; branch: string[] };
    if (id === undefined || seen.has(id)) continue;
    const step = byId.get(id);
    if (step === undefined) continue;
    seen.add(id);
    ordered.push({ step, branch });
    if (step.type === 'condition') {
      stack.push({ id: step.no, branch: [...branch, 'No'] });
      stack.push({ id: step.yes, branch: [...branch, 'Yes'] });
    } else if (step.type !== 'advance_to_sequence') {
      stack.push({ id: step.next, branch });
    }
  }
  for (const step of definition.steps)
    if (!seen.has(step.id)) ordered.push({ step, branch: ['Unreachable'] });
  return ordered;
}

/** Beyond this many routes to one step, branchRoutes answers that many and `more`. */
const MAX_ROUTES = 3;

/**
 * Every route by which each step is reached, as the answers taken (`Yes › No`; '' on the main path): a step
 * where branches join is reached by several. At most MAX_ROUTES each, in reading order; `more` when there
 * are others.
 */
export function branchRoutes(
  definition: SequenceDefinition,
): Map<string, { routes: string[]; more: boolean }> {
  const byId = new Map(definition.steps.map((s) => [s.id, s]));
  const found = new Map<string, { routes: string[]; more: boolean }>();
  // Depth first from the start; a route already known at a step is not walked again from there, so each
  // step is walked at most once per route it keeps (a valid definition has no cycles; `seen` bounds bad ones).
  const stack: { id: string | undefined; route: string[]; seen: ReadonlySet<string> }[] = [
    { id: definition.start, route: [], seen: new Set() },
  ];
  while (stack.length > 0) {
    const { id, route, seen } = stack.pop() as (typeof stack)[number];
    if (id === undefined || seen.has(id)) continue;
    const step = byId.get(id);
    if (step === undefined) continue;
    const label = route.join(' › ');
    const at = found.get(id) ?? { routes: [], more: false };
    found.set(id, at);
    if (at.routes.includes(label)) continue;
    if (at.routes.length >= MAX_ROUTES) {
      at.more = true;
      continue;
    }
    at.routes.push(label);
    const next = new Set(seen).add(id);
    if (step.type === 'condition') {
      stack.push({ id: step.no, route: [...route, 'No'], seen: next });
      stack.push({ id: step.yes, route: [...route, 'Yes'], seen: next });
    } else if (step.type !== 'advance_to_sequence') {
      stack.push({ id: step.next, route, seen: next });
    }
  }
  return found;
}

/** The steps that follow `step` (none for the last one). */
export function nextStepIds(step: Step): string[] {
  switch (step.type) {
    case 'condition':
      return [step.yes, step.no].filter((id): id is string => id !== undefined);
    case 'advance_to_sequence':
      return [];
    default:
      return step.next === undefined ? [] : [step.next];
  }
}
