// Time off: from–to periods in the user's own time zone (time-off.ts converts them to UTC instants).
import { Icon } from '../ui/Icon.js';
import { newTimeOffRow, type TimeOffProblem, type TimeOffRow } from './time-off.js';

export function TimeOffEditor({
  rows,
  onChange,
  zone,
  problems,
  now,
}: {
  rows: TimeOffRow[];
  onChange: (rows: TimeOffRow[]) => void;
  zone: string;
  problems: TimeOffProblem[];
  now: () => Date;
}) {
  const change = (index: number, patch: Partial<TimeOffRow>) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <fieldset className="fieldset">
      <legend>Time off</legend>
      <p className="field-hint">Times in {zone}. No step opens for this user during time off.</p>
      {rows.length === 0 && <p className="muted">No time off planned.</p>}
      <ul className="time-off-list">
        {rows.map((row, index) => {
          const problem = problems.find((p) => p.index === index)?.message;
          const name = `Time off ${index + 1}`;
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: periods have no identity but their place
            <li key={index} className="time-off-row">
              <label className="field">
                <span className="field-label">From</span>
                <input
                  type="datetime-local"
                  value={row.start}
                  aria-label={`${name}: from`}
                  aria-invalid={problem !== undefined}
                  onChange={(e) => change(index, { start: e.target.value })}
                />
              </label>
              <label className="field">
                <span className="field-label">To</span>
                <input
                  type="datetime-local"
                  value={row.end}
                  aria-label={`${name}: to`}
                  aria-invalid={problem !== undefined}
                  onChange={(e) => change(index, { end: e.target.value })}
                />
              </label>
              <button
                type="button"
                className="icon-button time-off-remove"
                aria-label={`Remove ${name}`}
                onClick={() => onChange(rows.filter((_, i) => i !== index))}
              >
                <Icon name="trash" />
              </button>
              {problem !== undefined && <p className="field-error time-off-error">{problem}</p>}
            </li>
          );
        })}
      </ul>
      <div>
        <button
          type="button"
          className="button button-small"
          onClick={() => onChange([...rows, newTimeOffRow(now(), zone)])}
        >
          + Add time off
        </button>
      </div>
    </fieldset>
  );
}
