// Automatic top-to-bottom layout of a designer flow with dagre. Nodes are not draggable: the definition
// decides where everything goes, so the layout is a pure function of the flow.
import dagre from '@dagrejs/dagre';
import type { DesignerNode, DesignerNodeType, LinkEdge } from './flow-types.js';

export const NODE_SIZE: Record<DesignerNodeType, { width: number; height: number }> = {
  start: { width: 260, height: 44 },
  activity: { width: 264, height: 76 },
  wait: { width: 264, height: 56 },
  condition: { width: 264, height: 76 },
  command: { width: 264, height: 76 },
  end: { width: 28, height: 28 },
};

const RANK_GAP = 64; // room for the + button on each edge
const NODE_GAP = 48;

export function layout(nodes: DesignerNode[], edges: LinkEdge[]): DesignerNode[] {
  const graph = new dagre.graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'TB', ranksep: RANK_GAP, nodesep: NODE_GAP, marginx: 24, marginy: 24 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) graph.setNode(node.id, { ...NODE_SIZE[node.type] });
  // `yes` before `no` in insertion order keeps the Yes column on the left.
  for (const edge of edges) graph.setEdge(edge.source, edge.target, { minlen: 1, weight: 1 }, edge.id);
  // Yes on the left, No on the right, as Dynamics draws a condition.
  const constraints = conditionColumns(edges);
  dagre.layout(graph, { constraints });
  return nodes.map((node) => {
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
}

function conditionColumns(edges: LinkEdge[]): { left: string; right: string }[] {
  const yesTarget = new Map<string, string>();
  for (const edge of edges) if (edge.data?.link.key === 'yes') yesTarget.set(edge.source, edge.target);
  return edges.flatMap((edge) => {
    const left = yesTarget.get(edge.source);
    return edge.data?.link.key === 'no' && left !== undefined && left !== edge.target
      ? [{ left, right: edge.target }]
      : [];
  });
}
