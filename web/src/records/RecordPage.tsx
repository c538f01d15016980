// A record with its Up next widget: the current step(s) of the sequence it is on.
import { Link, useParams } from 'react-router-dom';
import { useApi } from '../app/api-context.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';
import { ENTITY_PATHS } from './record-types.js';

export function RecordPage() {
  const { id = '' } = useParams();
  const api = useApi();
  const record = useResource(() => api.records.get(id), [api, id]);
  const upNext = useResource(() => api.records.upNext(id), [api, id]);
  if (record.status === 'loading') return <Loading label="Loading the record…" />;
  if (record.status === 'error')
    return (
      <div className="page">
        <ErrorState error={record.error} onRetry={record.reload} />
      </div>
    );
  const r = record.data;
  return (
    <div className="page record-page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to={`/records/${ENTITY_PATHS[r.type]}`}>Back to the list</Link>
          </p>
          <h1>{r.name}</h1>
          <p className="muted">{[r.company, r.email, r.phone].filter(Boolean).join(' · ')}</p>
        </div>
      </header>
      <section className="card" aria-labelledby="up-next-title">
        <h2 id="up-next-title">Up next</h2>
        {upNext.status === 'loading' && <Loading />}
        {upNext.status === 'error' && <ErrorState error={upNext.error} onRetry={upNext.reload} />}
        {upNext.status === 'ok' && upNext.data.length === 0 && (
          <Empty title="Not on a sequence">Connect this record to a sequence from its list.</Empty>
        )}
        {upNext.status === 'ok' && upNext.data.length > 0 && (
          <ul className="up-next">
            {upNext.data.map((item, i) => {
              const step = item as {
                id?: string;
                name?: string;
                type?: string;
                dueAt?: string;
                state?: string;
              };
              return (
                <li key={step.id ?? i} className="up-next-item">
                  <span className="row-title">{step.name ?? step.type ?? 'Step'}</span>
                  <span className="muted">
                    {step.state ?? ''} {step.dueAt ? `· due ${new Date(step.dueAt).toLocaleString()}` : ''}
                  </span>
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </div>
  );
}
