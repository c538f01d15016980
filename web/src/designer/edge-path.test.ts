import { describe, expect, it } from 'vitest';
import { definitionToFlow } from './definition-to-flow.js';
import { edgeCorners, edgePath } from './edge-path.js';
import { FIXTURES } from './fixtures/index.js';
import type { DesignerNode } from './flow-types.js';
import { layout } from './layout.js';

describe('edgeCorners', () => {
  it('goes straight down when the target is under the source', () => {
    expect(edgeCorners({ x: 10, y: 0 }, { x: 10, y: 64 }, { via: [{ x: 10, y: 32 }], entry: 0 })).toEqual([
      { x: 10, y: 0 },
      { x: 10, y: 64 },
    ]);
  });

  it('turns between the ranks, and comes into a join on its own line', () => {
    const corners = edgeCorners({ x: 0, y: 0 }, { x: 100, y: 64 }, { via: [{ x: 100, y: 32 }], entry: -32 });
    expect(corners).toEqual([
      { x: 0, y: 0 },
      { x: 0, y: 32 },
      { x: 100, y: 32 },
      { x: 68, y: 32 },
      { x: 68, y: 64 },
    ]);
    expect(edgePath(corners)).toMatch(/^M0,0 .* L68,64$/);
  });

  it('keeps a link that passes other ranks clear of every step but its own two (a join, drawn)', () => {
    const flow = definitionToFlow(FIXTURES.highVolumeOutbound);
    const laid = layout(flow.nodes, flow.edges);
    const byId = new Map(laid.nodes.map((n) => [n.id, n]));
    const handle = (node: DesignerNode, side: 'top' | 'bottom', key?: string) => ({
      x: node.position.x + (node.width ?? 0) * (key === 'yes' ? 0.3 : key === 'no' ? 0.7 : 0.5),
      y: node.position.y + (side === 'bottom' ? (node.height ?? 0) : 0),
    });
    for (const edge of laid.edges) {
      const source = byId.get(edge.source) as DesignerNode;
      const target = byId.get(edge.target) as DesignerNode;
      const route = edge.data?.route;
      if (route === undefined) throw new Error(`${edge.id} has no route`);
      const corners = edgeCorners(
        handle(source, 'bottom', edge.sourceHandle ?? undefined),
        handle(target, 'top'),
        route,
      );
      for (const node of laid.nodes) {
        if (node === source || node === target) continue;
        const left = node.position.x;
        const right = left + (node.width ?? 0);
        const top = node.position.y;
        const bottom = top + (node.height ?? 0);
        corners.slice(1).forEach((b, i) => {
          const a = corners[i] as { x: number; y: number };
          const crosses =
            Math.max(a.x, b.x) > left &&
            Math.min(a.x, b.x) < right &&
            Math.max(a.y, b.y) > top &&
            Math.min(a.y, b.y) < bottom;
          expect(crosses, `${edge.id} crosses ${node.id}`).toBe(false);
        });
      }
    }
  });
});
