// My work: the seller's steps, overdue, due today and upcoming.
import { useId, useState } from 'react';
import { Link } from 'react-router-dom';
import { useApi } from '../app/api-context.js';
import { stepTitle } from '../designer/describe-step.js';
import { STEP_TYPE_LOOKS } from '../designer/step-kinds.js';
import { ENTITY_PATHS } from '../records/record-types.js';
import { Icon } from '../ui/Icon.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { Tabs, tabPanelProps } from '../ui/Tabs.js';
import { useResource } from '../ui/use-resource.js';

const WHEN = ['overdue', 'today', 'upcoming'] as const;
type When = (typeof WHEN)[number];
const WHEN_NAMES: Record<When, string> = { overdue: 'Overdue', today: 'Today', upcoming: 'Upcoming' };

export function MyWorkPage() {
  const api = useApi();
  const [when, setWhen] = useState<When>('today');
  const tabsId = useId();
  const work = useResource(() => api.worklist.list({ when }), [api, when]);
  return (
    <div className="page">
      <header className="page-header">
        <h1>My work</h1>
      </header>
      <Tabs
        id={tabsId}
        label="When"
        items={WHEN.map((key) => ({ key, label: WHEN_NAMES[key] }))}
        selected={when}
        onSelect={setWhen}
      />
      <div {...tabPanelProps(tabsId, when)}>
        {work.status === 'loading' && <Loading label="Loading your work…" />}
        {work.status === 'error' && <ErrorState error={work.error} onRetry={work.reload} />}
        {work.status === 'ok' && work.data.items.length === 0 && (
          <Empty
            title={
              when === 'overdue'
                ? 'Nothing overdue'
                : `Nothing ${when === 'today' ? 'due today' : 'coming up'}`
            }
          >
            Steps of the sequences your records are on appear here when they are due.
          </Empty>
        )}
        {work.status === 'ok' && work.data.items.length > 0 && (
          <ul className="work-list">
            {work.data.items.map((item) => (
              <li key={item.id} className="work-card">
                <span className="flow-step-icon" aria-hidden="true">
                  <Icon name={STEP_TYPE_LOOKS[item.step.type].icon} />
                </span>
                <div>
                  <Link
                    className="row-title"
                    to={`/records/${ENTITY_PATHS[item.record.type]}/${encodeURIComponent(item.record.id)}`}
                  >
                    {item.record.name}
                  </Link>
                  <p className="muted">
                    {stepTitle({ name: item.step.name, type: item.step.type } as Parameters<
                      typeof stepTitle
                    >[0])}{' '}
                    · {item.sequence.name} · due {new Date(item.dueAt).toLocaleString()}
                  </p>
                </div>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
