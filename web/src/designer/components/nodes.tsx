// The canvas' node components, one per node type of the flow union, registered once at module scope.
import { Handle, type NodeProps, type NodeTypes, Position } from '@xyflow/react';
import { Icon } from '../../ui/Icon.js';
import { stepCardText, stepTitle } from '../describe-step.js';
import { useDesigner } from '../designer-context.js';
import type {
  ActivityNode,
  CommandNode,
  ConditionNode,
  EndNode,
  StartNode,
  StepContent,
  WaitNode,
} from '../flow-types.js';
import { STEP_TYPE_LOOKS } from '../step-kinds.js';
import { AddStepButtons } from './AddStepButtons.js';

function StartNodeView(_: NodeProps<StartNode>) {
  const showOptions = useDesigner((s) => s.showOptions);
  return (
    <div className="flow-start">
      <Icon name="flag" size={16} />
      <span>Sequence starts here</span>
      <button type="button" className="link-button" onClick={showOptions}>
        Options
      </button>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

function StepCard({ step, branches }: { step: StepContent; branches?: boolean }) {
  const selected = useDesigner((s) => s.panel?.kind === 'step' && s.panel.stepId === step.id);
  const errors = useDesigner((s) => s.stepErrors[step.id]);
  const select = useDesigner((s) => s.select);
  const steps = useDesigner((s) => s.definition.steps);
  const nameOf = (id: string) => {
    const found = steps.find((s) => s.id === id);
    return found === undefined ? id : stepTitle(found);
  };
  const look = STEP_TYPE_LOOKS[step.type];
  const hasErrors = errors !== undefined && errors.length > 0;
  const text = stepCardText(step, nameOf, errors?.length ?? 0);
  return (
    <div
      className={`flow-step flow-step-${step.type}${selected ? ' selected' : ''}${hasErrors ? ' has-errors' : ''}`}
    >
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <AddStepButtons />
      {/* The name starts with the visible title, so what a speech-input user reads on the card is part of
          it (WCAG 2.5.3); spelled out because hidden words between the spans were announced after a gap. */}
      <button
        type="button"
        className="flow-step-button"
        onClick={() => select(step.id)}
        aria-pressed={selected}
        aria-label={text.label}
      >
        <span className="flow-step-icon" aria-hidden="true">
          <Icon name={look.icon} />
        </span>
        <span className="flow-step-text">
          {/* The space keeps the two lines apart in the visible text that checkers compare with the name.
              A long name is cut on the card: its tooltip has it whole (the button's name always does). */}
          <span className="flow-step-title" title={text.title}>
            {text.title}
          </span>{' '}
          {text.subtitle !== undefined && (
            <span className="flow-step-subtitle" title={text.subtitle}>
              {text.subtitle}
            </span>
          )}
        </span>
        {hasErrors && (
          <span className="flow-step-error" title={errors.map((e) => e.message).join('\n')}>
            <Icon name="warning" size={16} />
          </span>
        )}
      </button>
      {hasErrors && <p className="flow-step-error-text">{errors[0]?.message}</p>}
      {branches ? (
        <>
          <Handle
            id="yes"
            type="source"
            position={Position.Bottom}
            style={{ left: '30%' }}
            isConnectable={false}
          />
          <Handle
            id="no"
            type="source"
            position={Position.Bottom}
            style={{ left: '70%' }}
            isConnectable={false}
          />
        </>
      ) : (
        step.type !== 'advance_to_sequence' && (
          <Handle type="source" position={Position.Bottom} isConnectable={false} />
        )
      )}
    </div>
  );
}

function ActivityNodeView({ data }: NodeProps<ActivityNode>) {
  return <StepCard step={data.step} />;
}
function WaitNodeView({ data }: NodeProps<WaitNode>) {
  return <StepCard step={data.step} />;
}
function ConditionNodeView({ data }: NodeProps<ConditionNode>) {
  return <StepCard step={data.step} branches />;
}
function CommandNodeView({ data }: NodeProps<CommandNode>) {
  return <StepCard step={data.step} />;
}
function EndNodeView(_: NodeProps<EndNode>) {
  return (
    <div className="flow-end" title="The sequence ends here on this branch">
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <AddStepButtons />
      <span>End</span>
    </div>
  );
}

export const NODE_TYPES = {
  start: StartNodeView,
  activity: ActivityNodeView,
  wait: WaitNodeView,
  condition: ConditionNodeView,
  command: CommandNodeView,
  end: EndNodeView,
} satisfies NodeTypes;
