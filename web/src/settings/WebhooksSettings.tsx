// Webhooks: endpoints that receive signed event notifications. The signing secret is shown once (on create
// and on rotate); deliveries list each attempt and can be sent again.
import { type FormEvent, useId, useRef, useState } from 'react';
import type { WebhookDelivery, WebhookEndpoint } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { ConfirmDialog } from '../ui/ConfirmDialog.js';
import { Dialog } from '../ui/Dialog.js';
import { Empty, ErrorState, errorMessage, FormError, Loading, ShowMore } from '../ui/states.js';
import { usePagedResource } from '../ui/use-paged-resource.js';
import { useResource } from '../ui/use-resource.js';
import { NotAvailable } from './NotAvailable.js';
import { isRouteMissing } from './route-availability.js';
import { StatusMessage } from './StatusMessage.js';
import {
  eventChoices,
  formFromWebhook,
  NEW_WEBHOOK,
  toggleEvent,
  WEBHOOK_EVENT_GROUPS,
  type WebhookForm,
  webhookBody,
  webhookChange,
} from './webhook-form.js';

export function WebhooksSettings() {
  const api = useApi();
  const webhooks = useResource(() => api.webhooks.list(), [api]);
  const [editing, setEditing] = useState<WebhookEndpoint | 'new' | null>(null);
  const [deleting, setDeleting] = useState<WebhookEndpoint | null>(null);
  const [rotating, setRotating] = useState<WebhookEndpoint | null>(null);
  const [deliveriesOf, setDeliveriesOf] = useState<WebhookEndpoint | null>(null);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [message, setMessage] = useState('');
  const [error, setError] = useState<unknown>(null);

  const remove = async (endpoint: WebhookEndpoint) => {
    setError(null);
    try {
      await api.webhooks.remove(endpoint.id);
      setMessage(`The webhook to ${endpoint.url} was deleted.`);
      webhooks.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setDeleting(null);
    }
  };
  const rotate = async (endpoint: WebhookEndpoint) => {
    setError(null);
    try {
      const answer = await api.webhooks.rotateSecret(endpoint.id);
      if (answer.secret !== undefined) setSecret({ url: endpoint.url, secret: answer.secret });
      else setMessage('The secret was rotated.');
    } catch (caught) {
      setError(caught);
    } finally {
      setRotating(null);
    }
  };

  if (webhooks.status === 'error' && isRouteMissing(webhooks.error))
    return (
      <section aria-labelledby="webhooks-title">
        <h2 id="webhooks-title">Webhooks</h2>
        <NotAvailable what="webhooks" />
      </section>
    );
  return (
    <section aria-labelledby="webhooks-title">
      <div className="section-header">
        <div>
          <h2 id="webhooks-title">Webhooks</h2>
          <p className="muted">
            Stepwise POSTs each chosen event to these addresses, signed with a <code>Stepwise-Signature</code>{' '}
            header, and retries failures with backoff for 24 hours.
          </p>
        </div>
        <button type="button" className="button button-primary" onClick={() => setEditing('new')}>
          + Add webhook
        </button>
      </div>
      <StatusMessage message={message} onDismiss={() => setMessage('')} />
      <FormError error={error} />
      {webhooks.status === 'loading' && webhooks.data === undefined && <Loading label="Loading webhooks…" />}
      {webhooks.status === 'error' && <ErrorState error={webhooks.error} onRetry={webhooks.reload} />}
      {webhooks.data !== undefined && webhooks.data.length === 0 && (
        <Empty title="No webhooks yet">
          Add one to tell another system when records start, finish or reply.
        </Empty>
      )}
      {webhooks.data !== undefined && webhooks.data.length > 0 && (
        <ul className="webhook-list">
          {webhooks.data.map((w) => (
            <li key={w.id} className="card webhook-card">
              <div className="webhook-head">
                <div className="webhook-text">
                  <span className="row-title-text webhook-url">{w.url}</span>
                  {w.description && <span className="row-sub">{w.description}</span>}
                </div>
                <span className={`badge ${w.active ? 'badge-active' : ''}`}>
                  {w.active ? 'Active' : 'Paused'}
                </span>
              </div>
              <ul className="chips" aria-label="Events">
                {w.events.map((e) => (
                  <li key={e} className="tag">
                    {e}
                  </li>
                ))}
              </ul>
              <div className="row-actions">
                <button type="button" className="button button-small" onClick={() => setDeliveriesOf(w)}>
                  Deliveries<span className="visually-hidden"> to {w.url}</span>
                </button>
                <button type="button" className="button button-small" onClick={() => setEditing(w)}>
                  Edit<span className="visually-hidden"> {w.url}</span>
                </button>
                <button type="button" className="button button-small" onClick={() => setRotating(w)}>
                  Rotate secret<span className="visually-hidden"> of {w.url}</span>
                </button>
                <button
                  type="button"
                  className="button button-small button-danger"
                  onClick={() => setDeleting(w)}
                >
                  Delete<span className="visually-hidden"> {w.url}</span>
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {editing !== null && (
        <WebhookDialog
          key={editing === 'new' ? 'new' : editing.id}
          endpoint={editing === 'new' ? null : editing}
          onClose={(saved) => {
            setEditing(null);
            if (saved === null) return;
            webhooks.reload();
            if (saved.secret !== undefined) setSecret({ url: saved.url, secret: saved.secret });
            else setMessage(`The webhook to ${saved.url} was saved.`);
          }}
        />
      )}
      <Dialog
        title="Signing secret"
        open={secret !== null}
        onClose={() => setSecret(null)}
        size="small"
        footer={
          <button type="button" className="button button-primary" onClick={() => setSecret(null)}>
            I have copied it
          </button>
        }
      >
        {secret !== null && <SecretBox url={secret.url} secret={secret.secret} />}
      </Dialog>
      <ConfirmDialog
        subject={rotating}
        title="Rotate the signing secret?"
        confirmLabel="Rotate"
        onCancel={() => setRotating(null)}
        onConfirm={rotate}
      >
        <p>
          Deliveries to {rotating?.url} are signed with a new secret from now on. Update the receiving system
          right away, or it will reject them.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        subject={deleting}
        title="Delete this webhook?"
        confirmLabel="Delete"
        onCancel={() => setDeleting(null)}
        onConfirm={remove}
      >
        <p>{deleting?.url} receives no more events; deliveries not yet made are cancelled.</p>
      </ConfirmDialog>
      {deliveriesOf !== null && (
        <DeliveriesDialog endpoint={deliveriesOf} onClose={() => setDeliveriesOf(null)} />
      )}
    </section>
  );
}

/** The secret in a read-only box with a Copy button; it is not shown again. */
function SecretBox({ url, secret }: { url: string; secret: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const id = useId();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      input.current?.select(); // no clipboard access (plain http): selected for Ctrl+C
      setCopied('no');
    }
  };
  return (
    <div className="secret-box">
      <p>
        The secret for <strong className="webhook-url">{url}</strong> is shown only now. Store it where the
        receiving system can check signatures.
      </p>
      <label className="field" htmlFor={id}>
        <span className="field-label">Signing secret</span>
      </label>
      <div className="secret-row">
        <input
          id={id}
          ref={input}
          readOnly
          value={secret}
          className="secret-value"
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p className="field-hint" aria-live="polite">
        {copied === 'yes'
          ? 'Copied to the clipboard.'
          : copied === 'no'
            ? 'Selected: press Ctrl+C to copy.'
            : ''}
      </p>
    </div>
  );
}

function WebhookDialog({
  endpoint,
  onClose,
}: {
  endpoint: WebhookEndpoint | null;
  onClose: (saved: WebhookEndpoint | null) => void;
}) {
  const api = useApi();
  const [form, setForm] = useState<WebhookForm>(() =>
    endpoint === null ? NEW_WEBHOOK : formFromWebhook(endpoint),
  );
  const [errors, setErrors] = useState<Partial<Record<'url' | 'events', string>>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const formId = useId();
  const known = new Set(WEBHOOK_EVENT_GROUPS.flatMap((g) => g.events.map((e) => e.type)));
  const extra = eventChoices(form.events).filter((e) => !known.has(e));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = webhookBody(form);
    if (!answer.ok) {
      setErrors(answer.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    setError(null);
    try {
      onClose(
        endpoint === null
          ? await api.webhooks.create(answer.body)
          : await api.webhooks.update(endpoint.id, webhookChange(endpoint, answer.body)),
      );
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };
  const checkbox = (type: string, label: string) => (
    <label key={type} className="check">
      <input
        type="checkbox"
        checked={form.events.includes(type)}
        onChange={() => setForm((f) => ({ ...f, events: toggleEvent(f.events, type) }))}
      />
      <span>
        <span className="check-title">{label}</span>
        <code className="field-hint">{type}</code>
      </span>
    </label>
  );
  return (
    <Dialog
      title={endpoint === null ? 'Add a webhook' : 'Edit the webhook'}
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
        <label className="field">
          <span className="field-label">Address (URL)</span>
          <input
            type="url"
            value={form.url}
            placeholder="https://example.com/hooks/stepwise"
            aria-invalid={errors.url !== undefined}
            onChange={(e) => setForm((f) => ({ ...f, url: e.target.value }))}
          />
          {errors.url !== undefined && <span className="field-error">{errors.url}</span>}
        </label>
        <label className="field">
          <span className="field-label">Description</span>
          <input
            value={form.description}
            onChange={(e) => setForm((f) => ({ ...f, description: e.target.value }))}
          />
        </label>
        <fieldset className="fieldset" aria-invalid={errors.events !== undefined}>
          <legend>Events</legend>
          {errors.events !== undefined && <p className="field-error">{errors.events}</p>}
          <div className="event-groups">
            {WEBHOOK_EVENT_GROUPS.map((group) => (
              <fieldset key={group.title} className="fieldset fieldset-plain">
                <legend>{group.title}</legend>
                {group.events.map((e) => checkbox(e.type, e.label))}
              </fieldset>
            ))}
            {extra.length > 0 && (
              <fieldset className="fieldset fieldset-plain">
                <legend>Other</legend>
                {extra.map((e) => checkbox(e, e))}
              </fieldset>
            )}
          </div>
        </fieldset>
        <label className="check">
          <input
            type="checkbox"
            checked={form.active}
            onChange={(e) => setForm((f) => ({ ...f, active: e.target.checked }))}
          />
          <span className="check-title">Active: send events to this address</span>
        </label>
      </form>
    </Dialog>
  );
}

const DELIVERY_STATUS_BADGES: Record<string, string> = {
  delivered: 'badge-active',
  succeeded: 'badge-active',
  failed: 'badge-failed',
  pending: 'badge-revision',
  retrying: 'badge-revision',
};

function DeliveriesDialog({ endpoint, onClose }: { endpoint: WebhookEndpoint; onClose: () => void }) {
  const api = useApi();
  const deliveries = usePagedResource(
    (cursor, signal) => api.webhooks.deliveries(endpoint.id, cursor, signal),
    [api, endpoint.id],
  );
  const [resending, setResending] = useState<string | null>(null);
  const [results, setResults] = useState<Record<string, string>>({});
  const resend = async (delivery: WebhookDelivery) => {
    setResending(delivery.id);
    try {
      await api.webhooks.resend(delivery.id);
      setResults((r) => ({ ...r, [delivery.id]: 'Queued to send again.' }));
      deliveries.reload();
    } catch (caught) {
      setResults((r) => ({ ...r, [delivery.id]: errorMessage(caught) }));
    } finally {
      setResending(null);
    }
  };
  return (
    <Dialog
      title="Deliveries"
      description={endpoint.url}
      open
      onClose={onClose}
      size="large"
      footer={
        <>
          <button type="button" className="button" onClick={deliveries.reload}>
            Refresh
          </button>
          <button type="button" className="button button-primary" onClick={onClose}>
            Close
          </button>
        </>
      }
    >
      {deliveries.status === 'loading' && deliveries.items === undefined && (
        <Loading label="Loading deliveries…" />
      )}
      {deliveries.status === 'error' &&
        (isRouteMissing(deliveries.error) ? (
          <NotAvailable what="webhook deliveries" />
        ) : (
          <ErrorState error={deliveries.error} onRetry={deliveries.reload} />
        ))}
      {deliveries.items !== undefined && deliveries.items.length === 0 && (
        <Empty title="Nothing delivered yet">
          Deliveries appear here when one of the chosen events happens.
        </Empty>
      )}
      {deliveries.items !== undefined && deliveries.items.length > 0 && (
        <ul className="delivery-list">
          {deliveries.items.map((d) => {
            const last = d.attempts.at(-1);
            return (
              <li key={d.id} className="delivery">
                <div className="delivery-head">
                  <code>{d.eventType}</code>
                  <span className={`badge ${DELIVERY_STATUS_BADGES[d.status] ?? ''}`}>{d.status}</span>
                  <span className="muted">{formatTime(d.createdAt)}</span>
                  <button
                    type="button"
                    className="button button-small delivery-resend"
                    onClick={() => resend(d)}
                    disabled={resending === d.id}
                  >
                    {resending === d.id ? 'Sending…' : 'Re-send'}
                    <span className="visually-hidden">
                      {' '}
                      {d.eventType} of {formatTime(d.createdAt)}
                    </span>
                  </button>
                </div>
                <p className="muted delivery-summary">
                  {d.attempts.length} attempt{d.attempts.length === 1 ? '' : 's'}
                  {last !== undefined &&
                    ` · last: ${last.statusCode ?? 'no answer'}${last.error ? ` (${last.error})` : ''}`}
                  {d.deliveredAt !== null && ` · delivered ${formatTime(d.deliveredAt)}`}
                  {d.nextAttemptAt !== null && ` · next try ${formatTime(d.nextAttemptAt)}`}
                </p>
                {results[d.id] !== undefined && (
                  <p className="field-hint" role="status">
                    {results[d.id]}
                  </p>
                )}
                <details>
                  <summary>Attempts and payload</summary>
                  {d.attempts.length > 0 && (
                    <div className="table-wrap">
                      <table className="table">
                        <caption className="visually-hidden">Attempts</caption>
                        <thead>
                          <tr>
                            <th scope="col">When</th>
                            <th scope="col">Status code</th>
                            <th scope="col">Time</th>
                            <th scope="col">Error</th>
                          </tr>
                        </thead>
                        <tbody>
                          {d.attempts.map((a) => (
                            <tr key={a.at}>
                              <td>{formatTime(a.at)}</td>
                              <td>{a.statusCode ?? '—'}</td>
                              <td>{a.durationMs === null ? '—' : `${a.durationMs} ms`}</td>
                              <td>{a.error ?? '—'}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  )}
                  <pre className="payload">{JSON.stringify(d.payload, null, 2)}</pre>
                </details>
              </li>
            );
          })}
        </ul>
      )}
      {deliveries.items !== undefined && <ShowMore list={deliveries} />}
    </Dialog>
  );
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
