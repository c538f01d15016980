// Pause a record's run of a sequence, after saying what pausing does (POST /api/enrollments/{id}/pause).
import { ActionDialog } from '../ui/ActionDialog.js';

export function PauseEnrollmentDialog({
  sequenceName,
  onClose,
  onPause,
}: {
  sequenceName: string;
  onClose: () => void;
  onPause: () => Promise<void>;
}) {
  return (
    <ActionDialog
      title="Pause the sequence"
      description={sequenceName}
      actionLabel="Pause"
      busyLabel="Pausing…"
      onClose={onClose}
      onAct={onPause}
    >
      <p>No step of this sequence comes due for the record until you resume it.</p>
      <p className="muted">
        When it resumes, its waits and time limits shift by the time it was paused, so none is cut short.
      </p>
    </ActionDialog>
  );
}
