// The step graph of a definition: which step leads where, what can be reached, what loops, how long the
// longest path is. Walks without recursion and never throws, so drafts (dangling links, duplicate ids,
// loops) are safe. Steps are named by their index in `steps`.
import { type SequenceDefinition, type Step, successors } from './definition.js';

export type LinkKey = 'next' | 'yes' | 'no';

export interface Link {
  key: LinkKey;
  target: string;
}

export interface StepGraph {
  readonly steps: readonly Step[];
  /** Step id -> index of its first occurrence; later duplicates are never followed. */
  readonly indexOf: ReadonlyMap<string, number>;
  /** Index of the start step, if it exists. */
  readonly start: number | undefined;
}

export function indexSteps(def: SequenceDefinition): StepGraph {
  const indexOf = new Map<string, number>();
  def.steps.forEach((step, index) => {
    if (!indexOf.has(step.id)) indexOf.set(step.id, index);
  });
  return { steps: def.steps, indexOf, start: indexOf.get(def.start) };
}

/** The first step with this id. */
export function stepById(graph: StepGraph, id: string): Step | undefined {
  const index = graph.indexOf.get(id);
  return index === undefined ? undefined : graph.steps[index];
}

/** Where a step goes next, with the property that says so, in order (`yes` before `no`). */
export function links(step: Step): Link[] {
  if (step.type !== 'condition') return successors(step).map((target) => ({ key: 'next', target }));
  const out: Link[] = [];
  if (step.yes !== undefined) out.push({ key: 'yes', target: step.yes });
  if (step.no !== undefined) out.push({ key: 'no', target: step.no });
  return out;
}

/** Indexes of the existing steps a step leads to (a dangling link leads nowhere). */
function targetsOf(graph: StepGraph, index: number): number[] {
  const step = graph.steps[index];
  if (step === undefined) return [];
  return links(step).flatMap((link) => {
    const target = graph.indexOf.get(link.target);
    return target === undefined ? [] : [target];
  });
}

/** Steps reachable from `from`, never entering `avoid` (to ask "can X be reached without passing Y?"). */
export function reachableFrom(graph: StepGraph, from: number, avoid?: number): Set<number> {
  const seen = new Set<number>();
  if (from === avoid) return seen;
  const queue = [from];
  seen.add(from);
  for (let head = 0; head < queue.length; head++) {
    for (const target of targetsOf(graph, queue[head] ?? from)) {
      if (target === avoid || seen.has(target)) continue;
      seen.add(target);
      queue.push(target);
    }
  }
  return seen;
}

// Memo per graph object and step avoided (-1: none): invisible to callers apart from speed. A condition
// testing many emails asks about each, and must not cost a walk per question.
const reachedAvoiding = new WeakMap<StepGraph, Map<number, ReadonlySet<number>>>();

/** Steps reachable from the start (never entering `avoid`, when given); empty without a start. */
export function reachableFromStart(graph: StepGraph, avoid?: number): ReadonlySet<number> {
  let memo = reachedAvoiding.get(graph);
  if (memo === undefined) {
    memo = new Map();
    reachedAvoiding.set(graph, memo);
  }
  const key = avoid ?? -1;
  let reached = memo.get(key);
  if (reached === undefined) {
    reached = graph.start === undefined ? new Set() : reachableFrom(graph, graph.start, avoid);
    memo.set(key, reached);
  }
  return reached;
}

/**
 * True when every path from the start to `later` passes `earlier` (`earlier` dominates `later`);
 * vacuously true when there is no start or `later` is unreachable.
 */
export function precedesOnEveryPath(graph: StepGraph, earlier: number, later: number): boolean {
  if (graph.start === undefined) return true;
  if (!reachableFromStart(graph).has(later)) return true;
  return !reachableFromStart(graph, earlier).has(later);
}

/** A link that closes a loop. */
export interface Cycle {
  /** The step whose link loops back. */
  from: number;
  link: Link;
  /** The loop, from the link's target round to `from`. */
  steps: number[];
}

/**
 * One entry per link that closes a loop (a back edge of a depth-first walk from the start, then from
 * every other step not yet seen): the link to change to break that loop.
 */
export function findCycles(graph: StepGraph): Cycle[] {
  const cycles: Cycle[] = [];
  const roots = [...(graph.start === undefined ? [] : [graph.start]), ...graph.indexOf.values()];
  depthFirst(graph, roots, {
    loopsBack: (path, link, to) => {
      cycles.push({ from: path[path.length - 1] as number, link, steps: path.slice(path.indexOf(to)) });
    },
  });
  return cycles;
}

/**
 * The heaviest path from the start: the largest total `weight` of its steps. A link that closes a loop
 * adds nothing, so a cyclic draft still gets a finite answer; without a start it is 0.
 */
export function longestPath(graph: StepGraph, weight: (step: Step) => number): number {
  if (graph.start === undefined) return 0;
  const longestFrom = new Map<number, number>();
  depthFirst(graph, [graph.start], {
    // Post-order: every step is finished after the steps it leads to (an open one closes a loop: 0).
    finished: (index) => {
      const after = targetsOf(graph, index).map((target) => longestFrom.get(target) ?? 0);
      longestFrom.set(index, weight(graph.steps[index] as Step) + Math.max(0, ...after));
    },
  });
  return longestFrom.get(graph.start) ?? 0;
}

interface Visitor {
  /** `link` of the last step of `path` (the steps open from the root) goes back to `to`, which is on it. */
  loopsBack?: (path: number[], link: Link, to: number) => void;
  /** Every step `index` leads to is finished or open. */
  finished?: (index: number) => void;
}

/** Depth-first from each root not yet seen, following links in order; iterative, so a long chain can't overflow the stack. */
function depthFirst(graph: StepGraph, roots: Iterable<number>, visitor: Visitor): void {
  const state = new Map<number, 'open' | 'done'>();
  for (const root of roots) {
    if (state.has(root)) continue;
    const stack: { index: number; links: Link[]; next: number }[] = [];
    const enter = (index: number) => {
      state.set(index, 'open');
      const step = graph.steps[index];
      stack.push({ index, links: step === undefined ? [] : links(step), next: 0 });
    };
    enter(root);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as (typeof stack)[number];
      const link = frame.links[frame.next++];
      if (link === undefined) {
        state.set(frame.index, 'done');
        visitor.finished?.(frame.index);
        stack.pop();
        continue;
      }
      const target = graph.indexOf.get(link.target);
      if (target === undefined) continue;
      const targetState = state.get(target);
      if (targetState === undefined) enter(target);
      else if (targetState === 'open')
        visitor.loopsBack?.(
          stack.map((f) => f.index),
          link,
          target,
        );
    }
  }
}
