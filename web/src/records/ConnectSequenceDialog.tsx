// "Connect sequence": the active sequences of the record type; connecting reports the result per record.
import type { EntityType } from '@domain/definition.js';
import { useState } from 'react';
import type { ConnectAnswer, CrmRecord } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { days, steps } from '../sequences/sequence-labels.js';
import { Dialog } from '../ui/Dialog.js';
import { ErrorState, FormError, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';

/** Up to this many connected records are listed one by one; more fold under a summary. */
const LISTED_SUCCESSES = 10;

export function ConnectSequenceDialog({
  open,
  entityType,
  records,
  onClose,
}: {
  open: boolean;
  entityType: EntityType;
  records: CrmRecord[];
  onClose: (changed: boolean) => void;
}) {
  const api = useApi();
  const sequences = useResource(
    (signal) => (open ? api.sequences.all({ status: 'active' }, signal) : Promise.resolve([])),
    [api, open],
  );
  const [choice, setChoice] = useState('');
  const [result, setResult] = useState<ConnectAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const options = (sequences.data ?? []).filter((s) => s.entityType === entityType);
  const close = () => {
    const changed = result !== null;
    setResult(null);
    setChoice('');
    setError(null);
    onClose(changed);
  };
  const connect = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(
        await api.enrollments.connect(
          choice,
          records.map((r) => r.id),
        ),
      );
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const enrolledIds = new Set(result?.enrolled.map((x) => x.recordId) ?? []);
  const reasons = new Map(result?.rejected.map((x) => [x.recordId, x.message]) ?? []);
  const connected = records.filter((r) => enrolledIds.has(r.id));
  const refused = records.filter((r) => !enrolledIds.has(r.id));
  return (
    <Dialog
      title="Connect sequence"
      open={open}
      onClose={close}
      size="small"
      footer={
        result === null ? (
          <>
            <button type="button" className="button" onClick={close}>
              Cancel
            </button>
            <button
              type="button"
              className="button button-primary"
              disabled={choice === '' || busy}
              onClick={connect}
            >
              {busy ? 'Connecting…' : 'Connect'}
            </button>
          </>
        ) : (
          <button type="button" className="button button-primary" onClick={close}>
            Done
          </button>
        )
      }
    >
      {result !== null ? (
        <div role="status">
          <p>
            Connected {result.enrolled.length} of {records.length} record{records.length === 1 ? '' : 's'}.
          </p>
          {/* The refusals first, each with its reason; a long list of successes folds away. */}
          {refused.length > 0 && (
            <ul className="result-list">
              {refused.map((r) => (
                <li key={r.id} className="result-failed">
                  <strong>{r.name}</strong>: {reasons.get(r.id) ?? 'not connected'}
                </li>
              ))}
            </ul>
          )}
          {connected.length > 0 && connected.length <= LISTED_SUCCESSES && (
            <ul className="result-list">
              {connected.map((r) => (
                <li key={r.id} className="result-ok">
                  <strong>{r.name}</strong>: connected
                </li>
              ))}
            </ul>
          )}
          {connected.length > LISTED_SUCCESSES && (
            <details>
              <summary>The {connected.length} records connected</summary>
              <ul className="result-list">
                {connected.map((r) => (
                  <li key={r.id} className="result-ok">
                    {r.name}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
      ) : sequences.status === 'loading' ? (
        <Loading label="Loading sequences…" />
      ) : sequences.status === 'error' ? (
        <ErrorState error={sequences.error} onRetry={sequences.reload} />
      ) : options.length === 0 ? (
        <p>No active sequence is for this record type. Activate one first.</p>
      ) : (
        <fieldset className="fieldset">
          <legend>
            Connect {records.length} record{records.length === 1 ? '' : 's'} to
          </legend>
          <FormError error={error} />
          {options.map((s) => (
            <label key={s.id} className="check check-block">
              <input
                type="radio"
                name="connect-sequence"
                value={s.id}
                checked={choice === s.id}
                onChange={() => setChoice(s.id)}
              />
              <span>
                <span className="check-title">{s.name}</span>
                <span className="field-hint">
                  {steps(s.summary.stepCount)} · {days(s.summary.durationDays)}
                </span>
              </span>
            </label>
          ))}
        </fieldset>
      )}
    </Dialog>
  );
}
