// The + buttons that add a step on the links into a node, drawn just above it. They belong to the node they
// lead to, not to the edge, so that the page lists each + right before its step: Tab then follows the flow
// (React Flow puts all edge labels before all nodes in the page).
import { type ReactFlowState, useNodeId, useStore } from '@xyflow/react';
import { useCallback } from 'react';
import { shallow } from 'zustand/shallow';
import { Icon } from '../../ui/Icon.js';
import { stepTitle } from '../describe-step.js';
import { useDesigner } from '../designer-context.js';
import type { LinkEdge, LinkRef } from '../flow-types.js';
import { JOIN_SPREAD } from '../layout.js';

export function AddStepButtons() {
  const nodeId = useNodeId();
  const readOnly = useDesigner((s) => s.readOnly);
  const links = useStore(
    useCallback(
      (s: ReactFlowState) =>
        (s.edges as LinkEdge[]).filter((e) => e.target === nodeId).flatMap((e) => e.data?.link ?? []),
      [nodeId],
    ),
    shallow,
  );
  if (readOnly) return null;
  return (
    <>
      {links.map((link, i) => (
        <AddStepButton
          key={`${link.from ?? ''}:${link.key}`}
          link={link}
          offset={(i - (links.length - 1) / 2) * JOIN_SPREAD}
        />
      ))}
    </>
  );
}

function AddStepButton({ link, offset }: { link: LinkRef; offset: number }) {
  const openPicker = useDesigner((s) => s.openPicker);
  const fromName = useDesigner((s) => {
    const step = link.from === null ? undefined : s.definition.steps.find((x) => x.id === link.from);
    return step === undefined ? undefined : stepTitle(step);
  });
  const where =
    link.from === null
      ? 'at the start'
      : link.key === 'yes' || link.key === 'no'
        ? `on the ${link.key === 'yes' ? 'Yes' : 'No'} branch of “${fromName}”`
        : `after “${fromName}”`;
  return (
    <button
      type="button"
      className="flow-add nodrag nopan"
      // 24px above the node, on the line that comes in (links that join each have their own, see layout.ts):
      // clear of a Yes/No label and of a problem shown under the step before.
      style={{ left: `calc(50% + ${offset}px)`, top: -24, transform: 'translate(-50%, -50%)' }}
      onClick={() => openPicker(link)}
      aria-label={`Add a step ${where}`}
      title={`Add a step ${where}`}
    >
      <Icon name="plus" size={14} />
    </button>
  );
}
