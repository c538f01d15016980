// The numbers shown on a sequence card (api.md `summary`): how many steps a seller or the system works,
// and how many days the longest path from the start takes. Works on drafts too: never throws, never loops.
import { type SequenceDefinition, type Step, successors } from './definition.js';
import { durationDays, parseDuration } from './duration.js';

export interface SequenceSummary {
  /** Steps that are neither a wait nor a condition (Dynamics counts "steps excluding wait time steps"). */
  stepCount: number;
  /** The longest path's total of waits and condition `within` times, in nominal days, at most 2 decimals. */
  durationDays: number;
}

export function summarize(def: SequenceDefinition): SequenceSummary {
  const stepCount = def.steps.filter((s) => s.type !== 'wait' && s.type !== 'condition').length;
  return { stepCount, durationDays: Math.round(longestPathDays(def) * 100) / 100 };
}

/** Days a record spends at a step on its way through, as far as the definition says. */
function stepDays(step: Step): number {
  const text = step.type === 'wait' ? step.duration : step.type === 'condition' ? step.within : undefined;
  if (text === undefined) return 0;
  const parsed = parseDuration(text);
  return parsed.ok ? durationDays(parsed.duration) : 0; // an invalid duration counts as nothing until it is fixed
}

/**
 * Longest path over the steps reachable from the start. A depth-first walk gives a post-order in which
 * every step comes after the steps it leads to; links that close a loop are ignored, so a cyclic draft
 * still gets a finite answer.
 */
function longestPathDays(def: SequenceDefinition): number {
  const byId = new Map<string, Step>();
  for (const step of def.steps) if (!byId.has(step.id)) byId.set(step.id, step);
  const first = byId.get(def.start);
  if (first === undefined) return 0;

  const longestFrom = new Map<Step, number>();
  const open = new Set<Step>();
  const stack: { step: Step; targets: string[]; next: number }[] = [];
  const enter = (step: Step) => {
    open.add(step);
    stack.push({ step, targets: successors(step), next: 0 });
  };
  enter(first);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as (typeof stack)[number];
    const targetId = frame.targets[frame.next++];
    if (targetId === undefined) {
      const after = frame.targets.map((id) => {
        const target = byId.get(id);
        return target === undefined ? 0 : (longestFrom.get(target) ?? 0); // a loop-closing link adds nothing
      });
      longestFrom.set(frame.step, stepDays(frame.step) + Math.max(0, ...after));
      open.delete(frame.step);
      stack.pop();
      continue;
    }
    const target = byId.get(targetId);
    if (target !== undefined && !longestFrom.has(target) && !open.has(target)) enter(target);
  }
  return longestFrom.get(first) ?? 0;
}
