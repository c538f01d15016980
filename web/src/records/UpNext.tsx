// The Up next widget of a record page (as Dynamics' record summary): the current activity with its
// actions, the step that follows (view only; both branches at a condition), and the steps already done
// with their dates and outcomes.
import type { Step } from '@domain/definition.js';
import { useId } from 'react';
import type { EnrollmentDetail, EnrollmentHistoryEntry, Sequence, WorkItem } from '../api/types.js';
import { describeCondition, OUTCOME_NAMES, stepTitle } from '../designer/describe-step.js';
import { STEP_TYPE_LOOKS } from '../designer/step-kinds.js';
import { END_REASON_NAMES } from '../sequences/stats-data.js';
import { Icon } from '../ui/Icon.js';
import { describeDue } from '../work/due-time.js';
import { StepActionButtons } from '../work/StepActionButtons.js';
import type { StepDialogKind } from '../work/StepDialogHost.js';
import { StepReach } from '../work/StepReach.js';
import { type Upcoming, upcomingAfter } from './upcoming-steps.js';

const STATE_NAMES: Record<EnrollmentHistoryEntry['state'], string> = {
  waiting: 'Scheduled',
  open: 'Open',
  completed: 'Completed',
  skipped: 'Skipped',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

export function UpNextCurrent({
  item,
  now,
  zone,
  busy,
  onOpen,
  onSkipWait,
  onResume,
}: {
  item: WorkItem;
  now: number;
  zone: string;
  busy: boolean;
  onOpen: (kind: StepDialogKind) => void;
  onSkipWait: () => void;
  onResume: () => void;
}) {
  const titleId = useId();
  const look = STEP_TYPE_LOOKS[item.step.type];
  const due = item.dueAt === null ? null : describeDue(item.dueAt, now, zone);
  const title = stepTitle({ name: item.step.name ?? undefined, type: item.step.type } as Pick<
    Step,
    'name' | 'type'
  >);
  const manual = !['wait', 'condition', 'automated_email', 'update_field', 'advance_to_sequence'].includes(
    item.step.type,
  );
  // A paused enrollment's step can't be worked (the server refuses) and nothing falls due: resume first.
  const paused = item.enrollmentStatus === 'paused';
  return (
    <article className="up-next-current" aria-labelledby={titleId}>
      <span className="flow-step-icon" aria-hidden="true">
        <Icon name={look.icon} />
      </span>
      <div className="up-next-text">
        <p className="up-next-label">Current activity</p>
        <h3 id={titleId}>
          {title} {paused && <span className="badge badge-enrollment-paused">Paused</span>}
        </h3>
        {(title !== look.title || item.step.description) && (
          <p className="muted">
            {[title === look.title ? null : look.title, item.step.description || null]
              .filter(Boolean)
              .join(' · ')}
          </p>
        )}
        {paused ? (
          <p className="muted">
            The sequence is paused for this record: nothing falls due and this step can’t be worked until it
            resumes.
          </p>
        ) : (
          due !== null && (
            <p className="muted">
              {currentWhen(item)} {due.relative} (<time dateTime={due.iso}>{due.absolute}</time>)
            </p>
          )
        )}
        {manual && <StepReach type={item.step.type} record={item.record} />}
        {paused && (
          <button type="button" className="button button-small" disabled={busy} onClick={onResume}>
            Resume
          </button>
        )}
        {/* Open, or not yet open: a seller may work ahead of the step's time. */}
        {!paused && manual && (item.state === 'open' || item.state === 'waiting') && (
          <StepActionButtons type={item.step.type} disabled={busy} onOpen={onOpen} />
        )}
        {!paused && item.step.type === 'wait' && (
          <button type="button" className="button button-small" disabled={busy} onClick={onSkipWait}>
            Skip wait
          </button>
        )}
      </div>
    </article>
  );
}

function currentWhen(item: WorkItem): string {
  if (item.step.type === 'wait') return 'Waits until';
  if (item.step.type === 'condition') return 'Decides';
  if (item.step.type === 'automated_email') return 'Goes out';
  return item.state === 'open' ? 'Due' : 'Opens';
}

export function UpNextUpcoming({
  sequence,
  enrollment,
  currentStepId,
}: {
  sequence: Sequence | undefined;
  enrollment: EnrollmentDetail | undefined;
  currentStepId: string;
}) {
  if (sequence === undefined || enrollment === undefined) return null;
  if (sequence.version !== enrollment.sequenceVersion)
    return (
      <p className="muted up-next-upcoming">
        This record runs version {enrollment.sequenceVersion} of the sequence; the next steps are not shown.
      </p>
    );
  const upcoming = upcomingAfter(sequence.definition, currentStepId);
  if (upcoming === undefined) return null;
  const nameOf = (id: string) => {
    const step = sequence.definition.steps.find((s) => s.id === id);
    return step === undefined ? id : stepTitle(step);
  };
  return (
    <div className="up-next-upcoming">
      <p className="up-next-label">Upcoming</p>
      <UpcomingView upcoming={upcoming} nameOf={nameOf} />
    </div>
  );
}

function UpcomingView({ upcoming, nameOf }: { upcoming: Upcoming; nameOf: (id: string) => string }) {
  const waits =
    upcoming.waits.length === 0 ? null : <span className="muted">after {upcoming.waits.join(' + ')}: </span>;
  switch (upcoming.kind) {
    case 'end':
      return <p>{waits}The sequence ends.</p>;
    case 'step':
      return (
        <p className="upcoming-step">
          {waits}
          <Icon name={STEP_TYPE_LOOKS[upcoming.step.type].icon} size={16} />{' '}
          <strong>{stepTitle(upcoming.step)}</strong>{' '}
          <span className="muted">({STEP_TYPE_LOOKS[upcoming.step.type].title})</span>
        </p>
      );
    case 'branch':
      return (
        <div>
          <p>
            {waits}
            <Icon name="branch" size={16} /> {describeCondition(upcoming.condition.if, nameOf)}
          </p>
          <ul className="upcoming-branches">
            <li>
              <span className="flow-branch flow-branch-yes">Yes</span>{' '}
              <UpcomingView upcoming={upcoming.yes} nameOf={nameOf} />
            </li>
            <li>
              <span className="flow-branch flow-branch-no">No</span>{' '}
              <UpcomingView upcoming={upcoming.no} nameOf={nameOf} />
            </li>
          </ul>
        </div>
      );
  }
}

/** A history row's outcome in words: a call's outcome, or why a cancelled step ended (its enrollment's end). */
function outcomeText(outcome: string): string {
  return (
    OUTCOME_NAMES[outcome as keyof typeof OUTCOME_NAMES] ??
    END_REASON_NAMES[outcome] ??
    outcome.replaceAll('_', ' ')
  );
}

export function UpNextHistory({
  enrollment,
  zone,
  now,
}: {
  enrollment: EnrollmentDetail | undefined;
  zone: string;
  now: number;
}) {
  const ended = (enrollment?.history ?? [])
    .filter((h) => h.state !== 'open' && h.state !== 'waiting' && !['wait', 'condition'].includes(h.type))
    .sort((a, b) => Date.parse(b.completedAt ?? '') - Date.parse(a.completedAt ?? '') || 0);
  // A cancelled step was never done: the enrollment ended first, so it is not listed with the steps that were.
  const past = ended.filter((h) => h.state !== 'cancelled');
  const cancelled = ended.filter((h) => h.state === 'cancelled');
  return (
    <div className="up-next-history">
      <h3 className="up-next-label">Past steps</h3>
      {past.length === 0 ? (
        <p className="muted">Nothing done yet.</p>
      ) : (
        <HistoryList entries={past} zone={zone} now={now} />
      )}
      {cancelled.length > 0 && (
        <>
          <h3 className="up-next-label">Cancelled steps</h3>
          <HistoryList entries={cancelled} zone={zone} now={now} />
        </>
      )}
    </div>
  );
}

function HistoryList({
  entries,
  zone,
  now,
}: {
  entries: EnrollmentHistoryEntry[];
  zone: string;
  now: number;
}) {
  return (
    <ol className="history-list">
      {entries.map((h) => {
        const when = h.completedAt ? describeDue(h.completedAt, now, zone) : null;
        return (
          <li key={h.id} className={`history-item history-${h.state}`}>
            <span className="flow-step-icon" aria-hidden="true">
              <Icon name={STEP_TYPE_LOOKS[h.type]?.icon ?? 'check'} size={16} />
            </span>
            <div>
              <p className="history-title">
                <strong>{h.name ?? STEP_TYPE_LOOKS[h.type]?.title ?? h.type}</strong>{' '}
                <span className={`badge badge-${h.state}`}>{STATE_NAMES[h.state]}</span>
                {h.outcome && <span className="badge">{outcomeText(h.outcome)}</span>}
              </p>
              {when !== null && (
                <p className="muted">
                  <time dateTime={when.iso}>{when.absolute}</time> ({when.relative})
                </p>
              )}
              {h.notes && <p className="history-notes">{h.notes}</p>}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
