// An edge of the flow: the line and a Yes/No label on a condition's branches. The + that adds a step on the
// link is drawn by the node it leads to (AddStepButtons), so that it comes right before that step in Tab order.
import {
  BaseEdge,
  EdgeLabelRenderer,
  type EdgeProps,
  type EdgeTypes,
  getSmoothStepPath,
} from '@xyflow/react';
import { edgeCorners, edgePath } from '../edge-path.js';
import type { LinkEdge } from '../flow-types.js';

function LinkEdgeView({
  sourceX,
  sourceY,
  targetX,
  targetY,
  sourcePosition,
  targetPosition,
  data,
  markerEnd,
}: EdgeProps<LinkEdge>) {
  const route = data?.route;
  const path =
    route === undefined
      ? getSmoothStepPath({
          sourceX,
          sourceY,
          targetX,
          targetY,
          sourcePosition,
          targetPosition,
          borderRadius: 10,
          offset: 16,
        })[0]
      : edgePath(edgeCorners({ x: sourceX, y: sourceY }, { x: targetX, y: targetY }, route));
  const key = data?.link.key;
  const branch = key === 'yes' ? 'Yes' : key === 'no' ? 'No' : undefined;
  return (
    <>
      <BaseEdge path={path} {...(markerEnd === undefined ? {} : { markerEnd })} className="flow-edge" />
      {branch !== undefined && (
        <EdgeLabelRenderer>
          {/* The edge's own name says which branch it is. */}
          <span
            aria-hidden="true"
            className={`flow-branch flow-branch-${key}`}
            style={{ transform: `translate(-50%, 0) translate(${sourceX}px, ${sourceY + 8}px)` }}
          >
            {branch}
          </span>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const EDGE_TYPES = { link: LinkEdgeView } satisfies EdgeTypes;
