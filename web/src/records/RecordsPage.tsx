// Records of one type: search, owner filter, the sequence each is on; select some to connect them to a
// sequence or disconnect them from theirs; managers import a CSV file. Managers see each record's owner
// and filter by one; the search and the owner are kept in the address (`?q=&owner=`), so a reload or a
// shared link shows the same list. A salesperson sees only their own records (the API says so), so they
// get neither the filter nor the column.
import { useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import type { CrmRecord } from '../api/types.js';
import { useApi, useSession } from '../app/api-context.js';
import { NotFoundPage } from '../app/NotFoundPage.js';
import { useAddressParams } from '../app/use-address-params';
import { Icon } from '../ui/Icon.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';
import { ConnectSequenceDialog } from './ConnectSequenceDialog.js';
import { DisconnectDialog } from './DisconnectDialog.js';
import { ImportCsvDialog } from './ImportCsvDialog.js';
import { ownerName } from './owner-name.js';
import { DeleteRecordDialog, ENTITY_SINGULAR_LOWER, RecordFormDialog } from './RecordFormDialog.js';
import { ENTITY_PATHS, ENTITY_PLURALS, entityFromPath } from './record-types.js';

export function RecordsPage() {
  const { type: path } = useParams();
  const entityType = entityFromPath(path);
  if (entityType === undefined) return <NotFoundPage />;
  return <RecordsList key={entityType} entityType={entityType} />;
}

function RecordsList({ entityType }: { entityType: NonNullable<ReturnType<typeof entityFromPath>> }) {
  const api = useApi();
  const session = useSession();
  const [params, setParams] = useAddressParams();
  const query = params.get('q')?.trim() ?? '';
  const [search, setSearch] = useState(query);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [connecting, setConnecting] = useState(false);
  const [disconnecting, setDisconnecting] = useState(false);
  const [importing, setImporting] = useState(false);
  // The record form: a new record, or one to edit; a record to delete after a confirmation.
  const [editing, setEditing] = useState<{ record?: CrmRecord } | null>(null);
  const [deleting, setDeleting] = useState<CrmRecord | null>(null);
  const role = session?.user.role;
  const isManager = role !== undefined && role !== 'salesperson';
  const owner = isManager ? (params.get('owner') ?? 'all') : 'all';
  /** A search or an owner replaces the address rather than adding a step for Back to go through. */
  const setParam = (name: 'q' | 'owner', value: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value === '' || (name === 'owner' && value === 'all')) next.delete(name);
        else next.set(name, value);
        return next;
      },
      { replace: true },
    );
  // Managers filter by any colleague; a seller sees only their own records anyway.
  const users = useResource(
    () => (isManager ? api.users.directory() : Promise.resolve([])),
    [api, isManager],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the typed search changes
  useEffect(() => {
    if (search.trim() === query) return;
    const timer = setTimeout(() => setParam('q', search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);
  const filter = useMemo(
    () => ({
      type: entityType,
      q: query,
      ...(owner === 'all' ? {} : { ownerId: owner === 'mine' ? (session?.user.id ?? '') : owner }),
    }),
    [entityType, query, owner, session?.user.id],
  );
  const records = useResource(() => api.records.list({ ...filter, limit: 100 }), [api, filter]);
  // Further pages, appended by "Load more"; a new filter (or a reload) starts from the first page again.
  const [more, setMore] = useState<{ items: CrmRecord[]; nextCursor: string | null }>({
    items: [],
    nextCursor: null,
  });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);
  useEffect(() => {
    setMore({ items: [], nextCursor: records.data?.nextCursor ?? null });
    setMoreError(null);
  }, [records.data]);
  const loadMore = async () => {
    if (more.nextCursor === null) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await api.records.list({ ...filter, limit: 100, cursor: more.nextCursor });
      setMore((m) => ({ items: [...m.items, ...page.items], nextCursor: page.nextCursor ?? null }));
    } catch (error) {
      setMoreError(error instanceof Error ? error.message : String(error));
    } finally {
      setLoadingMore(false);
    }
  };
  const items = useMemo(() => [...(records.data?.items ?? []), ...more.items], [records.data, more.items]);
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const allSelected = items.length > 0 && items.every((r) => selected.has(r.id));
  const selectedRecords = items.filter((r) => selected.has(r.id));
  return (
    <div className="page">
      <header className="page-header">
        <h1>{ENTITY_PLURALS[entityType]}</h1>
        <div className="actions">
          <button type="button" className="button" onClick={() => setEditing({})}>
            <Icon name="plus" size={16} /> New {ENTITY_SINGULAR_LOWER[entityType]}
          </button>
          {isManager && (
            <button type="button" className="button" onClick={() => setImporting(true)}>
              Import CSV
            </button>
          )}
          <button
            type="button"
            className="button"
            disabled={selectedRecords.length === 0}
            onClick={() => setDisconnecting(true)}
          >
            Disconnect sequence{selectedRecords.length > 0 ? ` (${selectedRecords.length})` : ''}
          </button>
          <button
            type="button"
            className="button button-primary"
            disabled={selectedRecords.length === 0}
            onClick={() => setConnecting(true)}
          >
            Connect sequence{selectedRecords.length > 0 ? ` (${selectedRecords.length})` : ''}
          </button>
        </div>
      </header>
      <div className="toolbar">
        <label className="field field-inline search-field">
          <span className="visually-hidden">Search {ENTITY_PLURALS[entityType].toLowerCase()}</span>
          <Icon name="search" size={16} />
          <input
            type="search"
            placeholder="Search by name, email or company"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        {isManager && (
          <label className="field field-inline">
            <span className="field-label">Owner</span>
            <select value={owner} onChange={(e) => setParam('owner', e.target.value)}>
              <option value="all">Everyone’s</option>
              <option value="mine">Mine</option>
              {(users.data ?? [])
                .filter((u) => u.id !== session?.user.id)
                .map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name}
                  </option>
                ))}
            </select>
          </label>
        )}
      </div>
      {records.status === 'loading' && records.data === undefined && <Loading />}
      {records.status === 'error' && <ErrorState error={records.error} onRetry={records.reload} />}
      {records.status === 'ok' && items.length === 0 && (
        <Empty
          title={
            query === '' && owner === 'all'
              ? `No ${ENTITY_PLURALS[entityType].toLowerCase()} yet`
              : 'Nothing matches'
          }
        >
          {query === '' && owner === 'all'
            ? `Create one with New ${ENTITY_SINGULAR_LOWER[entityType]}, or bring them in through the API or a CSV import.`
            : query === ''
              ? 'Try another owner.'
              : 'Try other words.'}
        </Empty>
      )}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">
                  <input
                    type="checkbox"
                    checked={allSelected}
                    aria-label="Select all"
                    onChange={() => setSelected(allSelected ? new Set() : new Set(items.map((r) => r.id)))}
                  />
                </th>
                <th scope="col">Name</th>
                <th scope="col" className="hide-narrow">
                  Email
                </th>
                <th scope="col" className="hide-narrow">
                  Company
                </th>
                {isManager && (
                  <th scope="col" className="hide-narrow">
                    Owner
                  </th>
                )}
                <th scope="col">Sequence</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((r: CrmRecord) => (
                <tr key={r.id}>
                  <td>
                    <input
                      type="checkbox"
                      checked={selected.has(r.id)}
                      onChange={() => toggle(r.id)}
                      aria-label={`Select ${r.name}`}
                    />
                  </td>
                  <td>
                    <Link
                      to={`/records/${ENTITY_PATHS[entityType]}/${encodeURIComponent(r.id)}`}
                      className="row-title"
                    >
                      {r.name}
                    </Link>
                  </td>
                  <td className="hide-narrow">
                    {/* A long address wraps inside its share of the row instead of taking the others'. */}
                    <span className="cell-capped">{r.email ?? '—'}</span>
                  </td>
                  <td className="hide-narrow">{r.company ?? '—'}</td>
                  {isManager && (
                    <td className="hide-narrow">
                      {r.ownerId === undefined
                        ? '—'
                        : r.ownerId === session?.user.id
                          ? 'You'
                          : ownerName(users.data, r.ownerId)}
                    </td>
                  )}
                  <td>
                    {/* Every role may open a sequence: a salesperson reads it, read-only. */}
                    {r.currentSequence ? (
                      <Link to={`/sequences/${encodeURIComponent(r.currentSequence.id)}`}>
                        {r.currentSequence.name}
                      </Link>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="link-button"
                      aria-label={`Edit ${r.name}`}
                      onClick={() => setEditing({ record: r })}
                    >
                      Edit
                    </button>{' '}
                    <button
                      type="button"
                      className="link-button"
                      aria-label={`Delete ${r.name}`}
                      onClick={() => setDeleting(r)}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {more.nextCursor !== null && (
        <div className="list-more">
          <button type="button" className="btn" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : `Load more (showing ${items.length})`}
          </button>
          {moreError !== null && (
            <p role="alert" className="field-error">
              Couldn't load more: {moreError}
            </p>
          )}
        </div>
      )}
      <ConnectSequenceDialog
        open={connecting}
        entityType={entityType}
        records={selectedRecords}
        onClose={(changed) => {
          setConnecting(false);
          if (changed) {
            setSelected(new Set());
            records.reload();
          }
        }}
      />
      {disconnecting && (
        <DisconnectDialog
          records={selectedRecords}
          onClose={(changed) => {
            setDisconnecting(false);
            if (changed) {
              setSelected(new Set());
              records.reload();
            }
          }}
        />
      )}
      {editing !== null && (
        <RecordFormDialog
          entityType={entityType}
          {...(editing.record === undefined ? {} : { record: editing.record })}
          owners={isManager ? (users.data ?? []) : null}
          onClose={(changed) => {
            setEditing(null);
            if (changed) records.reload();
          }}
        />
      )}
      {deleting !== null && (
        <DeleteRecordDialog
          record={deleting}
          onClose={(changed) => {
            setDeleting(null);
            if (changed) {
              setSelected((s) => new Set([...s].filter((id) => id !== deleting.id)));
              records.reload();
            }
          }}
        />
      )}
      {importing && (
        <ImportCsvDialog
          entityType={entityType}
          onClose={(changed) => {
            setImporting(false);
            if (changed) records.reload();
          }}
        />
      )}
    </div>
  );
}
