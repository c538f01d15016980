// Mailboxes and limits: the SMTP accounts emails go out through, each with its daily cap and minimum
// spacing; verify checks the connection; replies and bounces may be read from the mailbox over IMAP. The
// password and the IMAP URL (which carries one) are write-only.
import { type FormEvent, useId, useState } from 'react';
import type { Mailbox, User } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { ConfirmDialog } from '../ui/ConfirmDialog.js';
import { Dialog } from '../ui/Dialog.js';
import { Empty, ErrorState, errorMessage, FormError, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';
import { MailboxFields, mailboxFieldKit } from './MailboxFields.js';
import {
  formFromMailbox,
  imapLabel,
  type MailboxForm,
  type MailboxFormErrors,
  mailboxBody,
  NEW_MAILBOX,
} from './mailbox-form.js';
import { NotAvailable } from './NotAvailable.js';
import { isRouteMissing } from './route-availability.js';
import { StatusMessage } from './StatusMessage.js';

export function MailboxesSettings() {
  const api = useApi();
  const mailboxes = useResource(() => api.mailboxes.list(), [api]);
  const users = useResource(() => api.users.list(), [api]);
  const [editing, setEditing] = useState<Mailbox | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Mailbox | null>(null);
  const [verifying, setVerifying] = useState<string | null>(null);
  const [checks, setChecks] = useState<Record<string, { ok: boolean; text: string }>>({});
  const [message, setMessage] = useState('');
  const [error, setError] = useState<unknown>(null);
  const userName = (id: string | null) =>
    id === null ? 'Everyone (installation default)' : (users.data?.find((u) => u.id === id)?.name ?? id);

  const verify = async (mailbox: Mailbox) => {
    setVerifying(mailbox.id);
    try {
      const answer = await api.mailboxes.verify(mailbox.id);
      const ok = answer.ok !== false;
      setChecks((c) => ({
        ...c,
        [mailbox.id]: {
          ok,
          text: ok
            ? 'Connection works'
            : (answer.error ?? answer.message ?? 'The server refused the connection'),
        },
      }));
    } catch (caught) {
      setChecks((c) => ({ ...c, [mailbox.id]: { ok: false, text: errorMessage(caught) } }));
    } finally {
      setVerifying(null);
    }
  };
  const remove = async (mailbox: Mailbox) => {
    setError(null);
    try {
      await api.mailboxes.remove(mailbox.id);
      setMessage(`Mailbox “${mailbox.name}” was deleted.`);
      mailboxes.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setDeleting(null);
    }
  };

  if (mailboxes.status === 'error' && isRouteMissing(mailboxes.error))
    return (
      <section aria-labelledby="mailboxes-title">
        <h2 id="mailboxes-title">Mailboxes and limits</h2>
        <NotAvailable what="mailbox settings" />
      </section>
    );
  return (
    <section aria-labelledby="mailboxes-title">
      <div className="section-header">
        <div>
          <h2 id="mailboxes-title">Mailboxes and limits</h2>
          <p className="muted">
            Automated emails leave through these SMTP accounts. Over a mailbox’s daily cap, emails wait for
            the next allowed time; they are never dropped.
          </p>
        </div>
        <button type="button" className="button button-primary" onClick={() => setEditing('new')}>
          + Add mailbox
        </button>
      </div>
      <StatusMessage message={message} onDismiss={() => setMessage('')} />
      <FormError error={error} />
      {mailboxes.status === 'loading' && mailboxes.data === undefined && (
        <Loading label="Loading mailboxes…" />
      )}
      {mailboxes.status === 'error' && <ErrorState error={mailboxes.error} onRetry={mailboxes.reload} />}
      {mailboxes.data !== undefined && mailboxes.data.length === 0 && (
        <Empty title="No mailboxes yet">
          Without one, automated emails use STEPWISE_SMTP_URL when it is set, and otherwise wait.
        </Empty>
      )}
      {mailboxes.data !== undefined && mailboxes.data.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Mailboxes</caption>
            <thead>
              <tr>
                <th scope="col">Mailbox</th>
                <th scope="col" className="hide-narrow">
                  Server
                </th>
                <th scope="col">Sent in 24 h</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {mailboxes.data.map((m) => {
                const check = checks[m.id];
                return (
                  <tr key={m.id}>
                    <td>
                      <span className="row-title-text">{m.name}</span>
                      <span className="row-sub">
                        {m.fromName ? `${m.fromName} <${m.fromAddress}>` : m.fromAddress}
                      </span>
                      <span className="row-sub">For {userName(m.userId)}</span>
                    </td>
                    <td className="hide-narrow">
                      {m.host}:{m.port}
                      <span className="row-sub">
                        {m.secure ? 'TLS' : 'STARTTLS or plain'} · {m.username ?? 'no user name'} ·{' '}
                        {m.hasPassword ? 'password stored' : 'no password'}
                      </span>
                      <span className="row-sub">
                        {m.imap ? `Replies read from ${imapLabel(m.imap)}` : 'Replies not read over IMAP'}
                      </span>
                    </td>
                    <td>
                      <span className="progress-cell">
                        <meter
                          min={0}
                          max={Math.max(1, m.dailyCap)}
                          value={m.sentLast24h}
                          high={m.dailyCap * 0.9}
                          aria-label={`${m.name}: ${m.sentLast24h} of ${m.dailyCap} sent in the last 24 hours`}
                        />
                        <span className="progress-text">
                          {m.sentLast24h} / {m.dailyCap}
                        </span>
                      </span>
                      <span className="row-sub">At least {m.minSpacingSeconds} s apart</span>
                    </td>
                    <td className="row-actions">
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => verify(m)}
                        disabled={verifying === m.id}
                        aria-label={`Verify ${m.name}`}
                      >
                        {verifying === m.id ? 'Verifying…' : 'Verify'}
                      </button>
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => setEditing(m)}
                        aria-label={`Edit ${m.name}`}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        className="button button-small button-danger"
                        onClick={() => setDeleting(m)}
                        aria-label={`Delete ${m.name}`}
                      >
                        Delete
                      </button>
                      <span className={`check-result ${check?.ok ? 'ok' : 'bad'}`} aria-live="polite">
                        {check?.text ?? ''}
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {editing !== null && (
        <MailboxDialog
          key={editing === 'new' ? 'new' : editing.id}
          mailbox={editing === 'new' ? null : editing}
          users={users.data ?? []}
          onClose={(saved) => {
            setEditing(null);
            if (saved !== null) {
              setMessage(`Mailbox “${saved.name}” was saved.`);
              mailboxes.reload();
            }
          }}
        />
      )}
      <ConfirmDialog
        subject={deleting}
        title={`Delete mailbox “${deleting?.name ?? ''}”?`}
        confirmLabel="Delete"
        onCancel={() => setDeleting(null)}
        onConfirm={remove}
      >
        <p>
          Emails waiting for this mailbox go out through the installation’s default mailbox instead, if there
          is one.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function MailboxDialog({
  mailbox,
  users,
  onClose,
}: {
  mailbox: Mailbox | null;
  users: User[];
  onClose: (saved: Mailbox | null) => void;
}) {
  const api = useApi();
  const [form, setForm] = useState<MailboxForm>(() =>
    mailbox === null ? NEW_MAILBOX : formFromMailbox(mailbox),
  );
  const [errors, setErrors] = useState<MailboxFormErrors>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const formId = useId();
  const set = <K extends keyof MailboxForm>(key: K, value: MailboxForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = mailboxBody(form, mailbox ?? undefined);
    if (!answer.ok) {
      setErrors(answer.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    setError(null);
    try {
      const saved =
        mailbox === null
          ? await api.mailboxes.create(answer.body)
          : await api.mailboxes.update(mailbox.id, answer.body);
      onClose(saved ?? { ...(mailbox as Mailbox), name: form.name });
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };
  const kit = mailboxFieldKit(form, setForm, (key) => errors[key]);
  const { field, text } = kit;
  return (
    <Dialog
      title={mailbox === null ? 'Add a mailbox' : `Edit “${mailbox.name}”`}
      open
      onClose={() => onClose(null)}
      footer={
        <>
          <button type="button" className="button" onClick={() => onClose(null)}>
            Cancel
          </button>
          <button type="submit" form={formId} className="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </>
      }
    >
      <form id={formId} className="form" onSubmit={submit} noValidate>
        <FormError error={error} />
        <div className="form-row">
          {field('name', 'Name', text('name', { required: true, placeholder: 'Sales outbound' }))}
          {field(
            'userId',
            'Used for',
            <select value={form.userId} onChange={(e) => set('userId', e.target.value)}>
              <option value="">Everyone (installation default)</option>
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>,
          )}
        </div>
        <MailboxFields
          form={form}
          setForm={setForm}
          mailbox={mailbox}
          kit={kit}
          capHint="A rolling 24-hour cap; 400 is a safe start."
        />
      </form>
    </Dialog>
  );
}
