// A modal dialog on the native <dialog> element: focus moves in and back (also when the dialog is unmounted
// while open), Escape closes, the page behind is inert.
import { type ReactNode, useEffect, useId, useRef } from 'react';
import { Icon } from './Icon.js';

export interface DialogProps {
  title: string;
  open: boolean;
  onClose: () => void;
  children: ReactNode;
  /** Buttons at the bottom. */
  footer?: ReactNode;
  size?: 'small' | 'medium' | 'large';
  description?: string;
}

export function Dialog({
  title,
  open,
  onClose,
  children,
  footer,
  size = 'medium',
  description,
}: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null || !open) return;
    // What had focus before (the button that opened the dialog) gets it back when the dialog goes.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    return () => {
      if (dialog.open) dialog.close();
      // The browser gives focus back only when an open dialog is closed in the page; a host that stops
      // rendering the dialog (StepDialogHost) removes it from the page first, and focus fell to the body:
      // a keyboard user lost their place in the work list. Only focus that was lost: never taken from
      // what holds it now (another dialog, a field the page focused).
      const lost = document.activeElement === null || document.activeElement === document.body;
      if (lost && opener?.isConnected === true) opener.focus();
    };
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${size}`}
      aria-labelledby={titleId}
      aria-describedby={description === undefined ? undefined : descriptionId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {open && (
        <div className="dialog-frame">
          <header className="dialog-header">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="icon-button" onClick={onClose} aria-label="Close">
              <Icon name="close" />
            </button>
          </header>
          {description !== undefined && (
            <p id={descriptionId} className="dialog-description">
              {description}
            </p>
          )}
          <div className="dialog-body">{children}</div>
          {footer !== undefined && <footer className="dialog-footer">{footer}</footer>}
        </div>
      )}
    </dialog>
  );
}
