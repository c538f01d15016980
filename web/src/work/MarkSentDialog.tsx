// "Mark as sent": the seller emailed the record from their own mail client, so the email step completes
// without Stepwise sending anything (POST /api/enrollment-steps/{id}/complete).
import { Dialog } from '../ui/Dialog.js';
import { ProblemAlert } from '../ui/ProblemAlert.js';
import type { ActionTarget } from './ActionTarget.js';
import type { StepAction } from './step-actions.js';
import { useSubmit } from './use-submit.js';

export function MarkSentDialog({
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
      title={`Mark as sent: ${target.stepTitle}`}
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
            onClick={() => void run(() => onSubmit({ type: 'mark-sent' }))}
          >
            {busy ? 'Saving…' : 'Mark as sent'}
          </button>
        </>
      }
    >
      <ProblemAlert error={error} />
      <p>
        This records the email as sent outside Stepwise, from your own mail client. Stepwise sends nothing and
        the sequence moves on.
      </p>
      <p className="muted">A condition that waits for a reply to this email waits for one as usual.</p>
    </Dialog>
  );
}
