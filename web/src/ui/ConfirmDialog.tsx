// "Do this to that?": a small dialog about one subject (a token, a webhook, a mailbox, a user, an email),
// open while there is a subject, with Cancel and the action's button.
import type { ReactNode } from 'react';
import { Dialog } from './Dialog.js';

export function ConfirmDialog<T>({
  subject,
  title,
  confirmLabel,
  tone = 'danger',
  busy = false,
  onCancel,
  onConfirm,
  children,
}: {
  /** What the action is about; the dialog is open while it is not null. */
  subject: T | null;
  title: string;
  confirmLabel: string;
  /** The action button's look: `danger` for what can't be undone, `primary` otherwise. */
  tone?: 'danger' | 'primary';
  busy?: boolean;
  onCancel: () => void;
  onConfirm: (subject: T) => void;
  children: ReactNode;
}) {
  return (
    <Dialog
      title={title}
      open={subject !== null}
      onClose={onCancel}
      size="small"
      footer={
        <>
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button
            type="button"
            className={`button button-${tone}`}
            disabled={busy}
            onClick={() => subject !== null && onConfirm(subject)}
          >
            {confirmLabel}
          </button>
        </>
      }
    >
      {children}
    </Dialog>
  );
}
