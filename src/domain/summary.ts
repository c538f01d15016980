// The numbers shown on a sequence card (api.md `summary`): how many steps a seller or the system works,
// and how many days the longest path from the start takes. Works on drafts too: never throws, never loops.
import type { SequenceDefinition, Step } from './definition.js';
import { durationDays, parseDuration } from './duration.js';
import { indexSteps, longestPath } from './step-graph.js';

export interface SequenceSummary {
  /** Steps that are neither a wait nor a condition (Dynamics counts "steps excluding wait time steps"). */
  stepCount: number;
  /** The longest path's total of waits and condition `within` times, in nominal days, at most 2 decimals. */
  durationDays: number;
}

export function summarize(def: SequenceDefinition): SequenceSummary {
  const stepCount = def.steps.filter((s) => s.type !== 'wait' && s.type !== 'condition').length;
  const days = longestPath(indexSteps(def), stepDays);
  return { stepCount, durationDays: Math.round(days * 100) / 100 };
}

/** Days a record spends at a step on its way through, as far as the definition says. */
function stepDays(step: Step): number {
  const text = step.type === 'wait' ? step.duration : step.type === 'condition' ? step.within : undefined;
  if (text === undefined) return 0;
  const parsed = parseDuration(text);
  return parsed.ok ? durationDays(parsed.duration) : 0; // an invalid duration counts as nothing until it is fixed
}
