// Skip a step, after saying what skipping does to a condition that tests it.
import { Dialog } from '../ui/Dialog.js';
import { ProblemAlert } from '../ui/ProblemAlert.js';
import type { ActionTarget } from './ActionTarget.js';
import type { StepAction } from './step-actions.js';
import { useSubmit } from './use-submit.js';

export function SkipStepDialog({
  target,
  onClose,
  onSubmit,
}: {
  target: ActionTarget;
  onClose: () => void;
  onSubmit: (action: StepAction) => Promise<void>;
}) {
  const { busy, error, run } = useSubmit(onClose);
  return (
    <Dialog
      title={`Skip: ${target.stepTitle}`}
      description={`For ${target.recordName}`}
      open
      onClose={onClose}
      size="small"
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="button button-primary"
            disabled={busy}
            onClick={() => void run(() => onSubmit({ type: 'skip' }))}
          >
            {busy ? 'Skipping…' : 'Skip step'}
          </button>
        </>
      }
    >
      <ProblemAlert error={error} />
      <p>The sequence moves on to the next step.</p>
      {(target.stepType === 'email' || target.stepType === 'phone_call') && (
        <p className="muted">
          A condition that tests this {target.stepType === 'email' ? 'email' : 'call'} takes its “No” branch.
        </p>
      )}
    </Dialog>
  );
}
