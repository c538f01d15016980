// Stats: how many records reached, completed and skipped each step, and how they left the sequence.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Sequence } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { stepTitle } from '../designer/describe-step.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';

export function SequenceStats({ sequence }: { sequence: Sequence }) {
  const api = useApi();
  const stats = useResource(() => api.stats.ofSequence(sequence.id), [api, sequence.id]);
  if (stats.status === 'loading') return <Loading label="Loading stats…" />;
  if (stats.status === 'error') return <ErrorState error={stats.error} onRetry={stats.reload} />;
  const s = stats.data;
  if (s.enrolled === 0) return <Empty title="No records yet">Stats appear once records are connected.</Empty>;
  const nameOf = (id: string) => {
    const step = sequence.definition.steps.find((x) => x.id === id);
    return step === undefined ? id : stepTitle(step);
  };
  const steps = s.steps.map((x) => ({ ...x, name: nameOf(x.stepId) }));
  return (
    <div className="stats">
      <ul className="stat-cards">
        {(
          [
            ['Connected', s.enrolled],
            ['Active', s.active],
            ['Paused', s.paused],
            ['Completed', s.completed],
            ['Disconnected', s.disconnected],
          ] as const
        ).map(([label, value]) => (
          <li key={label} className="stat-card">
            <span className="stat-value">{value}</span>
            <span className="stat-label">{label}</span>
          </li>
        ))}
      </ul>
      <figure className="chart">
        <figcaption>Records per step</figcaption>
        <ResponsiveContainer width="100%" height={Math.max(240, steps.length * 40)}>
          <BarChart data={steps} layout="vertical" margin={{ left: 24, right: 24 }}>
            <CartesianGrid strokeDasharray="3 3" horizontal={false} />
            <XAxis type="number" allowDecimals={false} />
            <YAxis type="category" dataKey="name" width={200} />
            <Tooltip />
            <Legend />
            <Bar dataKey="reached" name="Reached" fill="var(--chart-1)" />
            <Bar dataKey="completed" name="Completed" fill="var(--chart-2)" />
            <Bar dataKey="skipped" name="Skipped" fill="var(--chart-3)" />
          </BarChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}
