// Days + hours inputs for a wait or a condition's time limit, written back as an ISO duration: every change,
// a value the rules refuse included (the field says why; activation refuses it on the step).
import { useEffect, useId, useState } from 'react';
import {
  type DaysHours,
  daysHoursProblem,
  fromDaysHours,
  MAX_STEP_DURATION_DAYS,
  toDaysHours,
} from '../wait-duration.js';

export function DurationFields({
  legend,
  value,
  onChange,
  disabled,
}: {
  legend: string;
  value: string | undefined;
  onChange: (iso: string) => void;
  disabled: boolean;
}) {
  const [fields, setFields] = useState<DaysHours>(() => toDaysHours(value));
  const id = useId();
  // A different step (or an undo) brings a new value: show it. Our own write coming back is left alone,
  // so that "25" hours being typed isn't turned into 1 day 1 hour under the cursor.
  useEffect(
    () =>
      setFields((shown) =>
        value !== undefined && fromDaysHours(shown) === value ? shown : toDaysHours(value),
      ),
    [value],
  );
  const problem = daysHoursProblem(fields);
  const change = (patch: Partial<DaysHours>) => {
    const next = { ...fields, ...patch };
    setFields(next);
    onChange(fromDaysHours(next));
  };
  return (
    <fieldset className="fieldset">
      <legend>{legend}</legend>
      <div className="field-row">
        <label className="field">
          <span className="field-label">Days</span>
          <input
            type="number"
            min={0}
            max={MAX_STEP_DURATION_DAYS}
            value={fields.days}
            disabled={disabled}
            aria-describedby={problem === undefined ? undefined : `${id}-problem`}
            onChange={(e) => change({ days: Number(e.target.value) })}
          />
        </label>
        <label className="field">
          <span className="field-label">Hours</span>
          <input
            type="number"
            min={0}
            max={23}
            value={fields.hours}
            disabled={disabled}
            aria-describedby={problem === undefined ? undefined : `${id}-problem`}
            onChange={(e) => change({ hours: Number(e.target.value) })}
          />
        </label>
      </div>
      {problem !== undefined ? (
        <p id={`${id}-problem`} className="field-error">
          {problem}
        </p>
      ) : (
        <p className="field-hint">Up to {MAX_STEP_DURATION_DAYS} days.</p>
      )}
    </fieldset>
  );
}
