// How far a connected record is through its sequence: activities behind it (shortest way in) and still
// ahead of it (longest way out) (waits and conditions are not counted, as in the sequence's step count).
import type { SequenceDefinition, Step } from '@domain/definition.js';
import { nextStepIds } from './flow-order.js';

export interface Progress {
  /** Activities and commands passed before the current step. */
  done: number;
  /** done + the current step and the longest run of steps after it. */
  total: number;
}

const UNREACHABLE = Number.NEGATIVE_INFINITY;
const NEVER = Number.POSITIVE_INFINITY;

function counts(step: Step): number {
  return step.type === 'wait' || step.type === 'condition' ? 0 : 1;
}

export function progressOf(
  definition: SequenceDefinition,
  currentStepId: string | null | undefined,
  status: string,
): Progress | null {
  const byId = new Map(definition.steps.map((s) => [s.id, s]));
  const longestFrom = memo((id, self) => {
    const step = byId.get(id);
    if (step === undefined) return 0;
    return counts(step) + Math.max(0, ...nextStepIds(step).map((next) => self(next)));
  });
  if (status === 'completed') {
    const total = longestFrom(definition.start);
    return { done: total, total };
  }
  if (currentStepId === null || currentStepId === undefined || !byId.has(currentStepId)) return null;
  // Steps counted on the shortest way from `id` to the current step, not counting the current one: a
  // step that several branches lead to is reached after at least that many (the list has no history).
  const before = memo((id, self) => {
    if (id === currentStepId) return 0;
    const step = byId.get(id);
    if (step === undefined) return NEVER;
    const best = Math.min(NEVER, ...nextStepIds(step).map((next) => self(next)));
    return best === NEVER ? NEVER : counts(step) + best;
  }, NEVER);
  const reachedAfter = before(definition.start);
  const done = reachedAfter === NEVER ? 0 : reachedAfter;
  return { done, total: done + longestFrom(currentStepId) };
}

/** Memoised recursion over step ids; a cycle (an invalid draft) gives `onCycle` instead of looping. */
function memo(
  compute: (id: string, self: (id: string) => number) => number,
  onCycle = UNREACHABLE,
): (id: string) => number {
  const cache = new Map<string, number>();
  const running = new Set<string>();
  const self = (id: string): number => {
    const cached = cache.get(id);
    if (cached !== undefined) return cached;
    if (running.has(id)) return onCycle;
    running.add(id);
    const value = compute(id, self);
    running.delete(id);
    cache.set(id, value);
    return value;
  };
  return self;
}
