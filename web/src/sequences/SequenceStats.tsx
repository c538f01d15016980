// Stats: the figures per seller as a table, then the per-step funnel, condition branches, email metrics,
// call outcomes and why records left, as charts. Each chart has a title, a one-line summary and its
// numbers in a table screen readers reach.
import { type ReactNode, useEffect, useId, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Sequence } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { useAddressParams } from '../app/use-address-params';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';
import { SellerStatsTable } from './SellerStatsTable.js';
import { outcomeName, percent, type StatsCharts, statsCharts } from './stats-data.js';

const COLORS = {
  completed: 'var(--chart-2)',
  skipped: 'var(--chart-3)',
  unfinished: 'var(--chart-4)',
  reached: 'var(--chart-1)',
  yes: 'var(--chart-2)',
  no: 'var(--chart-5)',
  pending: 'var(--chart-4)',
  sent: 'var(--chart-1)',
  opened: 'var(--chart-6)',
  clicked: 'var(--chart-7)',
  replied: 'var(--chart-2)',
  bounced: 'var(--chart-5)',
};
const OUTCOME_COLORS = [
  'var(--chart-2)',
  'var(--chart-4)',
  'var(--chart-3)',
  'var(--chart-5)',
  'var(--chart-7)',
];

/** A positive whole version number from the address, else null (all versions). */
function versionParam(text: string | null): number | null {
  if (text === null || !/^[1-9]\d{0,8}$/.test(text)) return null;
  return Number(text);
}

export function SequenceStats({ sequence }: { sequence: Sequence }) {
  const api = useApi();
  // null: every version together (the default); a number: that version alone, on its own steps. Kept in
  // the address (`?tab=stats&version=2`), so a reload, a shared link and Back show the same version.
  const [params, setParams] = useAddressParams();
  const version = versionParam(params.get('version'));
  const setVersion = (next: number | null) =>
    setParams(
      (current) => {
        const updated = new URLSearchParams(current);
        if (next === null) updated.delete('version');
        else updated.set('version', String(next));
        return updated;
      },
      { replace: true },
    );
  const stats = useResource(() => api.stats.ofSequence(sequence.id, version), [api, sequence.id, version]);
  const sellers = useResource(() => api.stats.bySeller(sequence.id, version), [api, sequence.id, version]);
  const versionSelectId = useId();
  const narrow = useNarrow();
  if (stats.status === 'loading' && stats.data === undefined) return <Loading label="Loading stats…" />;
  if (stats.status === 'error')
    return (
      <>
        <ErrorState error={stats.error} onRetry={stats.reload} />
        {version !== null && (
          <button type="button" className="button" onClick={() => setVersion(null)}>
            Show all versions
          </button>
        )}
      </>
    );
  if (stats.data === undefined) return null;
  const s = stats.data;
  const cards = [
    ['Connected', s.enrolled],
    ['Active', s.active],
    ['Paused', s.paused],
    ['Completed', s.completed],
    ['Disconnected', s.disconnected],
  ] as const;
  const charts = statsCharts(s.definition ?? sequence.definition, s);
  const versions = s.versions ?? [];
  return (
    <div className="stats">
      <div className="stats-toolbar">
        <ul className="stat-cards">
          {cards.map(([label, value]) => (
            <li key={label} className="stat-card">
              <span className="stat-value">{value}</span>
              <span className="stat-label">{label}</span>
            </li>
          ))}
        </ul>
        <div className="stats-actions">
          {versions.length > 1 && (
            <label className="stats-version" htmlFor={versionSelectId}>
              <span>Version</span>
              <select
                id={versionSelectId}
                value={version === null ? '' : String(version)}
                onChange={(e) => setVersion(e.target.value === '' ? null : Number(e.target.value))}
              >
                <option value="">All versions</option>
                {versions.map((v) => (
                  <option key={v} value={String(v)}>
                    Version {v}
                  </option>
                ))}
              </select>
            </label>
          )}
          <button
            type="button"
            className="button"
            onClick={() => {
              stats.reload();
              sellers.reload();
            }}
            disabled={stats.status === 'loading'}
          >
            {stats.status === 'loading' ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </div>
      {s.enrolled === 0 ? (
        <>
          <Empty title="No records yet">
            {version === null
              ? 'The charts fill in once records are connected to this sequence.'
              : `No records ran version ${version}.`}
          </Empty>
          <SellerStatsTable sellers={sellers} version={version} />
        </>
      ) : (
        <>
          <SellerStatsTable sellers={sellers} version={version} />
          <StatsChartsView charts={charts} narrow={narrow} />
        </>
      )}
    </div>
  );
}

function StatsChartsView({ charts, narrow }: { charts: StatsCharts; narrow: boolean }) {
  const axisWidth = narrow ? 120 : 240;
  // Labels wrap to three or four lines in the narrow axis: give each bar more height there.
  const ROW_HEIGHT = narrow ? 64 : 44;
  const tick = { fontSize: 12, width: axisWidth - 8 };
  const { funnel, branches, emails, calls, callOutcomeKeys, endReasons } = charts;
  const funnelData = funnel.map((r) => ({
    ...r,
    axis: r.branch === '' ? r.label : `${r.label} (${r.branch})`,
  }));
  const totalReached = funnel[0]?.reached ?? 0;
  const lastReached = funnel.at(-1)?.reached ?? 0;
  return (
    <div className="chart-grid">
      <ChartFigure
        title="Per-step funnel"
        summary={`${funnel.length} steps in reading order (main path, then Yes and No branches). The first step was reached ${totalReached} times, the last listed ${lastReached} times.`}
        columns={['Step', 'Branch', 'Reached', 'Completed', 'Skipped', 'Not finished']}
        rows={funnel.map((r) => [
          r.label,
          r.branch || 'Main path',
          r.reached,
          r.completed,
          r.skipped,
          r.unfinished,
        ])}
        wide
      >
        <HorizontalBars
          data={funnelData}
          height={Math.max(200, funnel.length * ROW_HEIGHT + 60)}
          tick={tick}
          categoryKey="axis"
        >
          <Bar dataKey="completed" name="Completed" stackId="r" fill={COLORS.completed} />
          <Bar dataKey="skipped" name="Skipped" stackId="r" fill={COLORS.skipped} />
          <Bar dataKey="unfinished" name="Open or stopped" stackId="r" fill={COLORS.unfinished} />
        </HorizontalBars>
      </ChartFigure>

      {branches.length > 0 && (
        <ChartFigure
          title="Condition branches"
          summary={branches
            .map((b) => `${b.label}: ${b.yes} yes, ${b.no} no, ${b.pending} waiting`)
            .join('; ')}
          columns={['Condition', 'Reached', 'Yes', 'No', 'Waiting']}
          rows={branches.map((b) => [b.label, b.reached, b.yes, b.no, b.pending])}
        >
          <HorizontalBars
            data={branches}
            height={Math.max(160, branches.length * ROW_HEIGHT + 60)}
            tick={tick}
          >
            <Bar dataKey="yes" name="Yes" stackId="b" fill={COLORS.yes} />
            <Bar dataKey="no" name="No" stackId="b" fill={COLORS.no} />
            <Bar dataKey="pending" name="Waiting" stackId="b" fill={COLORS.pending} />
          </HorizontalBars>
        </ChartFigure>
      )}

      {emails.length > 0 && (
        <ChartFigure
          title="Email steps"
          summary={emails
            .map(
              (e) =>
                `${e.label}: ${e.sent} sent, ${percent(e.openRate)} opened, ${percent(e.replyRate)} replied`,
            )
            .join('; ')}
          columns={['Email step', 'Sent', 'Opened', 'Clicked', 'Replied', 'Bounced']}
          rows={emails.map((e) => [e.label, e.sent, e.opened, e.clicked, e.replied, e.bounced])}
          after={
            // A table that scrolls sideways on a phone must be reachable by keyboard.
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region takes focus (axe scrollable-region-focusable)
            <section className="table-wrap chart-table" tabIndex={0} aria-label="Rates of the email steps">
              <table className="table">
                <caption className="visually-hidden">Rates of the email steps, of emails sent</caption>
                <thead>
                  <tr>
                    <th scope="col">Email step</th>
                    <th scope="col">Sent</th>
                    <th scope="col">Open rate</th>
                    <th scope="col">Click rate</th>
                    <th scope="col">Reply rate</th>
                    <th scope="col">Bounce rate</th>
                  </tr>
                </thead>
                <tbody>
                  {emails.map((e) => (
                    <tr key={e.stepId}>
                      <th scope="row">{e.label}</th>
                      <td>{e.sent}</td>
                      <td>{percent(e.openRate)}</td>
                      <td>{percent(e.clickRate)}</td>
                      <td>{percent(e.replyRate)}</td>
                      <td>{percent(e.bounceRate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          }
        >
          <HorizontalBars
            data={emails}
            height={Math.max(200, emails.length * ROW_HEIGHT * 2 + 60)}
            tick={tick}
          >
            <Bar dataKey="sent" name="Sent" fill={COLORS.sent} />
            <Bar dataKey="opened" name="Opened" fill={COLORS.opened} />
            <Bar dataKey="clicked" name="Clicked" fill={COLORS.clicked} />
            <Bar dataKey="replied" name="Replied" fill={COLORS.replied} />
            <Bar dataKey="bounced" name="Bounced" fill={COLORS.bounced} />
          </HorizontalBars>
        </ChartFigure>
      )}

      {calls.length > 0 && (
        <ChartFigure
          title="Call outcomes"
          summary={calls
            .map(
              (c) =>
                `${c.label}: ${
                  callOutcomeKeys
                    .filter((k) => (c.outcomes[k] ?? 0) > 0)
                    .map((k) => `${c.outcomes[k]} ${outcomeName(k).toLowerCase()}`)
                    .join(', ') || 'no calls logged'
                }`,
            )
            .join('; ')}
          columns={['Call step', ...callOutcomeKeys.map(outcomeName), 'Total']}
          rows={calls.map((c) => [c.label, ...callOutcomeKeys.map((k) => c.outcomes[k] ?? 0), c.total])}
        >
          <HorizontalBars
            data={calls.map((c) => ({ label: c.label, ...c.outcomes }))}
            height={Math.max(160, calls.length * ROW_HEIGHT + 60)}
            tick={tick}
          >
            {callOutcomeKeys.map((key, i) => (
              <Bar
                key={key}
                dataKey={key}
                name={outcomeName(key)}
                stackId="c"
                fill={OUTCOME_COLORS[i % OUTCOME_COLORS.length]}
              />
            ))}
          </HorizontalBars>
        </ChartFigure>
      )}

      <ChartFigure
        title="Why records left"
        summary={
          endReasons.length === 0
            ? 'No record has left the sequence yet.'
            : endReasons.map((r) => `${r.label}: ${r.count}`).join('; ')
        }
        columns={['Reason', 'Records']}
        rows={endReasons.map((r) => [r.label, r.count])}
      >
        {endReasons.length === 0 ? (
          <p className="muted chart-empty">No record has left the sequence yet.</p>
        ) : (
          <HorizontalBars
            data={endReasons}
            height={Math.max(140, endReasons.length * ROW_HEIGHT + 40)}
            tick={tick}
            legend={false}
          >
            <Bar dataKey="count" name="Records" fill={COLORS.reached} />
          </HorizontalBars>
        )}
      </ChartFigure>
    </div>
  );
}

// The legend's and the tooltip's words in the text colour: a series' own colour (the light grey of "Open or
// stopped", "No answer", "Waiting"; the light blue of "Opened") is too faint to read on white. The swatch
// beside each word still shows the series' colour.
const READABLE_TEXT = { color: 'var(--text)' };
const legendText = (value: string) => <span style={READABLE_TEXT}>{value}</span>;

/** Horizontal bars, one row per category (a step), with the grid, axes, tooltip and legend all charts share. */
function HorizontalBars({
  data,
  height,
  tick,
  categoryKey = 'label',
  legend = true,
  children,
}: {
  data: readonly object[];
  height: number;
  tick: { fontSize: number; width: number };
  categoryKey?: string;
  legend?: boolean;
  children: ReactNode;
}) {
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart data={[...data]} layout="vertical" margin={{ left: 8, right: 16 }} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" allowDecimals={false} />
        <YAxis type="category" dataKey={categoryKey} width={tick.width + 8} tick={tick} interval={0} />
        <Tooltip itemStyle={READABLE_TEXT} />
        {legend && <Legend itemSorter={null} formatter={legendText} />}
        {children}
      </BarChart>
    </ResponsiveContainer>
  );
}

/** A chart with its title, a summary for screen readers and the same numbers as a hidden table. */
function ChartFigure({
  title,
  summary,
  columns,
  rows,
  children,
  after,
  wide = false,
}: {
  title: string;
  summary: string;
  columns: string[];
  rows: (string | number)[][];
  children: ReactNode;
  after?: ReactNode;
  wide?: boolean;
}) {
  const titleId = useId();
  const summaryId = useId();
  return (
    <figure
      className={`chart${wide ? ' chart-wide' : ''}`}
      aria-labelledby={titleId}
      aria-describedby={summaryId}
    >
      <figcaption id={titleId}>{title}</figcaption>
      <p id={summaryId} className="visually-hidden">
        {summary}
      </p>
      <div className="chart-canvas" aria-hidden="true">
        {children}
      </div>
      <table className="visually-hidden">
        <caption>{title}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={String(row[0])}>
              {row.map((cell, i) =>
                i === 0 ? (
                  <th key={columns[i]} scope="row">
                    {cell}
                  </th>
                ) : (
                  <td key={columns[i]}>{cell}</td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {after}
    </figure>
  );
}

/** Whether the window is phone-narrow, to give chart labels less room. */
function useNarrow(): boolean {
  const query = '(max-width: 640px)';
  const [narrow, setNarrow] = useState(
    () => typeof window !== 'undefined' && window.matchMedia(query).matches,
  );
  useEffect(() => {
    const list = window.matchMedia(query);
    const update = () => setNarrow(list.matches);
    list.addEventListener('change', update);
    return () => list.removeEventListener('change', update);
  }, []);
  return narrow;
}
