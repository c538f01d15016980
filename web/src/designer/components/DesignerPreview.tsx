// A read-only, non-interactive drawing of a definition: the template gallery's preview. The whole flow is
// fitted into the box from the laid-out node sizes and the box's measured size, again whenever the box
// changes size (a dialog opening, a window resized), so it never depends on React Flow measuring first.
import type { SequenceDefinition } from '@domain/definition.js';
import {
  Background,
  getNodesBounds,
  getViewportForBounds,
  ReactFlow,
  ReactFlowProvider,
  type Viewport,
} from '@xyflow/react';
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import { definitionToFlow } from '../definition-to-flow.js';
import { DesignerProvider } from '../designer-context.js';
import { createDesignerStore } from '../designer-store.js';
import { layout } from '../layout.js';
import { EDGE_TYPES } from './LinkEdgeView.js';
import { NODE_TYPES } from './nodes.js';

const PADDING = 0.06;
const MIN_ZOOM = 0.1;
const MAX_ZOOM = 1;

export function DesignerPreview({ definition, label }: { definition: SequenceDefinition; label: string }) {
  const [store] = useState(() => createDesignerStore({ definition, readOnly: true }));
  const { nodes, edges } = useMemo(() => {
    const flow = definitionToFlow(definition);
    return layout(flow.nodes, flow.edges);
  }, [definition]);
  const box = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState<Viewport | null>(null);

  useLayoutEffect(() => {
    const element = box.current;
    if (element === null) return;
    const bounds = getNodesBounds(nodes);
    const fitToBox = () => {
      const { width, height } = element.getBoundingClientRect();
      if (width === 0 || height === 0) return; // not shown yet (a closed dialog): fit when it appears
      setViewport(getViewportForBounds(bounds, width, height, MIN_ZOOM, MAX_ZOOM, PADDING));
    };
    fitToBox();
    const observer = new ResizeObserver(fitToBox);
    observer.observe(element);
    return () => observer.disconnect();
  }, [nodes]);

  return (
    <DesignerProvider store={store} environment={{ sequenceId: null, entityType: 'lead' }}>
      <div className="preview-canvas" ref={box} role="img" aria-label={label}>
        {/* A picture, not a control: nothing inside takes focus or clicks. */}
        <section className="canvas" inert style={{ visibility: viewport === null ? 'hidden' : 'visible' }}>
          <ReactFlowProvider>
            <ReactFlow
              nodes={nodes}
              edges={edges}
              nodeTypes={NODE_TYPES}
              edgeTypes={EDGE_TYPES}
              viewport={viewport ?? { x: 0, y: 0, zoom: 1 }}
              minZoom={MIN_ZOOM}
              maxZoom={MAX_ZOOM}
              nodesDraggable={false}
              nodesConnectable={false}
              nodesFocusable={false}
              edgesFocusable={false}
              elementsSelectable={false}
              panOnDrag={false}
              panOnScroll={false}
              zoomOnScroll={false}
              zoomOnPinch={false}
              zoomOnDoubleClick={false}
              preventScrolling={false}
            >
              <Background gap={20} size={1} />
            </ReactFlow>
          </ReactFlowProvider>
        </section>
      </div>
    </DesignerProvider>
  );
}
