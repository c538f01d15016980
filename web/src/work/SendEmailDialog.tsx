// Open the email of a manual email step: who it goes to (To: name and address), subject and body rendered
// from the step's template for the record, editable, then "Send email" (POST /api/enrollment-steps/{id}/send).
// An address on the suppression list is warned about before sending (the sender would drop the email).
import { useId, useState } from 'react';
import { useApi } from '../app/api-context.js';
import { EmailSuppressedNotice } from '../records/EmailSuppressed.js';
import { Dialog } from '../ui/Dialog.js';
import { ProblemAlert } from '../ui/ProblemAlert.js';
import { Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';
import { useSubmit } from '../ui/use-submit.js';
import type { ActionTarget } from './ActionTarget.js';
import type { StepAction } from './step-actions.js';

export function SendEmailDialog({
  target,
  onClose,
  onSubmit,
}: {
  target: ActionTarget;
  onClose: () => void;
  onSubmit: (action: StepAction) => Promise<void>;
}) {
  const api = useApi();
  const rendered = useResource(
    () =>
      target.templateId === null
        ? Promise.resolve({ subject: '', html: '', text: '' })
        : api.emailTemplates.preview(target.templateId, target.recordId, target.id),
    [api, target.templateId, target.recordId, target.id],
  );
  const record = useResource(() => api.records.get(target.recordId), [api, target.recordId]);
  const suppression = record.data?.emailSuppressed ?? null;
  // The record as read now, else as the work list had it.
  const address = record.data === undefined ? target.contact.email : (record.data.email ?? null);
  return (
    <Dialog
      title={`Email to ${target.recordName}`}
      description={target.stepTitle}
      open
      onClose={onClose}
      size="medium"
    >
      <p className="mail-to">
        <span className="mail-to-label">To:</span> {target.recordName}{' '}
        {address === null ? (
          <span className="muted">(this record has no email address)</span>
        ) : (
          <span className="mail-to-address">&lt;{address}&gt;</span>
        )}
      </p>
      {suppression !== null && <EmailSuppressedNotice suppression={suppression} sending />}
      {rendered.status === 'loading' ? (
        <Loading label="Rendering the email…" />
      ) : (
        <EmailForm
          key={rendered.status}
          subject={rendered.data?.subject ?? ''}
          body={rendered.data?.text ?? ''}
          renderError={rendered.status === 'error' ? rendered.error : null}
          onClose={onClose}
          // What the seller left as rendered is sent as the template, rendered again by the sender: only the
          // template's own URLs become (tracked) links, never one typed into a record (docs/mail.md). What
          // they edited is their own text, sent as written.
          onSend={(subject, body) =>
            onSubmit({
              type: 'send',
              ...(subject === (rendered.data?.subject ?? '').trim() && rendered.data !== undefined
                ? {}
                : { subject }),
              ...(body === (rendered.data?.text ?? '') && rendered.data !== undefined && body !== ''
                ? {}
                : { body }),
            })
          }
        />
      )}
    </Dialog>
  );
}

function EmailForm({
  subject: initialSubject,
  body: initialBody,
  renderError,
  onClose,
  onSend,
}: {
  subject: string;
  body: string;
  renderError: unknown;
  onClose: () => void;
  onSend: (subject: string, body: string) => Promise<void>;
}) {
  const [subject, setSubject] = useState(initialSubject);
  const [body, setBody] = useState(initialBody);
  const [tried, setTried] = useState(false);
  const subjectId = useId();
  const bodyId = useId();
  const { busy, error, run } = useSubmit(onClose);
  const noSubject = subject.trim() === '';
  return (
    <form
      className="form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setTried(true);
        if (noSubject) return;
        void run(() => onSend(subject.trim(), body));
      }}
    >
      {renderError !== null && (
        <div className="notice" role="status">
          The template could not be rendered for this record; write the email here. (
          {renderError instanceof Error ? renderError.message : 'unknown error'})
        </div>
      )}
      <ProblemAlert error={error} />
      <div className="field">
        <label htmlFor={subjectId} className="field-label">
          Subject
        </label>
        <input
          id={subjectId}
          value={subject}
          maxLength={1000}
          aria-invalid={tried && noSubject}
          aria-describedby={tried && noSubject ? `${subjectId}-err` : undefined}
          onChange={(e) => setSubject(e.target.value)}
        />
        {tried && noSubject && (
          <p id={`${subjectId}-err`} className="field-error">
            Write a subject.
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={bodyId} className="field-label">
          Message
        </label>
        <textarea id={bodyId} rows={12} value={body} onChange={(e) => setBody(e.target.value)} />
      </div>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Sending…' : 'Send email'}
        </button>
      </div>
    </form>
  );
}
