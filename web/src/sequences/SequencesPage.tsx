// Sequences: Active / Inactive / In revision, with search, a tag filter and sortable columns, and the way
// to a new sequence (blank or from a template).
import { useEffect, useId, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import type { Sequence, SequenceStatus } from '../api/types.js';
import { useApi, usePermissions } from '../app/api-context.js';
import { useAddressParams } from '../app/use-address-params';
import { Icon } from '../ui/Icon.js';
import { SortableHeader } from '../ui/SortableHeader.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { Tabs, tabPanelProps } from '../ui/Tabs.js';
import { useResource } from '../ui/use-resource.js';
import { NewSequenceDialog } from './NewSequenceDialog.js';
import { days, ENTITY_NAMES, STATUS_NAMES } from './sequence-labels.js';

const TABS: SequenceStatus[] = ['active', 'inactive', 'revision'];

type SortKey = 'name' | 'entityType' | 'steps' | 'days' | 'updatedAt';
const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'entityType', label: 'Record type' },
  { key: 'steps', label: 'Steps' },
  { key: 'days', label: 'Duration' },
  { key: 'updatedAt', label: 'Modified' },
];

export function SequencesPage() {
  const api = useApi();
  const { manageSequences } = usePermissions();
  const [params, setParams] = useAddressParams();
  const status = (TABS as string[]).includes(params.get('status') ?? '')
    ? (params.get('status') as SequenceStatus)
    : 'active';
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [query, setQuery] = useState(search);
  const [tag, setTag] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; ascending: boolean }>({ key: 'name', ascending: true });
  const [creating, setCreating] = useState(false);
  const tabsId = useId();

  useEffect(() => {
    const timer = setTimeout(() => setQuery(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);

  const list = useResource(
    (signal) => api.sequences.all({ status, q: query, ...(tag === '' ? {} : { tag }) }, signal),
    [api, status, query, tag],
  );
  const tags = useMemo(
    () => [...new Set((list.data ?? []).flatMap((s) => s.tags ?? []))].sort(),
    [list.data],
  );
  const rows = useMemo(() => sorted(list.data ?? [], sort.key, sort.ascending), [list.data, sort]);

  const selectTab = (next: SequenceStatus) => setParams(next === 'active' ? {} : { status: next });
  const toggleSort = (key: SortKey) =>
    setSort((s) => (s.key === key ? { key, ascending: !s.ascending } : { key, ascending: true }));

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Sequences</h1>
          <p className="muted">Cadences of emails, calls, tasks and waits that sellers follow.</p>
        </div>
        {manageSequences && (
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            <Icon name="plus" size={16} /> New sequence
          </button>
        )}
      </header>
      <Tabs
        id={tabsId}
        label="Sequence status"
        items={TABS.map((key) => ({ key, label: STATUS_NAMES[key] }))}
        selected={status}
        onSelect={selectTab}
      />
      <div {...tabPanelProps(tabsId, status)}>
        <div className="toolbar">
          <label className="field field-inline search-field">
            <span className="visually-hidden">Search sequences</span>
            <Icon name="search" size={16} />
            <input
              type="search"
              placeholder="Search name and description"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          </label>
          <label className="field field-inline">
            <span className="field-label">Tag</span>
            <select value={tag} onChange={(e) => setTag(e.target.value)}>
              <option value="">All tags</option>
              {[...new Set([...tags, ...(tag === '' ? [] : [tag])])].map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
        </div>
        {list.status === 'loading' && list.data === undefined && <Loading label="Loading sequences…" />}
        {list.status === 'error' && <ErrorState error={list.error} onRetry={list.reload} />}
        {list.data !== undefined && rows.length === 0 && (
          <Empty
            title={
              query === '' && tag === ''
                ? `No ${STATUS_NAMES[status].toLowerCase()} sequences`
                : 'Nothing matches'
            }
            action={
              manageSequences && query === '' && tag === '' && status !== 'revision' ? (
                <button type="button" className="button" onClick={() => setCreating(true)}>
                  Create a sequence
                </button>
              ) : undefined
            }
          >
            {query === '' && tag === ''
              ? status === 'active'
                ? manageSequences
                  ? 'Activate a sequence to connect records to it.'
                  : 'Your managers build and activate the sequences your records can follow.'
                : status === 'inactive'
                  ? manageSequences
                    ? 'New sequences stay inactive until you activate them.'
                    : 'Sequences your managers are still building appear here.'
                  : 'Edit an active sequence to start a revision.'
              : 'Try other words or another tag.'}
          </Empty>
        )}
        {rows.length > 0 && (
          <div className="table-wrap">
            <table className="table" aria-busy={list.status === 'loading'}>
              <thead>
                <tr>
                  {COLUMNS.map((c) => (
                    <SortableHeader
                      key={c.key}
                      label={c.label}
                      active={sort.key === c.key}
                      ascending={sort.ascending}
                      onSort={() => toggleSort(c.key)}
                    />
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <Link to={`/sequences/${encodeURIComponent(s.id)}`} className="row-title">
                        {s.name}
                      </Link>
                      {s.description !== undefined && s.description !== null && s.description !== '' && (
                        <span className="row-sub">{s.description}</span>
                      )}
                      {(s.tags ?? []).length > 0 && (
                        <span className="tags">
                          {(s.tags ?? []).map((t) => (
                            <span key={t} className="tag">
                              {t}
                            </span>
                          ))}
                        </span>
                      )}
                    </td>
                    <td>{ENTITY_NAMES[s.entityType]}</td>
                    <td>{s.summary.stepCount}</td>
                    <td>{days(s.summary.durationDays)}</td>
                    <td>{s.updatedAt === undefined ? '—' : formatDate(s.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <NewSequenceDialog open={creating} onClose={() => setCreating(false)} />
    </div>
  );
}

function sorted(items: Sequence[], key: SortKey, ascending: boolean): Sequence[] {
  const value = (s: Sequence): string | number => {
    switch (key) {
      case 'name':
        return s.name.toLowerCase();
      case 'entityType':
        return s.entityType;
      case 'steps':
        return s.summary.stepCount;
      case 'days':
        return s.summary.durationDays;
      case 'updatedAt':
        return s.updatedAt ?? '';
    }
  };
  return [...items].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    const order = x < y ? -1 : x > y ? 1 : 0;
    return ascending ? order : -order;
  });
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleDateString(undefined, { dateStyle: 'medium' });
}
