// Connected records: who is on the sequence, whose they are, how far, on which version; find one by name or
// email and order them (kept in the address with the status: connected-records-view.ts); select some and
// disconnect them, or connect more (the result is shown per record both ways).
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import type { ConnectedRecord, DisconnectAnswer, Page, Sequence } from '../api/types.js';
import { useApi, useSession } from '../app/api-context.js';
import { useAddressParams } from '../app/use-address-params';
import { ownerName } from '../records/owner-name.js';
import { ENTITY_PATHS } from '../records/record-types.js';
import { Dialog } from '../ui/Dialog.js';
import { Icon } from '../ui/Icon.js';
import { Empty, ErrorState, FormError, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';
import { ConnectRecordsDialog } from './ConnectRecordsDialog.js';
import {
  CONNECTED_SORTS,
  CONNECTED_STATUS_FILTERS,
  type ConnectedView,
  connectedEmptyState,
  connectedRecordsQuery,
  connectedViewOf,
  MAX_SEARCH_LENGTH,
  withConnectedView,
} from './connected-records-view.js';
import { currentStepText } from './current-step.js';
import { progressOf } from './enrollment-progress.js';
import { END_REASON_NAMES, ENROLLMENT_STATUS_NAMES } from './stats-data.js';

const PAGE_SIZE = 50;

export function ConnectedRecords({ sequence, onChanged }: { sequence: Sequence; onChanged?: () => void }) {
  const api = useApi();
  const me = useSession()?.user.id;
  const users = useResource(() => api.users.directory(), [api]);
  const [params, setParams] = useAddressParams();
  const view = connectedViewOf(params);
  const { status, q, sort } = view;
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [pages, setPages] = useState<ConnectedRecord[][]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  /**
   * A change of what the list shows replaces the address (no step for Back) and clears the selection; the
   * next page's cursor goes too until the new first page comes (the API refuses it for another search).
   */
  const setView = (change: Partial<ConnectedView>) => {
    setParams((current) => withConnectedView(current, change), { replace: true });
    setSelected(new Set());
    setCursor(null);
  };
  // The search box's text; the address (and the list) follow it once typing pauses.
  const [search, setSearch] = useState(q);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the typed search changes
  useEffect(() => {
    if (search.trim() === q) return;
    const timer = setTimeout(() => setView({ q: search }), 250);
    return () => clearTimeout(timer);
  }, [search]);
  const first = useResource(
    async (signal) => {
      const page: Page<ConnectedRecord> = await api.enrollments.ofSequence(
        sequence.id,
        connectedRecordsQuery({ status, q, sort }, { limit: PAGE_SIZE }),
        signal,
      );
      setPages([page.items]);
      setCursor(page.nextCursor ?? null);
      return page;
    },
    [api, sequence.id, status, q, sort],
  );
  const [loadingMore, setLoadingMore] = useState(false);
  const [dialog, setDialog] = useState<'disconnect' | 'connect' | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<DisconnectAnswer | null>(null);
  // The names of the records a disconnect named, kept for its result: the list reloads without them.
  const [resultNames, setResultNames] = useState<ReadonlyMap<string, string>>(new Map());

  const items = pages.flat();
  const names = new Map(items.map((e) => [e.record?.id ?? '', e.record?.name ?? '']));
  const nameOf = (recordId: string) => names.get(recordId) || resultNames.get(recordId) || recordId;
  const selectable = items.filter(
    (e) => e.record !== null && (e.status === 'active' || e.status === 'paused'),
  );
  const allSelected = selectable.length > 0 && selectable.every((e) => selected.has(e.record?.id ?? ''));
  const recordsPath = `/records/${ENTITY_PATHS[sequence.entityType]}`;
  const empty = connectedEmptyState(view, sequence.status);

  const toggle = (recordId: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(recordId)) next.delete(recordId);
      else next.add(recordId);
      return next;
    });
  const toggleAll = () =>
    setSelected(allSelected ? new Set() : new Set(selectable.map((e) => e.record?.id ?? '')));

  const loadMore = async () => {
    if (cursor === null) return;
    setLoadingMore(true);
    try {
      const page = await api.enrollments.ofSequence(
        sequence.id,
        connectedRecordsQuery({ status, q, sort }, { limit: PAGE_SIZE, cursor }),
      );
      setPages((p) => [...p, page.items]);
      setCursor(page.nextCursor ?? null);
    } catch (caught) {
      setError(caught);
    } finally {
      setLoadingMore(false);
    }
  };

  const disconnect = async () => {
    setBusy(true);
    setError(null);
    try {
      setResultNames(new Map([...selected].map((id) => [id, names.get(id) ?? ''])));
      setResult(await api.enrollments.disconnect(sequence.id, [...selected]));
      setSelected(new Set());
      first.reload();
      onChanged?.();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const closeDisconnect = () => {
    setDialog(null);
    setResult(null);
    setError(null);
  };

  return (
    <div className="connected">
      <div className="toolbar">
        <label className="field field-inline search-field">
          <span className="visually-hidden">Search connected records</span>
          <Icon name="search" size={16} />
          <input
            type="search"
            placeholder="Search by name or email"
            maxLength={MAX_SEARCH_LENGTH}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <label className="field field-inline">
          <span className="field-label">Show</span>
          <select value={status} onChange={(e) => setView({ status: e.target.value })}>
            {CONNECTED_STATUS_FILTERS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="field field-inline">
          <span className="field-label">Sort by</span>
          <select value={sort} onChange={(e) => setView({ sort: e.target.value as ConnectedView['sort'] })}>
            {CONNECTED_SORTS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <div className="actions toolbar-end">
          <button
            type="button"
            className="button button-danger"
            disabled={selected.size === 0}
            onClick={() => setDialog('disconnect')}
          >
            Disconnect{selected.size > 0 ? ` (${selected.size})` : ''}
          </button>
          <button
            type="button"
            className="button button-primary"
            disabled={sequence.status === 'inactive'}
            title={sequence.status === 'inactive' ? 'Activate the sequence to connect records' : undefined}
            onClick={() => setDialog('connect')}
          >
            + Connect records
          </button>
        </div>
      </div>
      {first.status === 'loading' && first.data === undefined ? (
        <Loading label="Loading connected records…" />
      ) : first.status === 'error' ? (
        <ErrorState error={first.error} onRetry={first.reload} />
      ) : items.length === 0 ? (
        <Empty title={empty.title}>{empty.body}</Empty>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table connected-table">
              <caption className="visually-hidden">Records connected to {sequence.name}</caption>
              <thead>
                <tr>
                  <th scope="col" className="col-check">
                    <input
                      type="checkbox"
                      checked={allSelected}
                      disabled={selectable.length === 0}
                      onChange={toggleAll}
                      aria-label="Select all running records shown"
                    />
                  </th>
                  <th scope="col">Record</th>
                  <th scope="col" className="hide-narrow">
                    Owner
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col">Progress</th>
                  <th scope="col">Current step</th>
                  <th scope="col">Days elapsed</th>
                  <th scope="col">Version</th>
                </tr>
              </thead>
              <tbody>
                {items.map((e) => {
                  const recordId = e.record?.id;
                  const name = e.record?.name ?? 'Deleted record';
                  const running = e.status === 'active' || e.status === 'paused';
                  const progress = progressOf(sequence.definition, e.currentStep?.id, e.status);
                  return (
                    <tr
                      key={e.enrollmentId}
                      className={recordId !== undefined && selected.has(recordId) ? 'selected' : ''}
                    >
                      <td className="col-check">
                        {recordId !== undefined && running && (
                          <input
                            type="checkbox"
                            checked={selected.has(recordId)}
                            onChange={() => toggle(recordId)}
                            aria-label={`Select ${name}`}
                          />
                        )}
                      </td>
                      <td>
                        {recordId === undefined ? (
                          <span className="muted">{name}</span>
                        ) : (
                          <Link to={`${recordsPath}/${encodeURIComponent(recordId)}`}>{name}</Link>
                        )}
                      </td>
                      <td className="hide-narrow">
                        {e.ownerId === me ? 'You' : ownerName(users.data, e.ownerId)}
                      </td>
                      <td>
                        <span className={`badge badge-enrollment-${e.status}`}>
                          {ENROLLMENT_STATUS_NAMES[e.status] ?? e.status}
                        </span>
                        {e.endReason !== null && e.endReason !== 'completed' && (
                          <span className="row-sub">{END_REASON_NAMES[e.endReason] ?? e.endReason}</span>
                        )}
                      </td>
                      <td>
                        {progress === null ? (
                          <span className="muted">—</span>
                        ) : (
                          <span className="progress-cell">
                            <progress
                              max={Math.max(1, progress.total)}
                              value={progress.done}
                              aria-label={`${name}: ${progress.done} of ${progress.total} steps done`}
                            />
                            <span className="progress-text">
                              {progress.done} of {progress.total}
                            </span>
                          </span>
                        )}
                      </td>
                      <td>
                        {running && e.currentStep !== null
                          ? currentStepText(
                              e.currentStep,
                              e.sequenceVersion === sequence.version ? sequence.definition : undefined,
                            )
                          : '—'}
                      </td>
                      <td>{e.daysElapsed}</td>
                      <td>{e.sequenceVersion}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div className="list-footer">
            <span className="muted" role="status">
              {items.length} record{items.length === 1 ? '' : 's'} shown
              {q === '' ? '' : ` matching “${q}”`}
            </span>
            {cursor !== null && (
              <button type="button" className="button" onClick={loadMore} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : 'Load more'}
              </button>
            )}
          </div>
        </>
      )}

      <Dialog
        title={result === null ? 'Disconnect the selected records?' : 'Records disconnected'}
        open={dialog === 'disconnect'}
        onClose={closeDisconnect}
        size="small"
        footer={
          result === null ? (
            <>
              <button type="button" className="button" onClick={closeDisconnect}>
                Cancel
              </button>
              <button type="button" className="button button-danger" onClick={disconnect} disabled={busy}>
                {busy ? 'Disconnecting…' : `Disconnect ${selected.size}`}
              </button>
            </>
          ) : (
            <button type="button" className="button button-primary" onClick={closeDisconnect}>
              Done
            </button>
          )
        }
      >
        {result === null ? (
          <>
            <p>
              {selected.size} record{selected.size === 1 ? '' : 's'} will leave “{sequence.name}”. Their open
              and scheduled steps are cancelled and the end reason is recorded as “Disconnected by a user”.
            </p>
            <p className="muted">They can then be connected to this or another sequence again.</p>
            <FormError error={error} />
          </>
        ) : (
          <div role="status">
            <p>
              Disconnected {result.disconnected.length} record{result.disconnected.length === 1 ? '' : 's'}.
            </p>
            <ul className="result-list">
              {result.disconnected.map((id) => (
                <li key={id}>
                  <strong>{nameOf(id)}</strong>: disconnected
                </li>
              ))}
              {result.notEnrolled.map((id) => (
                <li key={id}>
                  <strong>{nameOf(id)}</strong>: was not running in this sequence (nothing changed)
                </li>
              ))}
            </ul>
          </div>
        )}
      </Dialog>
      <ConnectRecordsDialog
        open={dialog === 'connect'}
        sequence={sequence}
        onConnected={first.reload}
        onClose={(changed) => {
          setDialog(null);
          if (changed) onChanged?.();
        }}
      />
    </div>
  );
}
