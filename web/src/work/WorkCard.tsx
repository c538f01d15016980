// One step in My work: the record, the step (name and description), how to reach the record for it (a
// call's number, a LinkedIn profile), its sequence, when it is due, and its quick actions (a snoozed step: Snooze again); an email step can be selected for a bulk send.
import { useId } from 'react';
import { Link } from 'react-router-dom';
import type { WorkItem } from '../api/types.js';
import { STEP_TYPE_LOOKS } from '../designer/step-kinds.js';
import { ENTITY_PATHS } from '../records/record-types.js';
import { Icon } from '../ui/Icon.js';
import { describeDue } from './due-time.js';
import { StepActionButtons } from './StepActionButtons.js';
import type { StepDialogKind } from './StepDialogHost.js';
import { StepReach } from './StepReach.js';

export function WorkCard({
  item,
  now,
  zone,
  overdue,
  selectable,
  selected,
  onToggle,
  onOpen,
}: {
  item: WorkItem;
  now: number;
  zone: string;
  overdue: boolean;
  /** Whether it may join the current bulk selection (an open email step of the same step). */
  selectable: boolean;
  selected: boolean;
  onToggle: () => void;
  onOpen: (kind: StepDialogKind) => void;
}) {
  const titleId = useId();
  const look = STEP_TYPE_LOOKS[item.step.type];
  const due = item.dueAt === null ? null : describeDue(item.dueAt, now, zone);
  const scheduled = item.state !== 'open';
  // A snoozed step opens at the time a seller chose; until then it can take another one.
  const snoozed = scheduled && item.snoozedAt !== null && item.snoozedAt !== undefined;
  return (
    <article className={`work-card${selected ? ' selected' : ''}`} aria-labelledby={titleId}>
      <div className="work-card-select">
        {item.step.type === 'email' && (
          <input
            type="checkbox"
            checked={selected}
            disabled={!selectable && !selected}
            onChange={onToggle}
            aria-label={`Select the email to ${item.record.name} for a bulk send`}
            title={
              selectable || selected ? undefined : 'Only open emails of the same step can be sent together'
            }
          />
        )}
      </div>
      <span className={`flow-step-icon work-card-icon work-icon-${item.step.type}`} aria-hidden="true">
        <Icon name={look.icon} />
      </span>
      <div className="work-card-text">
        <h2 id={titleId} className="work-card-title">
          <Link to={`/records/${ENTITY_PATHS[item.record.type]}/${encodeURIComponent(item.record.id)}`}>
            {item.record.name}
          </Link>
        </h2>
        <p className="work-card-step">
          <span className="work-card-kind">{look.title}:</span> {item.step.name ?? look.title}
        </p>
        {item.step.description !== null &&
          item.step.description !== undefined &&
          item.step.description !== '' && (
            <p className="work-card-description muted">{item.step.description}</p>
          )}
        <StepReach type={item.step.type} record={item.record} />
        <p className="work-card-meta muted">
          <span className="work-card-sequence">{item.sequence.name}</span>
          {due !== null && (
            <>
              {' · '}
              <span className={overdue ? 'due-overdue' : undefined}>
                {scheduled ? 'Opens' : overdue ? 'Was due' : 'Due'} {due.relative}
              </span>{' '}
              (<time dateTime={due.iso}>{due.absolute}</time>)
            </>
          )}
          {scheduled && <span className="badge work-card-badge">{snoozed ? 'Snoozed' : 'Scheduled'}</span>}
        </p>
      </div>
      <div className="work-card-actions">
        {/* A step not yet open (snoozed, or waiting for working hours) can be done ahead of its time. */}
        <StepActionButtons
          type={item.step.type}
          snoozeLabel={snoozed ? 'Snooze again' : 'Snooze'}
          onOpen={onOpen}
        />
      </div>
    </article>
  );
}
