// "Do this, knowing what it does": a small dialog that says what an action does, with Cancel and the
// action's button, busy while it runs, the problem in words when it fails, closed when it worked
// (skip a step, mark an email as sent, pause a run).
import type { ReactNode } from 'react';
import { Dialog } from './Dialog.js';
import { ProblemAlert } from './ProblemAlert.js';
import { useSubmit } from './use-submit.js';

export function ActionDialog({
  title,
  description,
  actionLabel,
  busyLabel,
  onClose,
  onAct,
  children,
}: {
  title: string;
  description: string;
  actionLabel: string;
  busyLabel: string;
  onClose: () => void;
  onAct: () => Promise<void>;
  children: ReactNode;
}) {
  const { busy, error, run } = useSubmit(onClose);
  return (
    <Dialog
      title={title}
      description={description}
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
            onClick={() => void run(onAct)}
          >
            {busy ? busyLabel : actionLabel}
          </button>
        </>
      }
    >
      <ProblemAlert error={error} />
      {children}
    </Dialog>
  );
}
