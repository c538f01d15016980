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
import { type FocusEvent, useEffect, useMemo, useRef } from 'react';
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
    return layout(flow.nodes, flow.edges);
  }, [definition]);
  const container = useRef<HTMLElement>(null);
  const flow = useRef<ReactFlowInstance<DesignerNode, LinkEdge> | null>(null);
  const stepErrors = useDesigner((s) => s.stepErrors);
  /** The flow's width fitted into the canvas (at a legible zoom) and centred; `y` from `top`. */
  const fitWidth = (
    instance: ReactFlowInstance<DesignerNode, LinkEdge>,
    top: (zoom: number, boundsY: number) => number,
  ) => {
    const width = container.current?.clientWidth ?? 0;
    if (width === 0) return;
    const bounds = getNodesBounds(nodes);
    const zoom = Math.min(1, Math.max(0.55, (width - 48) / bounds.width));
    void instance.setViewport({
      x: (width - bounds.width * zoom) / 2 - bounds.x * zoom,
      y: top(zoom, bounds.y),
      zoom,
    });
  };
  // A long sequence is read from the top at a legible size, not shrunk to fit; previews fit whole.
  const showTop = (instance: ReactFlowInstance<DesignerNode, LinkEdge>) => {
    flow.current = instance;
    fitWidth(instance, (zoom, boundsY) => 16 - boundsY * zoom);
  };
  // When the side panel opens or closes the canvas changes width: the flow is fitted into the new width
  // again (keeping its vertical position), or steps and their + would stay under the panel, out of reach
  // of a click.
  const fitted = useRef(fitWidth);
  fitted.current = fitWidth;
  useEffect(() => {
    const box = container.current;
    if (!interactive || box === null) return;
    let width = box.clientWidth;
    const observer = new ResizeObserver(() => {
      const instance = flow.current;
      if (box.clientWidth === width || instance === null) return;
      width = box.clientWidth;
      fitted.current(instance, () => instance.getViewport().y);
    });
    observer.observe(box);
    return () => observer.disconnect();
  }, [interactive]);
  /** Pans the canvas (it never scrolls) so that an element on it is in view, at the same zoom. */
  const reveal = (element: Element) => {
    const box = container.current;
    if (flow.current === null || box === null) return;
    // Focus may have scrolled React Flow's clipped wrapper natively; panning is the only way it moves.
    const wrapper = box.querySelector('.react-flow');
    if (wrapper !== null) wrapper.scrollTop = wrapper.scrollLeft = 0;
    const outer = box.getBoundingClientRect();
    const inner = element.getBoundingClientRect();
    const shift = (start: number, end: number, min: number, max: number) =>
      start < min ? min - start : end > max ? Math.max(max - end, min - start) : 0;
    const margin = 32;
    const dx = shift(inner.left, inner.right, outer.left + margin, outer.right - margin);
    const dy = shift(inner.top, inner.bottom, outer.top + margin, outer.bottom - margin);
    if (dx === 0 && dy === 0) return;
    const viewport = flow.current.getViewport();
    void flow.current.setViewport({ x: viewport.x + dx, y: viewport.y + dy, zoom: viewport.zoom });
  };
  // A keyboard user tabbing to a step or a + below the visible part sees where the focus went.
  const revealFocused = (event: FocusEvent<HTMLElement>) => {
    if (event.target.closest('.react-flow__viewport') !== null) reveal(event.target);
  };
  // When the server's problems arrive (a failed activation), the first step that has one comes into view;
  // not when a fix clears one, so editing never moves the canvas.
  const shownErrors = useRef(new Set<string>());
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the problems change, not on every edit
  useEffect(() => {
    const withErrors = new Set(Object.keys(stepErrors).filter((id) => (stepErrors[id]?.length ?? 0) > 0));
    const arrived = [...withErrors].some((id) => !shownErrors.current.has(id));
    shownErrors.current = withErrors;
    const first = definition.steps.find((step) => withErrors.has(step.id));
    if (!interactive || !arrived || first === undefined) return;
    const frame = requestAnimationFrame(() => {
      const node = container.current?.querySelector(`[data-id="${CSS.escape(`step:${first.id}`)}"]`);
      if (node !== null && node !== undefined) reveal(node);
    });
    return () => cancelAnimationFrame(frame);
  }, [stepErrors, interactive]);
  return (
    <section
      className="canvas"
      aria-label={label}
      ref={container}
      {...(interactive ? { onFocus: revealFocused } : {})}
    >
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
