// The marker of a record whose address is on the suppression list (GET /api/records/{id}
// `emailSuppressed`): emails to it are dropped, so the record page and the Send email dialog say so.
import type { EmailSuppression } from '../api/types.js';

const REASON_NAMES: Record<EmailSuppression['reason'], string> = {
  unsubscribed: 'Unsubscribed',
  bounced: 'Bounced',
  manual: 'On the do-not-email list',
};

export function emailSuppressedText(suppression: EmailSuppression): string {
  return `${REASON_NAMES[suppression.reason]}: emails to this address are not sent`;
}

/** A warning box; `sending` adds what happens to an email sent anyway. */
export function EmailSuppressedNotice({
  suppression,
  sending = false,
}: {
  suppression: EmailSuppression;
  sending?: boolean;
}) {
  return (
    <div className="notice notice-error" role={sending ? 'alert' : 'note'}>
      <p>
        <strong>{emailSuppressedText(suppression)}.</strong>
        {sending && ' Sent anyway, this email is not delivered and the step is marked skipped.'}
      </p>
    </div>
  );
}
