// My work: the seller's steps in Overdue / Today / Upcoming (in their time zone), filtered by activity and
// record type, with quick actions on each card and a bulk send for one email step of one sequence. Actions
// show at once and are rolled back, with the server's reason, when the server refuses them. Managers pick
// whose list it is (the API lets them act on any seller's steps). The seller, the tab and the filters are
// kept in the address (`?owner=&when=&activity=&type=`), so a reload or a shared link shows the same list.
import { ENTITY_TYPES, type EntityType } from '@domain/definition.js';
import { useCallback, useEffect, useId, useMemo, useReducer, useRef, useState } from 'react';
import type { DirectoryUser, WorkItem } from '../api/types.js';
import { useApi, useSession } from '../app/api-context.js';
import { permissionsOf } from '../app/permissions.js';
import { useAddressParams } from '../app/use-address-params';
import { ENTITY_PLURALS } from '../records/record-types.js';
import { Icon } from '../ui/Icon.js';
import { type Notice, Notices, useNotices } from '../ui/Notices.js';
import { problemText } from '../ui/problem-text.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { Tabs, tabPanelProps } from '../ui/Tabs.js';
import { useResource } from '../ui/use-resource.js';
import { type ActionTarget, targetOf } from './ActionTarget.js';
import { BulkEmailDialog } from './BulkEmailDialog.js';
import { bulkEmailEligibility, canJoinBulk, selectAllCandidates } from './bulk-email.js';
import { type OpenStepDialog, StepDialogHost } from './StepDialogHost.js';
import { useServerNow } from './server-now.js';
import { actionDoneText, performStepAction, type StepAction } from './step-actions.js';
import { useMyMailbox } from './use-my-mailbox.js';
import { WorkCard } from './WorkCard.js';
import {
  ACTIVITY_FILTERS,
  type ActivityFilter,
  groupWork,
  NO_FILTER,
  WHEN_GROUPS,
  WHEN_NAMES,
  type WhenGroup,
  type WorkFilter,
} from './work-groups.js';
import { EMPTY_WORK_LIST, workListReducer } from './work-list-state.js';

const PAGE = 200;
const MAX_PAGES = 10;

export function MyWorkPage() {
  const api = useApi();
  const session = useSession();
  const me = session?.user.id ?? '';
  const canPickSeller = permissionsOf(session?.user.role).viewOthersWork;
  const [params, setParams] = useAddressParams();
  const ownerParam = params.get('owner');
  const ownerId = canPickSeller && ownerParam !== null && ownerParam !== '' ? ownerParam : me;
  const ownList = ownerId === me;
  const team = useResource(
    () => (canPickSeller ? api.users.directory() : Promise.resolve([] as DirectoryUser[])),
    [api, canPickSeller],
  );
  const owner = team.data?.find((u) => u.id === ownerId);
  // Another seller's list reads in their zone: Today is their day, as the API counts it.
  const zone = ownList ? (session?.user.timezone ?? 'UTC') : (owner?.timezone ?? 'UTC');
  const myMailbox = useMyMailbox();
  // Another seller's emails go out from their mailbox, not the signed-in manager's.
  const mailbox = ownList ? myMailbox : undefined;
  const [list, dispatch] = useReducer(workListReducer, EMPTY_WORK_LIST);
  const [load, setLoad] = useState<{
    status: 'loading' | 'ok' | 'error';
    error?: unknown;
    truncated?: boolean;
  }>({
    status: 'loading',
  });
  const [generation, setGeneration] = useState(0);
  const when = whenParam(params.get('when'));
  const activityParam = params.get('activity');
  const typeParam = params.get('type');
  const filter = useMemo(() => filterOf(activityParam, typeParam), [activityParam, typeParam]);
  /** Changes the address: a new tab or seller is a step Back returns from; a filter change replaces it. */
  const setParam = (name: string, value: string | null, replace: boolean) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value === null) next.delete(name);
        else next.set(name, value);
        return next;
      },
      { replace },
    );
  const setWhen = (next: WhenGroup) => setParam('when', next, false);
  // Built from the address as it is when the change applies, not from the last render: two filter
  // changes in quick succession (before a re-render) must both hold.
  const setFilter = (change: Partial<WorkFilter>) => {
    setParams(
      (current) => {
        const next = { ...filterOf(current.get('activity'), current.get('type')), ...change };
        const updated = new URLSearchParams(current);
        for (const [name, value] of [
          ['activity', next.activity],
          ['type', next.recordType],
        ] as const) {
          if (value === 'all') updated.delete(name);
          else updated.set(name, value);
        }
        return updated;
      },
      { replace: true },
    );
  };
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<OpenStepDialog | null>(null);
  // The bulk send works on the selection as it was when opened; sent items leave the list meanwhile.
  const [bulk, setBulk] = useState<{ items: WorkItem[]; templateId: string | null } | null>(null);
  const { notices, push, dismiss } = useNotices();
  const clock = useServerNow(api, generation);
  const tabsId = useId();
  const activityId = useId();
  const recordTypeId = useId();
  const sellerId = useId();

  // Another seller's list: nothing of the last one stays on screen or selected.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the seller changes
  useEffect(() => {
    dispatch({ type: 'loaded', items: [] });
    setSelected(new Set());
  }, [ownerId]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: generation reloads on demand
  useEffect(() => {
    const controller = new AbortController();
    setLoad((l) => ({ ...l, status: 'loading' }));
    (async () => {
      const items: WorkItem[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await api.worklist.list(
          {
            when: 'all',
            limit: PAGE,
            ...(ownList ? {} : { ownerId }),
            ...(cursor === undefined ? {} : { cursor }),
          },
          controller.signal,
        );
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor !== undefined && pages < MAX_PAGES);
      return { items, truncated: cursor !== undefined };
    })().then(
      ({ items, truncated }) => {
        if (controller.signal.aborted) return;
        dispatch({ type: 'loaded', items });
        setLoad({ status: 'ok', truncated });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setLoad({ status: 'error', error });
      },
    );
    return () => controller.abort();
  }, [api, generation, ownerId]);

  const now = clock.now;
  const groups = useMemo(() => groupWork(list.items, filter, now, zone), [list.items, filter, now, zone]);
  // The first view: Today, or Overdue when nothing is due today but something is late.
  const shown: WhenGroup =
    when ?? (groups.today.length === 0 && groups.overdue.length > 0 ? 'overdue' : 'today');
  const visible = groups[shown];
  const selectedItems = list.items.filter((i) => selected.has(i.id));
  const eligibility = bulkEmailEligibility(selectedItems);
  // "Select all" works on the emails shown (this tab, these filters), never on hidden ones.
  const candidates = selectAllCandidates(visible, selectedItems);
  const unselected = candidates.filter((i) => !selected.has(i.id));
  const [sameStep] = candidates;
  // Due emails of another step are shown too: say which step "Select all" takes.
  const otherSteps =
    sameStep !== undefined &&
    visible.some((i) => i.step.type === 'email' && i.state === 'open' && !candidates.includes(i));
  const selectable = new Set([...candidates.map((i) => i.id), ...selected]).size;
  const selectAll = () =>
    setSelected((s) => {
      const next = new Set(s);
      for (const item of candidates) next.add(item.id);
      return next;
    });

  // Selections that left the list (sent, skipped, reloaded away) drop out of the bulk selection.
  useEffect(() => {
    setSelected((s) => {
      const ids = new Set(list.items.map((i) => i.id));
      const kept = [...s].filter((id) => ids.has(id));
      return kept.length === s.size ? s : new Set(kept);
    });
  }, [list.items]);

  // Where the step acted on stood in the list. Once it has left (completed, skipped, sent, snoozed to
  // another day) and its dialog has closed, the card now in its place (the last, if it was the last)
  // takes the focus on its first action: the card and the button that opened the dialog are gone, and
  // focus would fall to the top of the page, so a keyboard user would lose their place in the list.
  const listRef = useRef<HTMLUListElement>(null);
  const refocusAt = useRef<number | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the list has changed (the card left it); reads the page
  useEffect(() => {
    const at = refocusAt.current;
    if (at === null || dialog !== null) return;
    refocusAt.current = null;
    const active = document.activeElement;
    if (active !== null && active !== document.body) return; // still in place (Dialog gave it back)
    const cards = listRef.current?.querySelectorAll<HTMLElement>(':scope > li') ?? [];
    const card = cards[Math.min(at, cards.length - 1)];
    const action = card?.querySelector<HTMLElement>('.step-actions button:not(:disabled)');
    (action ?? card?.querySelector<HTMLElement>('a'))?.focus();
  }, [visible, dialog]);

  const act = useCallback(
    async (target: ActionTarget, action: StepAction) => {
      const index = visible.findIndex((item) => item.id === target.id);
      refocusAt.current = index === -1 ? null : index;
      // Optimistic: the step leaves (or moves) now; the server's refusal brings it back with its reason.
      dispatch(
        action.type === 'snooze'
          ? { type: 'snoozed', id: target.id, until: action.until, at: new Date(now).toISOString() }
          : { type: 'removed', id: target.id },
      );
      performStepAction(api, target.id, action).then(
        () => {
          dispatch({ type: 'confirmed', id: target.id });
          push({ kind: 'success', text: actionDoneText(action, target.recordName, mailbox) });
          // The sequence may have opened the next step of this record: read the list again, quietly.
          setGeneration((g) => g + 1);
        },
        (error: unknown) => {
          dispatch({ type: 'rolledBack', id: target.id });
          push({ kind: 'error', text: `${target.recordName}: ${problemText(error)}` });
          // A refusal usually means the step moved on elsewhere: show the list as it is now.
          setGeneration((g) => g + 1);
        },
      );
    },
    [api, push, mailbox, now, visible],
  );

  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const counts = {
    overdue: groups.overdue.length,
    today: groups.today.length,
    upcoming: groups.upcoming.length,
  };

  return (
    <div className="page work-page">
      <header className="page-header">
        <div>
          <h1>{ownList ? 'My work' : `Work of ${owner?.name ?? 'another seller'}`}</h1>
          <p className="muted">Times are in {zone}.</p>
        </div>
        <div className="actions">
          <button type="button" className="button" onClick={() => setGeneration((g) => g + 1)}>
            <Icon name="history" size={16} />
            Refresh
          </button>
        </div>
      </header>
      <div className="toolbar">
        {canPickSeller && (
          <div className="field field-inline">
            <label htmlFor={sellerId} className="field-label">
              Seller
            </label>
            <select
              id={sellerId}
              value={ownerId}
              onChange={(e) => setParam('owner', e.target.value === me ? null : e.target.value, false)}
            >
              <option value={me}>{session?.user.name ?? 'Me'} (you)</option>
              {team.data === undefined && !ownList && <option value={ownerId}>Loading…</option>}
              {team.data !== undefined && !ownList && owner === undefined && (
                <option value={ownerId}>Unknown user</option>
              )}
              {sellersOf(team.data ?? [], me).map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field field-inline">
          <label htmlFor={activityId} className="field-label">
            Activity type
          </label>
          <select
            id={activityId}
            value={filter.activity}
            onChange={(e) => setFilter({ activity: e.target.value as ActivityFilter })}
          >
            <option value="all">All activities</option>
            {ACTIVITY_FILTERS.map((f) => (
              <option key={f.key} value={f.key}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor={recordTypeId} className="field-label">
            Record type
          </label>
          <select
            id={recordTypeId}
            value={filter.recordType}
            onChange={(e) => setFilter({ recordType: e.target.value as EntityType | 'all' })}
          >
            <option value="all">All records</option>
            {ENTITY_TYPES.map((t) => (
              <option key={t} value={t}>
                {ENTITY_PLURALS[t]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <Tabs
        id={tabsId}
        label="When"
        items={WHEN_GROUPS.map((key) => ({
          key,
          label: WHEN_NAMES[key],
          ...(load.status === 'ok' || list.items.length > 0 ? { count: counts[key] } : {}),
        }))}
        selected={shown}
        onSelect={setWhen}
      />
      <div className="bulk-bar" hidden={selected.size === 0 && candidates.length === 0} aria-live="polite">
        <span>
          {selected.size} of {selectable} due email{selectable === 1 ? '' : 's'} selected
        </span>
        {unselected.length > 0 && (
          <button type="button" className="button button-small" onClick={selectAll}>
            Select all ({candidates.length})
          </button>
        )}
        {selected.size > 0 && (
          <button
            type="button"
            className="button button-small button-quiet"
            onClick={() => setSelected(new Set())}
          >
            Clear
          </button>
        )}
        {otherSteps && (
          <span className="muted">
            Emails of one step go out together: Select all takes “{sameStep.step.name ?? 'Email'}” of{' '}
            {sameStep.sequence.name}.
          </span>
        )}
        {selected.size > 0 && (
          <>
            {!eligibility.ok && <span className="muted">{eligibility.reason}</span>}
            <button
              type="button"
              className="button button-primary button-small"
              disabled={!eligibility.ok}
              onClick={() =>
                eligibility.ok && setBulk({ items: selectedItems, templateId: eligibility.templateId })
              }
            >
              Send {selected.size} emails
            </button>
          </>
        )}
      </div>
      <div {...tabPanelProps(tabsId, shown)} className="work-panel">
        {load.status === 'loading' && list.items.length === 0 && <Loading label="Loading your work…" />}
        {load.status === 'error' && (
          <ErrorState error={load.error} onRetry={() => setGeneration((g) => g + 1)} />
        )}
        {load.status !== 'error' &&
          !(load.status === 'loading' && list.items.length === 0) &&
          visible.length === 0 && (
            <Empty title={emptyTitle(shown, filter)}>
              {filter === NO_FILTER || (filter.activity === 'all' && filter.recordType === 'all')
                ? `Steps of the sequences ${ownList ? 'your' : `${owner?.name ?? 'this seller'}’s`} records are on appear here when they are due.`
                : 'Nothing matches these filters here; try All activities or All records.'}
            </Empty>
          )}
        {visible.length > 0 && (
          <ul ref={listRef} className="work-list" aria-label={`${WHEN_NAMES[shown]} steps`}>
            {visible.map((item) => (
              <li key={item.id}>
                <WorkCard
                  item={item}
                  now={now}
                  zone={zone}
                  overdue={shown === 'overdue'}
                  selectable={canJoinBulk(selectedItems, item)}
                  selected={selected.has(item.id)}
                  onToggle={() => toggle(item.id)}
                  onOpen={(kind) => setDialog({ kind, target: targetOf(item) })}
                />
              </li>
            ))}
          </ul>
        )}
        {load.truncated === true && (
          <p className="muted">Showing the first {PAGE * MAX_PAGES} steps; finish some to see the rest.</p>
        )}
      </div>
      <StepDialogHost dialog={dialog} now={now} zone={zone} onClose={() => setDialog(null)} onSubmit={act} />
      {bulk !== null && (
        <BulkEmailDialog
          items={bulk.items}
          templateId={bulk.templateId}
          onSent={(id) => {
            dispatch({ type: 'removed', id });
            dispatch({ type: 'confirmed', id });
          }}
          onClose={(sentAny) => {
            setBulk(null);
            setSelected(new Set());
            if (sentAny) setGeneration((g) => g + 1);
            if (sentAny) push({ kind: 'success', text: 'Bulk send finished.' } satisfies Omit<Notice, 'id'>);
          }}
        />
      )}
      <Notices notices={notices} onDismiss={dismiss} />
    </div>
  );
}

function whenParam(value: string | null): WhenGroup | null {
  return WHEN_GROUPS.find((key) => key === value) ?? null;
}

/** The filters in the address; an unknown value reads as All. */
function filterOf(activity: string | null, recordType: string | null): WorkFilter {
  if (activity === null && recordType === null) return NO_FILTER;
  return {
    activity: ACTIVITY_FILTERS.find((f) => f.key === activity)?.key ?? 'all',
    recordType: ENTITY_TYPES.find((t) => t === recordType) ?? 'all',
  };
}

/** The team, by name, after the signed-in user (who comes first as "you"). */
function sellersOf(users: readonly DirectoryUser[], me: string): DirectoryUser[] {
  return users.filter((u) => u.id !== me).sort((a, b) => a.name.localeCompare(b.name));
}

function emptyTitle(when: WhenGroup, filter: WorkFilter): string {
  if (filter.activity !== 'all' || filter.recordType !== 'all') return 'Nothing matches';
  if (when === 'overdue') return 'Nothing overdue';
  if (when === 'today') return 'Nothing due today';
  return 'Nothing coming up';
}
