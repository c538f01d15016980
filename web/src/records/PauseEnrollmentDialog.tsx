// Pause a record's run of a sequence, after saying what pausing does (POST /api/enrollments/{id}/pause).
import { Dialog } from '../ui/Dialog.js';
import { ProblemAlert } from '../ui/ProblemAlert.js';
import { useSubmit } from '../work/use-submit.js';

export function PauseEnrollmentDialog({
  sequenceName,
  onClose,
  onPause,
}: {
  sequenceName: string;
  onClose: () => void;
  onPause: () => Promise<void>;
}) {
  const { busy, error, run } = useSubmit(onClose);
  return (
    <Dialog
      title="Pause the sequence"
      description={sequenceName}
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
            onClick={() => void run(onPause)}
          >
            {busy ? 'Pausing…' : 'Pause'}
          </button>
        </>
      }
    >
      <ProblemAlert error={error} />
      <p>No step of this sequence comes due for the record until you resume it.</p>
      <p className="muted">
        When it resumes, its waits and time limits shift by the time it was paused, so none is cut short.
      </p>
    </Dialog>
  );
}
