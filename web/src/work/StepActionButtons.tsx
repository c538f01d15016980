// The quick actions on a manual step, open or not yet open (a seller may work ahead): the main one for its type (Send email, Log call, Complete), for an
// email Mark as sent (sent from the seller's own mail client), then Skip and Snooze. Their accessible names are exactly these words; the card or widget around them is
// labelled with the record, so "the Send email button of Nancy Anderson" is findable.
import type { Step } from '@domain/definition.js';
import { Icon } from '../ui/Icon.js';
import type { StepDialogKind } from './StepDialogHost.js';

export function mainActionLabel(type: Step['type']): string {
  return type === 'email' ? 'Send email' : type === 'phone_call' ? 'Log call' : 'Complete';
}

export function StepActionButtons({
  type,
  disabled = false,
  snoozeLabel = 'Snooze',
  onOpen,
}: {
  type: Step['type'];
  disabled?: boolean;
  /** "Snooze again" on a step already snoozed. */
  snoozeLabel?: string;
  onOpen: (kind: StepDialogKind) => void;
}) {
  return (
    <div className="step-actions">
      <button
        type="button"
        className="button button-primary button-small"
        disabled={disabled}
        onClick={() => onOpen(type === 'email' ? 'send' : 'complete')}
      >
        <Icon name={type === 'email' ? 'mail' : type === 'phone_call' ? 'phone' : 'check'} size={16} />
        {mainActionLabel(type)}
      </button>
      {type === 'email' && (
        <button
          type="button"
          className="button button-small"
          disabled={disabled}
          onClick={() => onOpen('mark-sent')}
        >
          <Icon name="check" size={16} />
          Mark as sent
        </button>
      )}
      <button
        type="button"
        className="button button-small"
        disabled={disabled}
        onClick={() => onOpen('skip')}
      >
        Skip
      </button>
      <button
        type="button"
        className="button button-small"
        disabled={disabled}
        onClick={() => onOpen('snooze')}
      >
        <Icon name="clock" size={16} />
        {snoozeLabel}
      </button>
    </div>
  );
}
