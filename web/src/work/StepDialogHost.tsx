// The one step dialog open at a time (complete, log call, skip, snooze, send email, mark an email as sent), shared by My work and
// a record's Up next so both act on a step the same way.
import type { ActionTarget } from './ActionTarget.js';
import { CompleteStepDialog } from './CompleteStepDialog.js';
import { MarkSentDialog } from './MarkSentDialog.js';
import { SendEmailDialog } from './SendEmailDialog.js';
import { SkipStepDialog } from './SkipStepDialog.js';
import { SnoozeDialog } from './SnoozeDialog.js';
import type { StepAction } from './step-actions.js';

export type StepDialogKind = 'complete' | 'skip' | 'snooze' | 'send' | 'mark-sent';

export interface OpenStepDialog {
  kind: StepDialogKind;
  target: ActionTarget;
}

export function StepDialogHost({
  dialog,
  now,
  zone,
  onClose,
  onSubmit,
}: {
  dialog: OpenStepDialog | null;
  now: number;
  zone: string;
  onClose: () => void;
  onSubmit: (target: ActionTarget, action: StepAction) => Promise<void>;
}) {
  if (dialog === null) return null;
  const props = {
    target: dialog.target,
    onClose,
    onSubmit: (action: StepAction) => onSubmit(dialog.target, action),
  };
  switch (dialog.kind) {
    case 'complete':
      return <CompleteStepDialog key={dialog.target.id} {...props} />;
    case 'skip':
      return <SkipStepDialog key={dialog.target.id} {...props} />;
    case 'snooze':
      return <SnoozeDialog key={dialog.target.id} {...props} now={now} zone={zone} />;
    case 'send':
      return <SendEmailDialog key={dialog.target.id} {...props} />;
    case 'mark-sent':
      return <MarkSentDialog key={dialog.target.id} {...props} />;
  }
}
