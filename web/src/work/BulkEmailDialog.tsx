// Bulk email: the same email step of the same sequence sent to several records in one go, each rendered
// from the template for its own record; one request per record, with progress and a result per record.
import { useState } from 'react';
import type { WorkItem } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { Dialog } from '../ui/Dialog.js';
import { problemText } from '../ui/problem-text.js';
import { ErrorState, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';
import { type BulkResult, sendEach } from './bulk-email.js';

export function BulkEmailDialog({
  items,
  templateId,
  onSent,
  onClose,
}: {
  items: WorkItem[];
  templateId: string | null;
  /** One record's email went out: the list drops it. */
  onSent: (id: string) => void;
  onClose: (sentAny: boolean) => void;
}) {
  const api = useApi();
  const [first] = items;
  const sample = useResource(
    () =>
      templateId === null || first === undefined
        ? Promise.resolve(null)
        : api.emailTemplates.preview(templateId, first.record.id),
    [api, templateId, first?.record.id],
  );
  const [results, setResults] = useState<Map<string, BulkResult>>(new Map());
  const [phase, setPhase] = useState<'ready' | 'sending' | 'done'>('ready');
  const done = results.size;
  const failed = [...results.values()].filter((r) => !r.ok).length;
  const send = async () => {
    setPhase('sending');
    await sendEach(
      items.map((i) => i.id),
      (id) => api.enrollmentSteps.send(id, {}),
      (result) => {
        setResults((r) => new Map(r).set(result.id, result));
        if (result.ok) onSent(result.id);
      },
    );
    setPhase('done');
  };
  const close = () => onClose(done - failed > 0);
  return (
    <Dialog
      title={`Send ${items.length} emails`}
      {...(first === undefined
        ? {}
        : { description: `${first.step.name ?? 'Email'} · ${first.sequence.name}` })}
      open
      onClose={phase === 'sending' ? () => undefined : close}
      size="medium"
      footer={
        phase === 'done' ? (
          <button type="button" className="button button-primary" onClick={close}>
            Done
          </button>
        ) : (
          <>
            <button type="button" className="button" onClick={close} disabled={phase === 'sending'}>
              Cancel
            </button>
            <button
              type="button"
              className="button button-primary"
              onClick={send}
              disabled={phase !== 'ready'}
            >
              {phase === 'sending' ? 'Sending…' : `Send ${items.length} emails`}
            </button>
          </>
        )
      }
    >
      {phase === 'ready' && (
        <>
          <p>Each email is rendered from the step’s template for its own record. The first one reads:</p>
          {sample.status === 'loading' && <Loading label="Rendering…" />}
          {sample.status === 'error' && <ErrorState error={sample.error} onRetry={sample.reload} />}
          {sample.status === 'ok' && sample.data === null && (
            <p className="muted">This step has no template.</p>
          )}
          {sample.status === 'ok' && sample.data !== null && (
            <div className="mail-preview">
              <p className="mail-subject">{sample.data.subject}</p>
              <pre className="mail-body bulk-sample">{sample.data.text}</pre>
            </div>
          )}
        </>
      )}
      {phase !== 'ready' && (
        <div className="bulk-progress">
          <label className="field">
            <span className="field-label">
              {phase === 'done'
                ? `Queued ${done - failed} of ${items.length} for the outbox${failed > 0 ? `; ${failed} failed` : ''}.`
                : `Queueing ${done} of ${items.length}…`}
            </span>
            <progress max={items.length} value={done} />
          </label>
        </div>
      )}
      <ul className="result-list bulk-results" aria-live="polite">
        {items.map((item) => {
          const result = results.get(item.id);
          return (
            <li
              key={item.id}
              className={result === undefined ? '' : result.ok ? 'result-ok' : 'result-failed'}
            >
              <strong>{item.record.name}</strong>
              {': '}
              {result === undefined
                ? phase === 'ready'
                  ? 'to send'
                  : 'waiting…'
                : result.ok
                  ? 'queued'
                  : problemText(result.error)}
            </li>
          );
        })}
      </ul>
    </Dialog>
  );
}
