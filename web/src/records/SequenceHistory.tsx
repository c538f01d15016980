// A record's sequence history: every sequence it was connected to, newest first, with how each run
// ended (GET /api/records/{id}/enrollments) and, on demand, the steps done in that run. Every role can open
// the sequence (a salesperson reads it, the page shows it read-only). A running run can be paused, a paused
// one resumed (run-control.ts).
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import type { RecordEnrollment } from '../api/types.js';
import { useApi, useSession } from '../app/api-context.js';
import { type CurrentStep, currentStepText } from '../sequences/current-step.js';
import { END_REASON_NAMES, ENROLLMENT_STATUS_NAMES } from '../sequences/stats-data.js';
import { problemText } from '../ui/problem-text.js';
import { ErrorState, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';
import { describeDue } from '../work/due-time.js';
import { PauseEnrollmentDialog } from './PauseEnrollmentDialog.js';
import { runControlFor } from './run-control.js';
import { UpNextHistory } from './UpNext.js';

const PAGE_SIZE = 10;

export function SequenceHistory({
  recordId,
  generation,
  now,
  zone,
  onRunChanged,
}: {
  recordId: string;
  generation: number;
  now: number;
  zone: string;
  /** After a run was paused or resumed here, with the notice to show; the page reloads. */
  onRunChanged: (text: string) => void;
}) {
  const api = useApi();
  const first = useResource(
    (signal) => api.records.enrollments(recordId, { limit: PAGE_SIZE }, signal),
    [api, recordId, generation],
  );
  const [older, setOlder] = useState<{ items: RecordEnrollment[]; cursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);
  // A reload (an action on the page) starts again from the newest page.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on a new first page
  useEffect(() => {
    setOlder(null);
    setMoreError(null);
  }, [first.data]);

  if (first.status === 'loading' && first.data === undefined) return <Loading label="Loading the history…" />;
  if (first.status === 'error' && first.data === undefined)
    return <ErrorState error={first.error} onRetry={first.reload} />;
  const page = first.data ?? { items: [], nextCursor: null };
  const items = [...page.items, ...(older?.items ?? [])];
  const cursor = (older === null ? page.nextCursor : older.cursor) ?? null;

  const showOlder = async () => {
    if (cursor === null) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const next = await api.records.enrollments(recordId, { limit: PAGE_SIZE, cursor });
      setOlder((o) => ({ items: [...(o?.items ?? []), ...next.items], cursor: next.nextCursor ?? null }));
    } catch (error) {
      setMoreError(problemText(error));
    } finally {
      setLoadingMore(false);
    }
  };

  if (items.length === 0)
    return <p className="muted">This record has not been connected to a sequence yet.</p>;
  return (
    <>
      <ol className="history-list sequence-history" aria-label="Sequences this record ran">
        {items.map((e) => (
          <SequenceRun
            key={e.enrollmentId}
            run={e}
            now={now}
            zone={zone}
            generation={generation}
            onRunChanged={onRunChanged}
          />
        ))}
      </ol>
      {moreError !== null && (
        <p className="form-error" role="alert">
          {moreError}
        </p>
      )}
      {cursor !== null && (
        <button type="button" className="button" disabled={loadingMore} onClick={showOlder}>
          {loadingMore ? 'Loading…' : 'Show older'}
        </button>
      )}
    </>
  );
}

function SequenceRun({
  run,
  now,
  zone,
  generation,
  onRunChanged,
}: {
  run: RecordEnrollment;
  now: number;
  zone: string;
  generation: number;
  onRunChanged: (text: string) => void;
}) {
  const api = useApi();
  const user = useSession()?.user;
  const control = runControlFor(run, user);
  const [open, setOpen] = useState(false);
  const [pausing, setPausing] = useState(false);
  const [resuming, setResuming] = useState(false);
  const [resumeError, setResumeError] = useState<string | null>(null);
  const name = run.sequence?.name ?? 'A deleted sequence';
  const running = run.status === 'active' || run.status === 'paused';
  const started = describeDue(run.startedAt, now, zone);
  const ended = run.endedAt === null ? null : describeDue(run.endedAt, now, zone);
  const resume = async () => {
    setResuming(true);
    setResumeError(null);
    try {
      await api.enrollment.resume(run.enrollmentId);
      onRunChanged(`Resumed ${name}; its waits and time limits moved on by the time it was paused.`);
    } catch (error) {
      setResumeError(problemText(error));
    } finally {
      setResuming(false);
    }
  };
  return (
    <li className="history-item sequence-run">
      <div className="sequence-run-body">
        <p className="history-title">
          <strong>
            {run.sequence !== null && !run.sequence.deleted ? (
              <Link to={`/sequences/${encodeURIComponent(run.sequence.id)}`}>{name}</Link>
            ) : (
              name
            )}
          </strong>{' '}
          {run.sequence?.deleted && <span className="muted">(deleted)</span>}{' '}
          <span className={`badge badge-enrollment-${run.status}`}>
            {ENROLLMENT_STATUS_NAMES[run.status] ?? run.status}
          </span>
        </p>
        <p className="muted">
          Started <time dateTime={started.iso}>{started.absolute}</time>
          {ended !== null && (
            <>
              {' · ended '}
              <time dateTime={ended.iso}>{ended.absolute}</time>
            </>
          )}
          {run.endReason !== null && ` · ${END_REASON_NAMES[run.endReason] ?? run.endReason}`}
        </p>
        {running && run.currentStep !== null && <NowAt run={run} step={run.currentStep} />}
        {resumeError !== null && (
          <p className="form-error" role="alert">
            {resumeError}
          </p>
        )}
        {control === 'pause' && (
          <button type="button" className="button button-small" onClick={() => setPausing(true)}>
            Pause
          </button>
        )}
        {control === 'resume' && (
          <button type="button" className="button button-small" disabled={resuming} onClick={resume}>
            {resuming ? 'Resuming…' : 'Resume'}
          </button>
        )}{' '}
        <button
          type="button"
          className="button button-quiet button-small"
          aria-expanded={open}
          onClick={() => setOpen((o) => !o)}
        >
          {open ? 'Hide steps' : 'Show steps'}
        </button>
        {open && (
          <EnrollmentSteps enrollmentId={run.enrollmentId} now={now} zone={zone} generation={generation} />
        )}
      </div>
      {pausing && (
        <PauseEnrollmentDialog
          sequenceName={name}
          onClose={() => setPausing(false)}
          onPause={async () => {
            await api.enrollment.pause(run.enrollmentId);
            onRunChanged(`Paused ${name}. Its steps wait until you resume it.`);
          }}
        />
      )}
    </li>
  );
}

/** A running enrollment's step in words, from its version's definition (read when that is the sequence's). */
function NowAt({ run, step }: { run: RecordEnrollment; step: CurrentStep }) {
  const api = useApi();
  const sequenceId = run.sequence?.deleted === false ? run.sequence.id : null;
  const sequence = useResource(
    () => (sequenceId === null ? Promise.resolve(undefined) : api.sequences.get(sequenceId)),
    [api, sequenceId],
  );
  const definition = sequence.data?.version === run.sequenceVersion ? sequence.data.definition : undefined;
  return <p className="muted">Now at: {currentStepText(step, definition)}</p>;
}

/** The completed steps of one enrollment (ended or running), loaded when shown. */
export function EnrollmentSteps({
  enrollmentId,
  now,
  zone,
  generation,
}: {
  enrollmentId: string;
  now: number;
  zone: string;
  generation: number;
}) {
  const api = useApi();
  const enrollment = useResource(
    (signal) => api.enrollment.get(enrollmentId, signal),
    [api, enrollmentId, generation],
  );
  if (enrollment.status === 'error')
    return <ErrorState error={enrollment.error} onRetry={enrollment.reload} />;
  if (enrollment.data === undefined) return <Loading />;
  return <UpNextHistory enrollment={enrollment.data} now={now} zone={zone} />;
}
