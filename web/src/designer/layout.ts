// Automatic top-to-bottom layout of a designer flow with dagre. Nodes are not draggable: the definition
// decides where everything goes, so the layout is a pure function of the flow.
import dagre from '@dagrejs/dagre';
import type { DesignerNode, DesignerNodeType, Flow, LinkEdge } from './flow-types.js';

export const NODE_SIZE: Record<DesignerNodeType, { width: number; height: number }> = {
  start: { width: 260, height: 44 },
  activity: { width: 264, height: 76 },
  wait: { width: 264, height: 56 },
  condition: { width: 264, height: 76 },
  command: { width: 264, height: 76 },
  end: { width: 56, height: 28 },
};

const RANK_GAP = 64; // room for the + button on each edge
const NODE_GAP = 48;
/** Horizontal distance between the lines (and their +) of links that join at one step. */
export const JOIN_SPREAD = 32;

/**
 * The nodes placed, in reading order: that is also their order in the page, so Tab goes through the flow
 * as it is read (each step after the + that leads to it, a Yes branch before its No branch). The edges get
 * their routes.
 */
export function layout(nodes: DesignerNode[], edges: LinkEdge[]): Flow {
  const ordered = readingOrder(nodes, edges);
  const graph = new dagre.graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'TB', ranksep: RANK_GAP, nodesep: NODE_GAP, marginx: 24, marginy: 24 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of ordered) graph.setNode(node.id, { ...NODE_SIZE[node.type] });
  // Edges go in as the definition lists them, `yes` before `no`.
  for (const edge of edges) graph.setEdge(edge.source, edge.target, { minlen: 1, weight: 1 }, edge.id);
  // Dagre's first ordering is a depth-first walk from the start along the edges in that order: every
  // branch's steps (and its end) stay in one column under it, Yes left of No, as Dynamics draws them.
  // Its crossing-reduction sweeps are off: on a tree they could only make that worse, and did (an end
  // moved under the other branch, its line drawn through that branch's join).
  dagre.layout(graph, { disableOptimalOrderHeuristic: true });
  const placedNodes = ordered.map((node) => {
    const placed = graph.node(node.id);
    const size = NODE_SIZE[node.type];
    // dagre places centres; React Flow positions top-left corners.
    return {
      ...node,
      position: { x: placed.x - size.width / 2, y: placed.y - size.height / 2 },
      width: size.width,
      height: size.height,
    };
  });
  const into = new Map<string, LinkEdge[]>();
  for (const edge of edges) into.set(edge.target, [...(into.get(edge.target) ?? []), edge]);
  const routed = edges.map((edge): LinkEdge => {
    if (edge.data === undefined) return edge;
    const joining = into.get(edge.target) ?? [edge];
    const entry = (joining.indexOf(edge) - (joining.length - 1) / 2) * JOIN_SPREAD;
    // dagre's points: where the line leaves the source, one per rank it passes, where it meets the target.
    const points = graph.edge({ v: edge.source, w: edge.target, name: edge.id })?.points ?? [];
    return { ...edge, data: { ...edge.data, route: { via: points.slice(1, -1), entry } } };
  });
  return { nodes: placedNodes, edges: routed };
}

/**
 * Start first, then each node once all the links into it have been read, following a Yes branch to its
 * end (or to where it joins) before its No branch. Nodes nothing leads to come last, in their given order.
 */
function readingOrder(nodes: DesignerNode[], edges: LinkEdge[]): DesignerNode[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const waiting = new Map<string, number>();
  const onward = new Map<string, string[]>();
  for (const edge of edges) {
    if (!byId.has(edge.source) || !byId.has(edge.target)) continue;
    waiting.set(edge.target, (waiting.get(edge.target) ?? 0) + 1);
    onward.set(edge.source, [...(onward.get(edge.source) ?? []), edge.target]);
  }
  const read: DesignerNode[] = [];
  const seen = new Set<string>();
  const stack = nodes.filter((node) => (waiting.get(node.id) ?? 0) === 0).map((node) => node.id);
  stack.reverse();
  while (stack.length > 0) {
    const id = stack.pop() as string;
    const node = byId.get(id);
    if (node === undefined || seen.has(id)) continue;
    seen.add(id);
    read.push(node);
    const ready = (onward.get(id) ?? []).filter((target) => {
      const left = (waiting.get(target) ?? 0) - 1;
      waiting.set(target, left);
      return left === 0;
    });
    stack.push(...ready.reverse());
  }
  // A cycle (a validation error) leaves nodes that never become ready.
  return [...read, ...nodes.filter((node) => !seen.has(node.id))];
}
