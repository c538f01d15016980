// The flowchart: the definition drawn with React Flow and laid out by dagre. Nothing is dragged or wired by
// hand; steps are added with the + on an edge and edited in the side panel.
import {
  Background,
  Controls,
  getNodesBounds,
  ReactFlow,
  type ReactFlowInstance,
  ReactFlowProvider,
} from '@xyflow/react';
import { useMemo, useRef } from 'react';
import { definitionToFlow } from '../definition-to-flow.js';
import { useDesigner } from '../designer-context.js';
import type { DesignerNode, LinkEdge } from '../flow-types.js';
import { layout } from '../layout.js';
import { EDGE_TYPES } from './LinkEdgeView.js';
import { NODE_TYPES } from './nodes.js';

export function DesignerCanvas({ interactive = true, label }: { interactive?: boolean; label: string }) {
  const definition = useDesigner((s) => s.definition);
  const { nodes, edges } = useMemo(() => {
    const flow = definitionToFlow(definition);
    return { nodes: layout(flow.nodes, flow.edges), edges: flow.edges };
  }, [definition]);
  const container = useRef<HTMLElement>(null);
  // A long sequence is read from the top at a legible size, not shrunk to fit; previews fit whole.
  const showTop = (instance: ReactFlowInstance<DesignerNode, LinkEdge>) => {
    const width = container.current?.clientWidth ?? 0;
    if (width === 0) return;
    const bounds = getNodesBounds(nodes);
    const zoom = Math.min(1, Math.max(0.55, (width - 48) / bounds.width));
    void instance.setViewport({
      x: (width - bounds.width * zoom) / 2 - bounds.x * zoom,
      y: 16 - bounds.y * zoom,
      zoom,
    });
  };
  return (
    <section className="canvas" aria-label={label} ref={container}>
      <ReactFlowProvider>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={NODE_TYPES}
          edgeTypes={EDGE_TYPES}
          {...(interactive
            ? { onInit: showTop }
            : { fitView: true, fitViewOptions: { padding: 0.1, maxZoom: 1 } })}
          minZoom={0.2}
          maxZoom={1.5}
          nodesDraggable={false}
          nodesConnectable={false}
          nodesFocusable={false}
          edgesFocusable={false}
          elementsSelectable={false}
          panOnDrag={interactive}
          panOnScroll={interactive}
          zoomOnScroll={false}
          zoomOnPinch={interactive}
          zoomOnDoubleClick={false}
          preventScrolling={interactive}
        >
          <Background gap={20} size={1} />
          {interactive && <Controls showInteractive={false} position="bottom-left" />}
        </ReactFlow>
      </ReactFlowProvider>
    </section>
  );
}
