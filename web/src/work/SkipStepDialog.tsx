// Skip a step, after saying what skipping does to a condition that tests it.
import { ActionDialog } from '../ui/ActionDialog.js';
import type { ActionTarget } from './ActionTarget.js';
import type { StepAction } from './step-actions.js';

export function SkipStepDialog({
  target,
  onClose,
  onSubmit,
}: {
  target: ActionTarget;
  onClose: () => void;
  onSubmit: (action: StepAction) => Promise<void>;
}) {
  return (
    <ActionDialog
      title={`Skip: ${target.stepTitle}`}
      description={`For ${target.recordName}`}
      actionLabel="Skip step"
      busyLabel="Skipping…"
      onClose={onClose}
      onAct={() => onSubmit({ type: 'skip' })}
    >
      <p>The sequence moves on to the next step.</p>
      {(target.stepType === 'email' || target.stepType === 'phone_call') && (
        <p className="muted">
          A condition that tests this {target.stepType === 'email' ? 'email' : 'call'} takes its “No” branch.
        </p>
      )}
    </ActionDialog>
  );
}
