// An edge of the flow: the line, a Yes/No label on a condition's branches, and the + that adds a step there.
import {
  BaseEdge,
  EdgeLabelRenderer,
  type EdgeProps,
  type EdgeTypes,
  getSmoothStepPath,
} from '@xyflow/react';
import { Icon } from '../../ui/Icon.js';
import { stepTitle } from '../describe-step.js';
import { useDesigner } from '../designer-context.js';
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
  const readOnly = useDesigner((s) => s.readOnly);
  const openPicker = useDesigner((s) => s.openPicker);
  const fromName = useDesigner((s) => {
    const from = data?.link.from;
    const step =
      from === null || from === undefined ? undefined : s.definition.steps.find((x) => x.id === from);
    return step === undefined ? undefined : stepTitle(step);
  });
  const [path] = getSmoothStepPath({
    sourceX,
    sourceY,
    targetX,
    targetY,
    sourcePosition,
    targetPosition,
    borderRadius: 10,
    offset: 16,
  });
  const link = data?.link;
  const branch = link?.key === 'yes' ? 'Yes' : link?.key === 'no' ? 'No' : undefined;
  const where =
    link === undefined || link.from === null
      ? 'at the start'
      : branch !== undefined
        ? `on the ${branch} branch of “${fromName}”`
        : `after “${fromName}”`;
  // The + sits just above the target: clear of a branch's Yes/No label and of a problem shown under the source.
  const plusY = targetY - 24;
  return (
    <>
      <BaseEdge path={path} {...(markerEnd === undefined ? {} : { markerEnd })} className="flow-edge" />
      <EdgeLabelRenderer>
        {branch !== undefined && (
          <span
            className={`flow-branch flow-branch-${link?.key}`}
            style={{ transform: `translate(-50%, 0) translate(${sourceX}px, ${sourceY + 8}px)` }}
          >
            {branch}
          </span>
        )}
        {!readOnly && link !== undefined && (
          <button
            type="button"
            className="flow-add nodrag nopan"
            style={{
              transform: `translate(-50%, -50%) translate(${targetX}px, ${plusY}px)`,
            }}
            onClick={() => openPicker(link)}
            aria-label={`Add a step ${where}`}
            title={`Add a step ${where}`}
          >
            <Icon name="plus" size={14} />
          </button>
        )}
      </EdgeLabelRenderer>
    </>
  );
}

export const EDGE_TYPES = { link: LinkEdgeView } satisfies EdgeTypes;
