// Version history: each published version, when it went live and how many records run on it.
import type { Sequence } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';
import { formatDate } from './SequencesPage.js';

export function VersionHistory({ sequence }: { sequence: Sequence }) {
  const api = useApi();
  const versions = useResource(
    () => api.sequences.versions(sequence.id),
    [api, sequence.id, sequence.version],
  );
  if (versions.status === 'loading') return <Loading label="Loading versions…" />;
  if (versions.status === 'error') return <ErrorState error={versions.error} onRetry={versions.reload} />;
  if (versions.data.length === 0)
    return <Empty title="Not activated yet">Each activation publishes a version.</Empty>;
  return (
    <ol className="versions">
      {[...versions.data]
        .sort((a, b) => b.version - a.version)
        .map((v) => (
          <li key={v.version} className="version">
            <span className="version-number">Version {v.version}</span>
            <span className="muted">
              {v.activatedAt ? `Activated ${formatDate(v.activatedAt)}` : 'Not activated'} ·{' '}
              {v.enrolledCount ?? 0} record{v.enrolledCount === 1 ? '' : 's'}
            </span>
            {v.description && <p>{v.description}</p>}
          </li>
        ))}
    </ol>
  );
}
