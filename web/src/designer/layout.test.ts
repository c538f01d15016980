import type { SequenceDefinition } from '@domain/definition.js';
import { validDefinitionArb } from '@domain/test-support/arbitraries.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { definitionToFlow } from './definition-to-flow.js';
import { FIXTURES } from './fixtures/index.js';
import type { DesignerNode, Flow } from './flow-types.js';
import { layout } from './layout.js';

function centre(node: DesignerNode | undefined) {
  if (node === undefined) throw new Error('node missing');
  return { x: node.position.x + (node.width ?? 0) / 2, y: node.position.y + (node.height ?? 0) / 2 };
}

function box(node: DesignerNode) {
  const { x, y } = node.position;
  return { left: x, right: x + (node.width ?? 0), top: y, bottom: y + (node.height ?? 0) };
}

function laidOut(def: SequenceDefinition): { flow: Flow; byId: Map<string, DesignerNode> } {
  const flow = definitionToFlow(def);
  const { nodes } = layout(flow.nodes, flow.edges);
  return { flow: { nodes, edges: flow.edges }, byId: new Map(nodes.map((n) => [n.id, n])) };
}

/** Node ids reachable from `from` along the edges, `from` included. */
function reachable(flow: Flow, from: string): Set<string> {
  const seen = new Set<string>();
  const todo = [from];
  for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
    if (seen.has(id)) continue;
    seen.add(id);
    for (const edge of flow.edges) if (edge.source === id) todo.push(edge.target);
  }
  return seen;
}

/** Every end is drawn straight under the step whose branch it ends, and nothing sits on that line. */
function expectEndsUnderTheirSteps({ flow, byId }: { flow: Flow; byId: Map<string, DesignerNode> }) {
  for (const edge of flow.edges) {
    const end = byId.get(edge.target);
    const from = byId.get(edge.source);
    if (end?.type !== 'end' || from === undefined) continue;
    expect(centre(end).x, `${end.id} under ${from.id}`).toBeCloseTo(centre(from).x, 0);
    const line = { x: centre(end).x, top: box(from).bottom, bottom: box(end).top };
    for (const other of flow.nodes) {
      if (other === end || other === from) continue;
      const b = box(other);
      const onLine = b.left <= line.x && line.x <= b.right && b.top < line.bottom && line.top < b.bottom;
      expect(onLine, `${other.id} on the line from ${from.id} to its end`).toBe(false);
    }
  }
}

describe('layout', () => {
  it('puts the start on top and every link pointing down', () => {
    fc.assert(
      fc.property(validDefinitionArb, (def) => {
        const flow = definitionToFlow(def);
        const { nodes } = layout(flow.nodes, flow.edges);
        const byId = new Map(nodes.map((n) => [n.id, n]));
        const startY = centre(byId.get('start')).y;
        for (const node of nodes) expect(centre(node).y).toBeGreaterThanOrEqual(startY);
        for (const edge of flow.edges)
          expect(centre(byId.get(edge.target)).y).toBeGreaterThan(centre(byId.get(edge.source)).y);
      }),
      { numRuns: 100 },
    );
  });

  it('puts a condition’s Yes column left of its No column', () => {
    const flow = definitionToFlow(FIXTURES.branching);
    const { nodes } = layout(flow.nodes, flow.edges);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    expect(centre(byId.get('step:call1')).x).toBeLessThan(centre(byId.get('step:w1')).x);
  });

  it('does not overlap nodes', () => {
    const flow = definitionToFlow(FIXTURES.highVolumeOutbound);
    const { nodes } = layout(flow.nodes, flow.edges);
    for (const a of nodes)
      for (const b of nodes) {
        if (a === b) continue;
        const apart =
          a.position.x + (a.width ?? 0) <= b.position.x ||
          b.position.x + (b.width ?? 0) <= a.position.x ||
          a.position.y + (a.height ?? 0) <= b.position.y ||
          b.position.y + (b.height ?? 0) <= a.position.y;
        expect(apart, `${a.id} overlaps ${b.id}`).toBe(true);
      }
  });

  it('draws a branch that ends under its own last step, clear of the other branch (audit)', () => {
    const drawn = laidOut(FIXTURES.branchEnds);
    expectEndsUnderTheirSteps(drawn);
    const call = box(drawn.byId.get('step:phone-call-1') as DesignerNode);
    // The No branch (the wait and everything after it) stays right of the Yes branch's call and its end.
    for (const id of ['step:wait-1', 'step:automated-email-1', 'step:condition-2', 'step:task-1'])
      expect(box(drawn.byId.get(id) as DesignerNode).left, id).toBeGreaterThan(call.right);
  });

  it('draws every end under the step it follows, with nothing on the line to it', () => {
    fc.assert(
      fc.property(validDefinitionArb, (def) => expectEndsUnderTheirSteps(laidOut(def))),
      { numRuns: 100 },
    );
  }, 30_000);

  it('keeps a condition’s Yes branch left of its No branch all the way down, when the branches don’t join', () => {
    fc.assert(
      fc.property(validDefinitionArb, (def) => {
        const drawn = laidOut(def);
        const { flow, byId } = drawn;
        const into = new Map<string, number>();
        for (const edge of flow.edges) into.set(edge.target, (into.get(edge.target) ?? 0) + 1);
        fc.pre([...into.values()].every((n) => n === 1)); // a tree: no step is reached twice
        for (const condition of flow.nodes.filter((n) => n.type === 'condition')) {
          const [yes, no] = ['yes', 'no'].map((key) => {
            const edge = flow.edges.find((e) => e.source === condition.id && e.data?.link.key === key);
            return edge === undefined ? new Set<string>() : reachable(flow, edge.target);
          });
          for (const a of yes ?? [])
            for (const b of no ?? []) {
              const left = box(byId.get(a) as DesignerNode);
              const right = box(byId.get(b) as DesignerNode);
              if (left.bottom <= right.top || right.bottom <= left.top) continue; // not side by side
              expect(left.right, `${a} (Yes) left of ${b} (No)`).toBeLessThanOrEqual(right.left);
            }
        }
      }),
      { numRuns: 100 },
    );
  }, 30_000);

  it('still draws branches that lead to the same step as a join: the step once, below them all', () => {
    const { flow, byId } = laidOut(FIXTURES.highVolumeOutbound);
    const join = 'step:li_connect';
    const sources = flow.edges
      .filter((e) => e.target === join)
      .map((e) => box(byId.get(e.source) as DesignerNode));
    expect(sources.length).toBe(3);
    expect(flow.nodes.filter((n) => n.id === join)).toHaveLength(1);
    for (const source of sources)
      expect(box(byId.get(join) as DesignerNode).top).toBeGreaterThan(source.bottom);
  });

  it('lists the nodes in reading order: a Yes branch before its No branch, a join after both', () => {
    const { flow } = laidOut(FIXTURES.branchEnds);
    expect(flow.nodes.map((n) => n.id)).toEqual([
      'start',
      'step:email-1',
      'step:condition-1',
      'step:phone-call-1',
      'end:phone-call-1:next',
      'step:wait-1',
      'step:automated-email-1',
      'step:condition-2',
      'step:update-field-1',
      'end:update-field-1:next',
      'step:task-1',
      'end:task-1:next',
    ]);
    const joined = laidOut({
      ...FIXTURES.branchEnds,
      steps: FIXTURES.branchEnds.steps.map((s) => (s.id === 'phone-call-1' ? { ...s, next: 'task-1' } : s)),
    });
    const order = joined.flow.nodes.map((n) => n.id);
    expect(order.indexOf('step:task-1')).toBeGreaterThan(order.indexOf('step:update-field-1'));
    expect(order.indexOf('step:task-1')).toBeGreaterThan(order.indexOf('step:phone-call-1'));
  });
});
