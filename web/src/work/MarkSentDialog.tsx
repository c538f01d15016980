// "Mark as sent": the seller emailed the record from their own mail client, so the email step completes
// without Stepwise sending anything (POST /api/enrollment-steps/{id}/complete).
import { ActionDialog } from '../ui/ActionDialog.js';
import type { ActionTarget } from './ActionTarget.js';
import type { StepAction } from './step-actions.js';

export function MarkSentDialog({
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
      title={`Mark as sent: ${target.stepTitle}`}
      description={`For ${target.recordName}`}
      actionLabel="Mark as sent"
      busyLabel="Saving…"
      onClose={onClose}
      onAct={() => onSubmit({ type: 'mark-sent' })}
    >
      <p>
        This records the email as sent outside Stepwise, from your own mail client. Stepwise sends nothing and
        the sequence moves on.
      </p>
      <p className="muted">A condition that waits for a reply to this email waits for one as usual.</p>
    </ActionDialog>
  );
}
