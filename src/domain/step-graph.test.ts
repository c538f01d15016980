import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEQUENCE_OPTIONS, type SequenceDefinition, type Step } from './definition.js';
import {
  findCycles,
  indexSteps,
  links,
  longestPath,
  precedesOnEveryPath,
  reachableFrom,
  reachableFromStart,
  type StepGraph,
  stepById,
} from './step-graph.js';
import { validDefinitionArb } from './test-support/arbitraries.js';

function graphOf(start: string, steps: Step[]): StepGraph {
  return indexSteps({ start, options: DEFAULT_SEQUENCE_OPTIONS, steps });
}

const task = (id: string, next?: string): Step => ({ id, type: 'task', ...(next !== undefined && { next }) });
const branch = (id: string, yes?: string, no?: string): Step => ({
  id,
  type: 'condition',
  if: { field: 'status', op: 'is_empty' },
  ...(yes !== undefined && { yes }),
  ...(no !== undefined && { no }),
});

/** a → c → (yes: b, no: d); b → d; e stands apart. */
const DIAMOND = graphOf('a', [
  task('a', 'c'),
  task('b', 'd'),
  branch('c', 'b', 'd'),
  task('d'),
  task('e', 'd'),
]);

describe('indexSteps and links', () => {
  it('indexes the first step of each id; a missing start is undefined', () => {
    const g = graphOf('x', [task('x', 'y'), task('y'), task('x')]);
    expect(g.indexOf).toEqual(
      new Map([
        ['x', 0],
        ['y', 1],
      ]),
    );
    expect(g.start).toBe(0);
    expect(stepById(g, 'x')).toBe(g.steps[0]);
    expect(stepById(g, 'nope')).toBeUndefined();
    expect(graphOf('nope', g.steps as Step[]).start).toBeUndefined();
  });

  it('lists links with their property, yes before no; an advance leads nowhere', () => {
    expect(links(branch('c', 'y', 'n'))).toEqual([
      { key: 'yes', target: 'y' },
      { key: 'no', target: 'n' },
    ]);
    expect(links(branch('c', undefined, 'n'))).toEqual([{ key: 'no', target: 'n' }]);
    expect(links(task('t', 'u'))).toEqual([{ key: 'next', target: 'u' }]);
    expect(links({ id: 'a', type: 'advance_to_sequence', sequenceId: 's' })).toEqual([]);
  });
});

describe('reachability and dominance', () => {
  it('reaches what links lead to, skipping dangling links and the step avoided', () => {
    expect(reachableFrom(DIAMOND, 0)).toEqual(new Set([0, 2, 1, 3]));
    expect(reachableFrom(DIAMOND, 0, 1)).toEqual(new Set([0, 2, 3]));
    expect(reachableFrom(DIAMOND, 0, 0)).toEqual(new Set());
    expect(reachableFrom(graphOf('a', [task('a', 'gone')]), 0)).toEqual(new Set([0]));
    expect(reachableFromStart(graphOf('', [task('a')]))).toEqual(new Set());
  });

  it('a step precedes another when every path from the start passes it', () => {
    expect(precedesOnEveryPath(DIAMOND, 2, 3)).toBe(true); // c before d
    expect(precedesOnEveryPath(DIAMOND, 1, 3)).toBe(false); // b is only on the yes path
    expect(precedesOnEveryPath(DIAMOND, 3, 1)).toBe(false); // d comes after b
    expect(precedesOnEveryPath(DIAMOND, 1, 4)).toBe(true); // e is unreachable: vacuously true
  });
});

describe('findCycles', () => {
  it('finds none in a DAG', () => {
    expect(findCycles(DIAMOND)).toEqual([]);
  });

  it('reports the link that closes each loop, with the loop from its target round', () => {
    const g = graphOf('a', [task('a', 'b'), task('b', 'c'), task('c', 'a'), task('s', 's')]);
    expect(findCycles(g)).toEqual([
      { from: 2, link: { key: 'next', target: 'a' }, steps: [0, 1, 2] },
      { from: 3, link: { key: 'next', target: 's' }, steps: [3] },
    ]);
  });

  it('walks a chain longer than the call stack could recurse', () => {
    const steps = Array.from({ length: 20_000 }, (_, i) => task(`t${i}`, i === 19_999 ? 't0' : `t${i + 1}`));
    expect(findCycles(graphOf('t0', steps))).toHaveLength(1);
  });
});

describe('longestPath', () => {
  const weights: Record<string, number> = { a: 1, b: 5, c: 2, d: 3, e: 100 };
  const weight = (step: Step) => weights[step.id] ?? 0;

  it('takes the heaviest branch from the start, ignoring unreachable steps', () => {
    expect(longestPath(DIAMOND, weight)).toBe(1 + 2 + 5 + 3);
  });

  it('is finite on loops (a link back adds nothing) and 0 without a start', () => {
    const g = graphOf('a', [task('a', 'b'), task('b', 'a')]);
    expect(longestPath(g, weight)).toBe(6);
    expect(longestPath(graphOf('', [task('a')]), weight)).toBe(0);
  });
});

describe('on generated valid definitions (property)', () => {
  /** A weight per step, by its index, so paths differ in length. */
  const weightedArb = fc.tuple(validDefinitionArb, fc.array(fc.nat({ max: 100 }), { minLength: 32 }));

  it('reaches every step from the start and finds no cycle', () => {
    fc.assert(
      fc.property(validDefinitionArb, (def) => {
        const g = indexSteps(def);
        expect(reachableFromStart(g).size).toBe(def.steps.length);
        expect(findCycles(g)).toEqual([]);
      }),
    );
  });

  it('longest path is the heaviest of all paths from the start', () => {
    fc.assert(
      fc.property(weightedArb, ([def, weights]) => {
        const g = indexSteps(def);
        const weight = (step: Step) => weights[g.indexOf.get(step.id) ?? 0] ?? 0;
        const paths = allPathWeights(def, g, weight);
        expect(paths.length).toBeGreaterThan(0);
        expect(longestPath(g, weight)).toBe(Math.max(...paths));
      }),
    );
  });
});

/** Brute force: the weight of every path from the start to an end (generated definitions are small DAGs). */
function allPathWeights(def: SequenceDefinition, g: StepGraph, weight: (step: Step) => number): number[] {
  const out: number[] = [];
  const walk = (id: string, sum: number) => {
    const step = stepById(g, id);
    if (step === undefined) return;
    const total = sum + weight(step);
    const next = links(step);
    if (next.length === 0) out.push(total);
    for (const link of next) walk(link.target, total);
  };
  walk(def.start, 0);
  return out;
}
