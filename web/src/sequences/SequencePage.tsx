// One sequence: the designer and its life cycle (save, activate, deactivate, revise, clone, delete), its
// details, connected records, stats and version history.
import { summarize } from '@domain/summary.js';
import { lazy, Suspense, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useBlocker, useNavigate, useParams } from 'react-router-dom';
import { useStore } from 'zustand';
import { ApiError } from '../api/api-error.js';
import type { Sequence } from '../api/types.js';
import { useApi, usePermissions, useSession } from '../app/api-context.js';
import { useAddressParams } from '../app/use-address-params';
import { Designer } from '../designer/components/Designer.js';
import { DesignerProvider } from '../designer/designer-context.js';
import { createDesignerStore, type DesignerStore } from '../designer/designer-store.js';
import { STEP_TYPE_LOOKS } from '../designer/step-kinds.js';
import { Dialog } from '../ui/Dialog.js';
import { ErrorState, FormError, Loading } from '../ui/states.js';
import { Tabs, tabPanelProps } from '../ui/Tabs.js';
import { useResource } from '../ui/use-resource.js';
import { describeDue } from '../work/due-time.js';
import { ConnectedRecords } from './ConnectedRecords.js';
import { EditDetailsDialog } from './EditDetailsDialog.js';
import { errorsWithStepIds } from './errors-with-step-ids.js';
import { days, ENTITY_NAMES, STATUS_NAMES, steps } from './sequence-labels.js';
import { VersionHistory } from './VersionHistory.js';

// The charts library is loaded only when the Stats tab opens.
const SequenceStats = lazy(async () => ({ default: (await import('./SequenceStats.js')).SequenceStats }));

const TABS = ['designer', 'details', 'records', 'stats', 'versions'] as const;
type Tab = (typeof TABS)[number];
const TAB_NAMES: Record<Tab, string> = {
  designer: 'Designer',
  details: 'Details',
  records: 'Connected records',
  stats: 'Stats',
  versions: 'Version history',
};

export function SequencePage() {
  const { id = '' } = useParams();
  const api = useApi();
  const sequence = useResource(() => api.sequences.get(id), [api, id]);
  if (sequence.status === 'loading' && sequence.data === undefined)
    return <Loading label="Loading the sequence…" />;
  if (sequence.status === 'error' && sequence.data === undefined)
    return (
      <div className="page">
        <ErrorState error={sequence.error} onRetry={sequence.reload} />
      </div>
    );
  if (sequence.data === undefined) return null;
  return (
    <SequenceView
      key={`${sequence.data.id}:${sequence.data.status}:${sequence.data.version}`}
      sequence={sequence.data}
      reload={sequence.reload}
    />
  );
}

function SequenceView({ sequence: loaded, reload }: { sequence: Sequence; reload: () => void }) {
  const api = useApi();
  // The sequence as last saved: a Save answers it with its new summary, which the header and details
  // show at once (the designer keeps its own store, so it is not rebuilt from it).
  const [sequence, setSequence] = useState(loaded);
  const navigate = useNavigate();
  const [params, setParams] = useAddressParams();
  const { manageSequences } = usePermissions();
  // A salesperson reads sequences; the API lets only managers change them or read their stats.
  const tabs = manageSequences ? TABS : TABS.filter((t) => t !== 'stats');
  const tab = (tabs as readonly string[]).includes(params.get('tab') ?? '')
    ? (params.get('tab') as Tab)
    : 'designer';
  const tabsId = useId();
  const editable = manageSequences && sequence.status !== 'active';
  const store: DesignerStore = useMemo(
    () => createDesignerStore({ definition: loaded.definition, readOnly: !editable }),
    [loaded.definition, editable],
  );
  const dirty = useStore(store, (s) => s.dirty);
  // The header counts what the designer shows, saved or not: the server's summary is of the last save.
  const shownDefinition = useStore(store, (s) => s.definition);
  const summary = useMemo(() => summarize(shownDefinition), [shownDefinition]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [dialog, setDialog] = useState<
    'activate' | 'deactivate' | 'delete' | 'clone' | 'details' | 'discard' | null
  >(null);
  const [versionDescription, setVersionDescription] = useState('');
  const [cloneName, setCloneName] = useState(`${sequence.name} (copy)`);

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
  // Leaving for another screen inside the app (the nav, a link, Back) asks first too; the tabs stay on
  // this page and keep the edits. Deleting the sequence leaves without asking: there is nothing to keep.
  const discarding = useRef(false);
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      dirty && !discarding.current && currentLocation.pathname !== nextLocation.pathname,
  );

  /** Runs an action; a 422 goes onto the steps, anything else above the designer. */
  const run = async (label: string, action: () => Promise<void>) => {
    setBusy(label);
    setError(null);
    try {
      await action();
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'validation_failed') {
        store.getState().setServerErrors(errorsWithStepIds(caught.errors, store.getState().definition));
        setParams({});
      }
      setError(caught);
    } finally {
      setBusy(null);
    }
  };

  const save = () =>
    run('save', async () => {
      const saved = await api.sequences.update(sequence.id, { definition: store.getState().definition });
      store.getState().markSaved(saved.definition ?? store.getState().definition);
      store.getState().setServerErrors([]);
      setSequence(saved);
    });

  const activate = () =>
    run('activate', async () => {
      setDialog(null);
      if (store.getState().dirty) {
        const saved = await api.sequences.update(sequence.id, { definition: store.getState().definition });
        store.getState().markSaved(saved.definition ?? store.getState().definition);
        setSequence(saved);
      }
      await api.sequences.activate(
        sequence.id,
        sequence.status === 'revision' ? versionDescription.trim() : undefined,
      );
      reload();
    });

  const lifecycle = (label: string, action: () => Promise<unknown>, after: () => void = reload) =>
    run(label, async () => {
      setDialog(null);
      await action();
      after();
    });

  return (
    <div className="page page-wide">
      <header className="page-header sequence-header">
        <div>
          <h1>{sequence.name}</h1>
          <p className="muted">
            <span className={`badge badge-${sequence.status}`}>{STATUS_NAMES[sequence.status]}</span>{' '}
            {ENTITY_NAMES[sequence.entityType]} · version {sequence.version} · {steps(summary.stepCount)} ·{' '}
            {days(summary.durationDays)}
            {dirty && <span className="unsaved"> · Unsaved changes</span>}
          </p>
        </div>
        <div className="actions">
          <button type="button" className="button" onClick={() => store.getState().showOptions()}>
            Options
          </button>
          {editable && (
            <button type="button" className="button" disabled={!dirty || busy !== null} onClick={save}>
              {busy === 'save' ? 'Saving…' : 'Save'}
            </button>
          )}
          {editable && (
            <button
              type="button"
              className="button button-primary"
              disabled={busy !== null}
              onClick={() => setDialog('activate')}
            >
              {busy === 'activate' ? 'Activating…' : 'Activate'}
            </button>
          )}
          {manageSequences && sequence.status === 'revision' && (
            <button
              type="button"
              className="button"
              disabled={busy !== null}
              onClick={() => setDialog('discard')}
            >
              {busy === 'discard' ? 'Discarding…' : 'Discard revision'}
            </button>
          )}
          {manageSequences && sequence.status === 'active' && (
            <>
              <button
                type="button"
                className="button button-primary"
                disabled={busy !== null}
                onClick={() => lifecycle('revise', () => api.sequences.revise(sequence.id))}
              >
                Edit
              </button>
              <button
                type="button"
                className="button"
                disabled={busy !== null}
                onClick={() => setDialog('deactivate')}
              >
                Deactivate
              </button>
            </>
          )}
          {manageSequences && (
            <>
              <button
                type="button"
                className="button"
                disabled={busy !== null}
                onClick={() => setDialog('clone')}
              >
                Clone
              </button>
              <button
                type="button"
                className="button button-danger"
                disabled={busy !== null}
                onClick={() => setDialog('delete')}
              >
                Delete
              </button>
            </>
          )}
        </div>
      </header>
      {error !== null && !(error instanceof ApiError && error.code === 'validation_failed') && (
        <FormError error={error} />
      )}
      {error instanceof ApiError && error.code === 'validation_failed' && (
        <div className="notice notice-error" role="alert">
          The sequence can’t be activated yet: {error.errors.length} problem
          {error.errors.length === 1 ? '' : 's'} marked on the steps.
        </div>
      )}
      <Tabs
        id={tabsId}
        label="Sequence"
        items={tabs.map((key) => ({ key, label: TAB_NAMES[key] }))}
        selected={tab}
        onSelect={(next) => setParams(next === 'designer' ? {} : { tab: next })}
      />
      <div className="tab-body" {...tabPanelProps(tabsId, tab)}>
        {tab === 'designer' && (
          <DesignerProvider
            store={store}
            environment={{ sequenceId: sequence.id, entityType: sequence.entityType }}
          >
            {!editable && (
              <p className="notice">
                {manageSequences
                  ? 'This sequence is active. Select Edit to work on a new version while this one keeps running.'
                  : 'Managers build and change sequences; here you can see its steps.'}
              </p>
            )}
            <Designer label={`Steps of ${sequence.name}`} />
          </DesignerProvider>
        )}
        {tab === 'details' && (
          <SequenceDetails
            sequence={sequence}
            onOpen={(next) => setParams({ tab: next })}
            canManage={manageSequences}
            onEdit={() => setDialog('details')}
          />
        )}
        {tab === 'records' && <ConnectedRecords sequence={sequence} onChanged={reload} />}
        {tab === 'stats' && (
          <Suspense fallback={<Loading label="Loading stats…" />}>
            <SequenceStats sequence={sequence} />
          </Suspense>
        )}
        {tab === 'versions' && <VersionHistory sequence={sequence} />}
      </div>

      {dialog === 'details' && (
        <EditDetailsDialog
          sequence={sequence}
          onClose={() => setDialog(null)}
          onSaved={(saved) => {
            setDialog(null);
            setSequence(saved);
          }}
        />
      )}
      <Dialog
        title="Activate this sequence?"
        open={dialog === 'activate'}
        onClose={() => setDialog(null)}
        size="small"
        footer={
          <>
            <button type="button" className="button" onClick={() => setDialog(null)}>
              Cancel
            </button>
            <button type="button" className="button button-primary" onClick={activate}>
              Activate
            </button>
          </>
        }
      >
        {sequence.status === 'revision' ? (
          <>
            <p>
              Activating publishes version {sequence.version}. Records already connected stay on their
              version.
            </p>
            <label className="field">
              <span className="field-label">What changed in this version</span>
              <textarea
                rows={3}
                value={versionDescription}
                onChange={(e) => setVersionDescription(e.target.value)}
              />
            </label>
          </>
        ) : (
          <p>
            Once active, records can be connected to it and it can no longer be edited directly.
            {dirty && ' Your unsaved changes are saved first.'}
          </p>
        )}
      </Dialog>
      <Dialog
        title="Leave without saving?"
        open={blocker.state === 'blocked'}
        onClose={() => blocker.reset?.()}
        size="small"
        footer={
          <>
            <button type="button" className="button" onClick={() => blocker.reset?.()}>
              Stay
            </button>
            <button type="button" className="button button-danger" onClick={() => blocker.proceed?.()}>
              Leave and discard changes
            </button>
          </>
        }
      >
        <p>The changes to the steps of “{sequence.name}” are not saved yet.</p>
      </Dialog>
      <Dialog
        title="Discard this revision?"
        open={dialog === 'discard'}
        onClose={() => setDialog(null)}
        size="small"
        footer={
          <>
            <button type="button" className="button" onClick={() => setDialog(null)}>
              Keep editing
            </button>
            <button
              type="button"
              className="button button-danger"
              onClick={() =>
                lifecycle('discard', async () => {
                  // The edits go with the draft: nothing is left to ask about when the page changes.
                  store.getState().markSaved(store.getState().definition);
                  await api.sequences.discardRevision(sequence.id);
                })
              }
            >
              Discard revision
            </button>
          </>
        }
      >
        <p>
          Version {sequence.version} and its changes are deleted. The sequence stays active on version{' '}
          {sequence.activeVersion ?? sequence.version - 1}, as it ran all along.
        </p>
      </Dialog>
      <Dialog
        title="Deactivate this sequence?"
        open={dialog === 'deactivate'}
        onClose={() => setDialog(null)}
        size="small"
        footer={
          <>
            <button type="button" className="button" onClick={() => setDialog(null)}>
              Cancel
            </button>
            <button
              type="button"
              className="button button-danger"
              onClick={() => lifecycle('deactivate', () => api.sequences.deactivate(sequence.id))}
            >
              Deactivate
            </button>
          </>
        }
      >
        <p>
          The {sequence.enrolledCount ?? 0} connected record{sequence.enrolledCount === 1 ? '' : 's'} will be
          disconnected from it.
        </p>
      </Dialog>
      <Dialog
        title="Delete this sequence permanently?"
        open={dialog === 'delete'}
        onClose={() => setDialog(null)}
        size="small"
        footer={
          <>
            <button type="button" className="button" onClick={() => setDialog(null)}>
              Cancel
            </button>
            <button
              type="button"
              className="button button-danger"
              onClick={() =>
                lifecycle(
                  'delete',
                  () => api.sequences.remove(sequence.id),
                  () => {
                    discarding.current = true;
                    navigate('/sequences');
                  },
                )
              }
            >
              Delete permanently
            </button>
          </>
        }
      >
        <p>
          “{sequence.name}” is deleted for good.
          {sequence.status === 'active' && ' Records connected to it are disconnected.'}
        </p>
      </Dialog>
      <Dialog
        title="Clone this sequence"
        open={dialog === 'clone'}
        onClose={() => setDialog(null)}
        size="small"
        footer={
          <>
            <button type="button" className="button" onClick={() => setDialog(null)}>
              Cancel
            </button>
            <button
              type="button"
              className="button button-primary"
              disabled={cloneName.trim() === ''}
              onClick={() =>
                run('clone', async () => {
                  setDialog(null);
                  const copy = await api.sequences.clone(sequence.id, cloneName.trim());
                  navigate(`/sequences/${encodeURIComponent(copy.id)}`);
                })
              }
            >
              Clone
            </button>
          </>
        }
      >
        <label className="field">
          <span className="field-label">Name of the copy</span>
          <input value={cloneName} onChange={(e) => setCloneName(e.target.value)} />
        </label>
      </Dialog>
    </div>
  );
}

function SequenceDetails({
  sequence,
  onOpen,
  canManage,
  onEdit,
}: {
  sequence: Sequence;
  onOpen: (tab: Tab) => void;
  /** Managers edit the details, except while the sequence is active (the server refuses: `sequence_active`). */
  canManage: boolean;
  onEdit: () => void;
}) {
  const owner = useOwnerName(sequence);
  // In the user's own zone and format, as every other time in the app (not the browser's).
  const zone = useSession()?.user.timezone ?? 'UTC';
  const kinds = new Map<string, number>();
  for (const step of sequence.definition.steps)
    if (step.type !== 'wait' && step.type !== 'condition')
      kinds.set(STEP_TYPE_LOOKS[step.type].title, (kinds.get(STEP_TYPE_LOOKS[step.type].title) ?? 0) + 1);
  const breakdown = [...kinds]
    .map(([title, n]) => `${n} ${title.toLowerCase()}${n === 1 ? '' : 's'}`)
    .join(', ');
  const rows: [string, string][] = [
    ['Name', sequence.name],
    ['Description', sequence.description || '—'],
    ['Tags', sequence.tags === undefined || sequence.tags.length === 0 ? '—' : sequence.tags.join(', ')],
    ['Owner', owner],
    ['Status', `${STATUS_NAMES[sequence.status]} · version ${sequence.version}`],
    ['Record type', ENTITY_NAMES[sequence.entityType]],
    ['Activities', `${sequence.summary.stepCount}${breakdown === '' ? '' : ` (${breakdown})`}`],
    ['Duration', days(sequence.summary.durationDays)],
  ];
  if (sequence.updatedAt !== undefined)
    rows.push(['Last changed', describeDue(sequence.updatedAt, Date.now(), zone).absolute]);
  return (
    <div className="details-layout">
      <ul className="stat-cards details-cards">
        <li className="stat-card">
          <span className="stat-value">{sequence.summary.stepCount}</span>
          <span className="stat-label">Activities</span>
        </li>
        <li className="stat-card">
          <span className="stat-value">{sequence.summary.durationDays}</span>
          <span className="stat-label">Days</span>
        </li>
        <li className="stat-card">
          <span className="stat-value">{sequence.enrolledCount ?? 0}</span>
          <span className="stat-label">Connected records</span>
          <button type="button" className="link-button stat-link" onClick={() => onOpen('records')}>
            View connected records
          </button>
        </li>
      </ul>
      {canManage && (
        <div className="details-edit">
          {sequence.status === 'active' ? (
            <p className="field-hint">
              The name, description and tags of an active sequence can’t change: select Edit to work on a new
              version, or deactivate it first.
            </p>
          ) : (
            <button type="button" className="button" onClick={onEdit}>
              Edit details
            </button>
          )}
        </div>
      )}
      <dl className="details">
        {rows.map(([term, value]) => (
          <div key={term} className="details-row">
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

/** The owner's name: the caller's own, or from the user list (administrators), else the id. */
function useOwnerName(sequence: Sequence): string {
  const api = useApi();
  const session = useSession();
  const me = session?.user;
  const [name, setName] = useState<string | null>(sequence.ownerName ?? null);
  useEffect(() => {
    if (sequence.ownerName !== undefined || me?.id === sequence.ownerId) return;
    let live = true;
    api.users
      .directory()
      .then((users) => {
        const owner = users.find((u) => u.id === sequence.ownerId);
        if (live && owner !== undefined) setName(owner.name);
      })
      .catch(() => undefined); // the id stays shown
    return () => {
      live = false;
    };
  }, [api, me?.id, sequence.ownerId, sequence.ownerName]);
  if (me?.id === sequence.ownerId) return `${me.name} (you)`;
  return name ?? sequence.ownerId;
}
