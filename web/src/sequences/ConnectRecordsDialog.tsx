// "+ Connect records" on a sequence: find records of its type, pick some, connect them. A record already in
// a sequence is listed as such and can't be picked; the answer still says per record whether it was
// connected or why not (it joined a sequence meanwhile, another owner's...).
import { useId, useState } from 'react';
import type { ConnectAnswer, CrmRecord, Sequence } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { ENTITY_PLURALS } from '../records/record-types.js';
import { Dialog } from '../ui/Dialog.js';
import { Icon } from '../ui/Icon.js';
import { ErrorState, FormError, Loading } from '../ui/states.js';
import { useDebounced } from '../ui/use-debounced.js';
import { useResource } from '../ui/use-resource.js';

/** Up to this many connected records are listed one by one; more fold under a summary. */
const LISTED_SUCCESSES = 10;

export function ConnectRecordsDialog({
  open,
  sequence,
  onClose,
  onConnected,
}: {
  open: boolean;
  sequence: Sequence;
  onClose: (changed: boolean) => void;
  /** Records were connected: the page behind can show them while the result is still open. */
  onConnected?: () => void;
}) {
  const api = useApi();
  const [query, setQuery] = useState('');

  const [chosen, setChosen] = useState<Map<string, CrmRecord>>(new Map());
  const [result, setResult] = useState<ConnectAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const searchId = useId();
  const debounced = useDebounced(query);
  const records = useResource(
    () =>
      open
        ? api.records.list({ type: sequence.entityType, q: debounced, limit: 50 })
        : Promise.resolve({ items: [] as CrmRecord[] }),
    [api, open, sequence.entityType, debounced],
  );
  const plural = ENTITY_PLURALS[sequence.entityType].toLowerCase();
  const nameOf = (id: string) => chosen.get(id)?.name ?? id;

  const close = () => {
    const changed = result !== null && result.enrolled.length > 0;
    setResult(null);
    setChosen(new Map());
    setQuery('');
    setError(null);
    onClose(changed);
  };
  const toggle = (record: CrmRecord) =>
    setChosen((c) => {
      const next = new Map(c);
      if (next.has(record.id)) next.delete(record.id);
      else next.set(record.id, record);
      return next;
    });
  const connect = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api.enrollments.connect(sequence.id, [...chosen.keys()]);
      setResult(answer);
      if (answer.enrolled.length > 0) onConnected?.();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const items = records.data?.items ?? [];
  return (
    <Dialog
      title={result === null ? `Connect ${plural} to “${sequence.name}”` : 'Records connected'}
      open={open}
      onClose={close}
      footer={
        result === null ? (
          <>
            <span className="muted dialog-footer-note" aria-live="polite">
              {chosen.size} selected
            </span>
            <button type="button" className="button" onClick={close}>
              Cancel
            </button>
            <button
              type="button"
              className="button button-primary"
              disabled={chosen.size === 0 || busy || sequence.status === 'inactive'}
              onClick={connect}
            >
              {busy ? 'Connecting…' : `Connect ${chosen.size || ''}`.trim()}
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
            Connected {result.enrolled.length} of {result.enrolled.length + result.rejected.length} record
            {result.enrolled.length + result.rejected.length === 1 ? '' : 's'}.
          </p>
          {/* The refusals first, each with its reason; a long list of successes folds away. */}
          {result.rejected.length > 0 && (
            <ul className="result-list">
              {result.rejected.map((r) => (
                <li key={r.recordId} className="result-rejected">
                  <strong>{nameOf(r.recordId)}</strong>: {r.message}
                </li>
              ))}
            </ul>
          )}
          {result.enrolled.length > 0 && result.enrolled.length <= LISTED_SUCCESSES && (
            <ul className="result-list">
              {result.enrolled.map((r) => (
                <li key={r.recordId}>
                  <strong>{nameOf(r.recordId)}</strong>: connected
                </li>
              ))}
            </ul>
          )}
          {result.enrolled.length > LISTED_SUCCESSES && (
            <details>
              <summary>The {result.enrolled.length} records connected</summary>
              <ul className="result-list">
                {result.enrolled.map((r) => (
                  <li key={r.recordId}>{nameOf(r.recordId)}</li>
                ))}
              </ul>
            </details>
          )}
        </div>
      ) : (
        <div className="picker-records">
          {sequence.status === 'inactive' && (
            <p className="notice">Activate the sequence before connecting records to it.</p>
          )}
          <FormError error={error} />
          <div className="search-field">
            <Icon name="search" size={16} />
            <label htmlFor={searchId} className="visually-hidden">
              Search {plural}
            </label>
            <input
              id={searchId}
              type="search"
              value={query}
              placeholder={`Search ${plural} by name, email or company`}
              onChange={(e) => setQuery(e.target.value)}
            />
          </div>
          <div className="record-choices" aria-busy={records.status === 'loading'}>
            {records.status === 'loading' && records.data === undefined ? (
              <Loading label={`Loading ${plural}…`} />
            ) : records.status === 'error' ? (
              <ErrorState error={records.error} onRetry={records.reload} />
            ) : items.length === 0 ? (
              <p className="muted">No {plural} match.</p>
            ) : (
              <fieldset className="fieldset fieldset-plain">
                <legend className="visually-hidden">{ENTITY_PLURALS[sequence.entityType]} to connect</legend>
                {items.map((r) => {
                  // A record runs in one sequence at a time: one already in a sequence (this one or another)
                  // is shown as such and can't be picked, instead of being refused after Connect.
                  const running = r.currentSequence ?? null;
                  const hintId = `${searchId}-${r.id}`;
                  return (
                    <label
                      key={r.id}
                      className={`check check-block record-choice${running === null ? '' : ' record-choice-taken'}`}
                    >
                      <input
                        type="checkbox"
                        checked={running === null && chosen.has(r.id)}
                        disabled={running !== null}
                        aria-describedby={hintId}
                        onChange={() => toggle(r)}
                      />
                      <span>
                        <span className="check-title">{r.name}</span>
                        <span className="field-hint" id={hintId}>
                          {[r.company, r.email].filter(Boolean).join(' · ') || '—'}
                          {running !== null &&
                            (running.id === sequence.id
                              ? ' · Already in this sequence'
                              : ` · Already in “${running.name}”`)}
                        </span>
                      </span>
                    </label>
                  );
                })}
              </fieldset>
            )}
          </div>
        </div>
      )}
    </Dialog>
  );
}
