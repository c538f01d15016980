import { validDefinitionArb } from '@domain/test-support/arbitraries.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { definitionToFlow } from './definition-to-flow.js';
import { FIXTURES } from './fixtures/index.js';
import type { DesignerNode } from './flow-types.js';
import { layout } from './layout.js';

function centre(node: DesignerNode | undefined) {
  if (node === undefined) throw new Error('node missing');
  return { x: node.position.x + (node.width ?? 0) / 2, y: node.position.y + (node.height ?? 0) / 2 };
}

describe('layout', () => {
  it('puts the start on top and every link pointing down', () => {
    fc.assert(
      fc.property(validDefinitionArb, (def) => {
        const flow = definitionToFlow(def);
        const nodes = layout(flow.nodes, flow.edges);
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
    const nodes = layout(flow.nodes, flow.edges);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    expect(centre(byId.get('step:call1')).x).toBeLessThan(centre(byId.get('step:w1')).x);
  });

  it('does not overlap nodes', () => {
    const flow = definitionToFlow(FIXTURES.highVolumeOutbound);
    const nodes = layout(flow.nodes, flow.edges);
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
});
