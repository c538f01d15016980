// A record: its fields, owner and current sequence, the sequences it ran (SequenceHistory), and the Up next widget where the seller works the
// current step (complete with outcome and notes, skip, snooze, send the email), sees what follows and
// what is done, and can disconnect the record from its sequence, or connect it to one when it runs in none;
// Edit changes its details (a new number learnt on a call) without going back to the list.
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { ApiError } from '../api/api-error.js';
import type { CrmRecord, WorkItem } from '../api/types.js';
import { useApi, useSession } from '../app/api-context.js';
import { type Notice, Notices, useNotices } from '../ui/Notices.js';
import { problemText } from '../ui/problem-text.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';
import { targetOf } from '../work/ActionTarget.js';
import { webProfileUrl } from '../work/record-reach.js';
import { type OpenStepDialog, StepDialogHost } from '../work/StepDialogHost.js';
import { useServerNow } from '../work/server-now.js';
import { actionDoneText, performStepAction } from '../work/step-actions.js';
import { useMyMailbox } from '../work/use-my-mailbox.js';
import { ConnectSequenceDialog } from './ConnectSequenceDialog.js';
import { DisconnectDialog } from './DisconnectDialog.js';
import { EmailSuppressedNotice } from './EmailSuppressed.js';
import { RecordFormDialog } from './RecordFormDialog.js';
import { ENTITY_PATHS, ENTITY_PLURALS, entityFromPath } from './record-types.js';
import { EnrollmentSteps, SequenceHistory } from './SequenceHistory.js';
import { UpNextCurrent, UpNextHistory, UpNextUpcoming } from './UpNext.js';

const ENTITY_SINGULAR = {
  lead: 'Lead',
  contact: 'Contact',
  account: 'Account',
  opportunity: 'Opportunity',
} as const;

export function RecordPage() {
  const { id = '', type: path } = useParams();
  const api = useApi();
  const session = useSession();
  const zone = session?.user.timezone ?? 'UTC';
  const [generation, setGeneration] = useState(0);
  const reload = () => setGeneration((g) => g + 1);
  const clock = useServerNow(api, generation);
  const record = useResource(() => api.records.get(id), [api, id, generation]);
  const mailbox = useMyMailbox();
  const upNext = useResource((signal) => api.records.upNext(id, signal), [api, id, generation]);
  const owners = useResource(
    () => (session === null ? Promise.resolve([]) : api.users.directory()),
    [api, session?.user.id],
  );
  const [dialog, setDialog] = useState<OpenStepDialog | null>(null);
  const [disconnecting, setDisconnecting] = useState(false);
  const [connecting, setConnecting] = useState(false);
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const { notices, push, dismiss } = useNotices();
  /** An Up next button's action: busy meanwhile, then a notice and the page read again. */
  const act = async (action: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await action();
      push({ kind: 'success', text: done });
      reload();
    } catch (error) {
      push({ kind: 'error', text: problemText(error) });
    } finally {
      setBusy(false);
    }
  };

  if (record.status === 'loading' && record.data === undefined)
    return <Loading label="Loading the record…" />;
  if (record.status === 'error' && record.data === undefined)
    return (
      <div className="page">
        {record.error instanceof ApiError && record.error.status === 404 ? (
          <RecordNotFound listPath={path} />
        ) : (
          <ErrorState error={record.error} onRetry={record.reload} />
        )}
      </div>
    );
  const r = record.data as CrmRecord;
  const linkedinHref = webProfileUrl(r.linkedinUrl);
  const ownerName = owners.data?.find((u) => u.id === r.ownerId)?.name;
  const items = upNext.data ?? [];
  const enrollmentId = items[0]?.enrollmentId ?? r.currentSequence?.enrollmentId;

  return (
    <div className="page record-page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to={`/records/${ENTITY_PATHS[r.type]}`}>{ENTITY_PLURALS[r.type]}</Link>
          </p>
          <h1>{r.name}</h1>
          <p className="muted">
            {ENTITY_SINGULAR[r.type]}
            {r.company ? ` · ${r.company}` : ''}
          </p>
          <p className="muted">Times are in {zone}.</p>
        </div>
        <div className="actions">
          <button type="button" className="button" onClick={() => setEditing(true)}>
            Edit
          </button>
          {r.currentSequence ? (
            <button type="button" className="button button-danger" onClick={() => setDisconnecting(true)}>
              Disconnect from sequence
            </button>
          ) : (
            <button type="button" className="button button-primary" onClick={() => setConnecting(true)}>
              Connect to a sequence
            </button>
          )}
        </div>
      </header>
      <div className="record-grid">
        <div className="record-column">
          <section className="card" aria-labelledby="record-details-title">
            <h2 id="record-details-title">Details</h2>
            {r.emailSuppressed && <EmailSuppressedNotice suppression={r.emailSuppressed} />}
            <dl className="details">
              <Detail label="Owner">
                {ownerName ?? (r.ownerId === session?.user.id ? 'You' : 'Another user')}
              </Detail>
              <Detail label="Sequence">
                {r.currentSequence ? (
                  <Link to={`/sequences/${encodeURIComponent(r.currentSequence.id)}`}>
                    {r.currentSequence.name}
                  </Link>
                ) : (
                  'None'
                )}
              </Detail>
              <Detail label="Email">{r.email ? <a href={`mailto:${r.email}`}>{r.email}</a> : '—'}</Detail>
              <Detail label="Phone">{r.phone ? <a href={`tel:${r.phone}`}>{r.phone}</a> : '—'}</Detail>
              <Detail label="Company">{r.company ?? '—'}</Detail>
              {r.linkedinUrl && (
                <Detail label="LinkedIn">
                  {/* Only a web address is a link: never a stored `javascript:` one. */}
                  {linkedinHref === null ? (
                    r.linkedinUrl
                  ) : (
                    <a href={linkedinHref} rel="noreferrer noopener" target="_blank">
                      Profile
                    </a>
                  )}
                </Detail>
              )}
              <Detail label="Time zone">{r.timezone ?? 'Owner’s'}</Detail>
              {/* By name: the stores keep different key orders (PostgreSQL's jsonb sorts them its own way). */}
              {Object.entries(r.fields ?? {})
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([key, value]) => (
                  <Detail key={key} label={key}>
                    {value === null || value === undefined ? '—' : String(value)}
                  </Detail>
                ))}
            </dl>
          </section>
          <section className="card sequence-history-card" aria-labelledby="sequence-history-title">
            <h2 id="sequence-history-title">Sequence history</h2>
            <SequenceHistory
              recordId={r.id}
              generation={generation}
              now={clock.now}
              zone={zone}
              onRunChanged={(text) => {
                push({ kind: 'success', text });
                reload();
              }}
            />
          </section>
        </div>
        <section className="card up-next-card" aria-labelledby="up-next-title">
          <div className="up-next-header">
            <h2 id="up-next-title">Up next</h2>
            {r.currentSequence && <span className="muted">{r.currentSequence.name}</span>}
          </div>
          {upNext.status === 'loading' && upNext.data === undefined && <Loading />}
          {upNext.status === 'error' && <ErrorState error={upNext.error} onRetry={upNext.reload} />}
          {upNext.data !== undefined && items.length === 0 && (
            <Empty title={r.currentSequence ? 'Nothing to work now' : 'Not on a sequence'}>
              {r.currentSequence
                ? 'Its sequence has no step open or scheduled (a paused sequence waits until it resumes).'
                : 'Use Connect to a sequence above to start one for this record.'}
            </Empty>
          )}
          {items.map((item: WorkItem) => (
            <UpNextEnrollment
              key={item.id}
              item={item}
              now={clock.now}
              zone={zone}
              busy={busy}
              generation={generation}
              onOpen={(kind) => setDialog({ kind, target: targetOf(item) })}
              onSkipWait={() =>
                act(
                  () => performStepAction(api, item.id, { type: 'skip-wait' }),
                  'The wait ended; the sequence moved on.',
                )
              }
              onResume={() =>
                act(
                  () => api.enrollment.resume(item.enrollmentId),
                  'The sequence resumed; its pending times moved by the pause.',
                )
              }
            />
          ))}
          {items.length === 0 && enrollmentId !== undefined && (
            <EnrollmentSteps
              enrollmentId={enrollmentId}
              generation={generation}
              now={clock.now}
              zone={zone}
            />
          )}
        </section>
      </div>
      <StepDialogHost
        dialog={dialog}
        now={clock.now}
        zone={zone}
        onClose={() => setDialog(null)}
        onSubmit={async (target, action) => {
          await performStepAction(api, target.id, action);
          push({ kind: 'success', text: actionDoneText(action, target.recordName, mailbox) } satisfies Omit<
            Notice,
            'id'
          >);
          reload();
        }}
      />
      <ConnectSequenceDialog
        open={connecting}
        entityType={r.type}
        records={[r]}
        onClose={(changed) => {
          setConnecting(false);
          if (changed) reload();
        }}
      />
      {editing && (
        <RecordFormDialog
          entityType={r.type}
          record={r}
          // A manager may hand the record to another seller; a salesperson's records stay their own.
          owners={session !== null && session.user.role !== 'salesperson' ? (owners.data ?? []) : null}
          onClose={(changed) => {
            setEditing(false);
            if (changed) {
              push({ kind: 'success', text: 'Saved the record’s details.' });
              reload();
            }
          }}
        />
      )}
      {disconnecting && (
        <DisconnectDialog
          records={[r]}
          onClose={(changed) => {
            setDisconnecting(false);
            if (changed) reload();
          }}
        />
      )}
      <Notices notices={notices} onDismiss={dismiss} />
    </div>
  );
}

/** A 404 is final (no such record, or another seller's): no retry, the way back to the list instead. */
function RecordNotFound({ listPath }: { listPath: string | undefined }) {
  const entityType = entityFromPath(listPath) ?? 'lead';
  return (
    <Empty
      title="This record does not exist or is not yours"
      action={
        <Link className="button" to={`/records/${ENTITY_PATHS[entityType]}`}>
          Back to {ENTITY_PLURALS[entityType].toLowerCase()}
        </Link>
      }
    >
      It may have been deleted, or another seller owns it.
    </Empty>
  );
}

function Detail({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="details-row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** One running enrollment: its current step, what follows, and what is done. */
function UpNextEnrollment({
  item,
  now,
  zone,
  busy,
  generation,
  onOpen,
  onSkipWait,
  onResume,
}: {
  item: WorkItem;
  now: number;
  zone: string;
  busy: boolean;
  generation: number;
  onOpen: Parameters<typeof UpNextCurrent>[0]['onOpen'];
  onSkipWait: () => void;
  onResume: () => void;
}) {
  const api = useApi();
  const enrollment = useResource(
    (signal) => api.enrollment.get(item.enrollmentId, signal),
    [api, item.enrollmentId, generation],
  );
  const sequence = useResource(() => api.sequences.get(item.sequence.id), [api, item.sequence.id]);
  return (
    <div className="up-next-enrollment">
      <UpNextCurrent
        item={item}
        now={now}
        zone={zone}
        busy={busy}
        onOpen={onOpen}
        onSkipWait={onSkipWait}
        onResume={onResume}
      />
      <UpNextUpcoming sequence={sequence.data} enrollment={enrollment.data} currentStepId={item.step.id} />
      {enrollment.status === 'error' && <ErrorState error={enrollment.error} onRetry={enrollment.reload} />}
      <UpNextHistory enrollment={enrollment.data} now={now} zone={zone} />
    </div>
  );
}
