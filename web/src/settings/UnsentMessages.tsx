// Emails in `send_unknown`: handed to the SMTP server, but the process stopped before it learned whether
// the server took them. Stepwise never re-sends these on its own; an administrator decides each one.
import { useState } from 'react';
import type { OutboxItem } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { ConfirmDialog } from '../ui/ConfirmDialog.js';
import { Dialog } from '../ui/Dialog.js';
import { Empty, ErrorState, FormError, Loading, ShowMore } from '../ui/states.js';
import { usePagedResource } from '../ui/use-paged-resource.js';
import { useResource } from '../ui/use-resource.js';
import { NotAvailable } from './NotAvailable.js';
import { isRouteMissing } from './route-availability.js';
import { StatusMessage } from './StatusMessage.js';
import { formatTime } from './WebhooksSettings.js';

type Decision = { item: OutboxItem; action: 'resend' | 'drop' };

export function UnsentMessages() {
  const api = useApi();
  const items = usePagedResource((cursor, signal) => api.outbox.list('send_unknown', cursor, signal), [api]);
  const [decision, setDecision] = useState<Decision | null>(null);
  const [viewing, setViewing] = useState<OutboxItem | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [error, setError] = useState<unknown>(null);

  const decide = async ({ item, action }: Decision) => {
    setBusy(true);
    setError(null);
    try {
      if (action === 'resend') await api.outbox.resend(item.id);
      else await api.outbox.drop(item.id);
      setMessage(
        action === 'resend'
          ? `“${item.subject}” to ${item.to} is queued to be sent again.`
          : `“${item.subject}” to ${item.to} was dropped; the sequence moves on.`,
      );
      items.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
      setDecision(null);
    }
  };

  if (items.status === 'error' && isRouteMissing(items.error))
    return (
      <section aria-labelledby="unsent-title">
        <h2 id="unsent-title">Unsent messages</h2>
        <NotAvailable what="the list of unconfirmed emails" />
      </section>
    );
  return (
    <section aria-labelledby="unsent-title">
      <div className="section-header">
        <div>
          <h2 id="unsent-title">Unsent messages</h2>
          <p className="muted">
            These emails were handed to the mail server, but Stepwise stopped before the server confirmed
            them. They may or may not have reached the recipient, so they are never re-sent automatically.
          </p>
        </div>
        <button type="button" className="button" onClick={items.reload} disabled={items.status === 'loading'}>
          Refresh
        </button>
      </div>
      <StatusMessage message={message} onDismiss={() => setMessage('')} />
      <FormError error={error} />
      {items.status === 'loading' && items.items === undefined && <Loading label="Loading messages…" />}
      {items.status === 'error' && <ErrorState error={items.error} onRetry={items.reload} />}
      {items.items !== undefined && items.items.length === 0 && (
        <Empty title="Nothing to decide">Every email handed to the mail server was confirmed.</Empty>
      )}
      {items.items !== undefined && items.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Emails whose sending is not confirmed</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col" className="hide-narrow">
                  Handed over
                </th>
                <th scope="col" className="hide-narrow">
                  Last error
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.items.map((item) => (
                <tr key={item.id}>
                  <td>
                    <span className="row-title-text">{item.subject || '(no subject)'}</span>
                    <span className="row-sub">To {item.to}</span>
                  </td>
                  <td className="hide-narrow">
                    {item.handedOverAt === null ? '—' : formatTime(item.handedOverAt)}
                  </td>
                  <td className="hide-narrow">{item.lastError ?? '—'}</td>
                  <td className="row-actions">
                    <button type="button" className="button button-small" onClick={() => setViewing(item)}>
                      Details
                      <span className="visually-hidden">
                        {' '}
                        of “{item.subject}” to {item.to}
                      </span>
                    </button>
                    <button
                      type="button"
                      className="button button-small"
                      onClick={() => setDecision({ item, action: 'resend' })}
                    >
                      Re-send
                      <span className="visually-hidden">
                        {' '}
                        “{item.subject}” to {item.to}
                      </span>
                    </button>
                    <button
                      type="button"
                      className="button button-small button-danger"
                      onClick={() => setDecision({ item, action: 'drop' })}
                    >
                      Drop
                      <span className="visually-hidden">
                        {' '}
                        “{item.subject}” to {item.to}
                      </span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <ShowMore list={items} />
        </div>
      )}
      <ConfirmDialog
        subject={decision}
        title={decision?.action === 'resend' ? 'Send this email again?' : 'Drop this email?'}
        confirmLabel={decision?.action === 'resend' ? 'Send again' : 'Drop'}
        tone={decision?.action === 'resend' ? 'primary' : 'danger'}
        busy={busy}
        onCancel={() => setDecision(null)}
        onConfirm={decide}
      >
        {decision !== null && (
          <>
            <p>
              <strong>{decision.item.subject || '(no subject)'}</strong> to {decision.item.to}
            </p>
            {decision.action === 'resend' ? (
              <p className="notice notice-error">
                The mail server may already have delivered it. Sending again can give the recipient the same
                email twice. Check the sent folder of the mailbox first if you can.
              </p>
            ) : (
              <p>
                The email is marked as not sent and the sequence carries on as if it had failed. If it did
                reach the recipient, nothing more happens.
              </p>
            )}
          </>
        )}
      </ConfirmDialog>
      {viewing !== null && (
        <OutboxDetails id={viewing.id} fallback={viewing} onClose={() => setViewing(null)} />
      )}
    </section>
  );
}

function OutboxDetails({ id, fallback, onClose }: { id: string; fallback: OutboxItem; onClose: () => void }) {
  const api = useApi();
  const item = useResource(() => api.outbox.get(id), [api, id]);
  const shown = item.data ?? fallback;
  const rows: [string, string][] = [
    ['To', shown.to],
    ['Subject', shown.subject || '(no subject)'],
    ['Status', shown.status],
    ['Created', formatTime(shown.createdAt)],
    ['Handed to the server', shown.handedOverAt === null ? '—' : formatTime(shown.handedOverAt)],
    ['Last error', shown.lastError ?? '—'],
    ['Mailbox', shown.mailboxId ?? 'Installation default'],
    ['Enrollment', shown.enrollmentId ?? '—'],
    ['Step', shown.stepId ?? '—'],
  ];
  return (
    <Dialog
      title="Email details"
      open
      onClose={onClose}
      footer={
        <button type="button" className="button button-primary" onClick={onClose}>
          Close
        </button>
      }
    >
      {item.status === 'loading' && <Loading label="Loading…" />}
      {item.status === 'error' && !isRouteMissing(item.error) && <ErrorState error={item.error} />}
      <dl className="details">
        {rows.map(([term, value]) => (
          <div key={term} className="details-row">
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}
