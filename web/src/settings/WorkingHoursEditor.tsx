// Working hours per weekday, each with any number of intervals; problems are shown on the interval they
// belong to. The week is a controlled value (working-hours.ts holds the rules).
import { Icon } from '../ui/Icon.js';
import {
  addInterval,
  changeInterval,
  checkWeek,
  copyDay,
  describeWeek,
  removeInterval,
  timeChoices,
  WEEKDAY_NAMES,
  WEEKDAYS,
  type Week,
  type Weekday,
} from './working-hours.js';

const WORKDAYS: Weekday[] = ['tue', 'wed', 'thu', 'fri'];

export function WorkingHoursEditor({
  week,
  onChange,
  zone,
}: {
  week: Week;
  onChange: (week: Week) => void;
  zone: string;
}) {
  const problems = checkWeek(week);
  const problemAt = (day: Weekday, index: number) =>
    problems.find((p) => p.day === day && p.index === index)?.message;
  const weekProblem = problems.find((p) => p.day === null)?.message;
  return (
    <fieldset className="fieldset hours-editor">
      <legend>Working hours</legend>
      <p className="field-hint">
        In {zone}. {describeWeek(week)}. Steps open and automated emails go out inside these hours.
      </p>
      {weekProblem !== undefined && (
        <p className="field-error" role="alert">
          {weekProblem}
        </p>
      )}
      <div className="hours-actions">
        <button
          type="button"
          className="button button-small"
          onClick={() => onChange(copyDay(week, 'mon', WORKDAYS))}
        >
          Copy Monday to Tuesday–Friday
        </button>
      </div>
      <ul className="hours-days">
        {WEEKDAYS.map((day) => (
          <li key={day} className="hours-day">
            <span className="hours-day-name" id={`hours-${day}`}>
              {WEEKDAY_NAMES[day]}
            </span>
            <div className="hours-intervals">
              {week[day].length === 0 && <span className="muted hours-off">Not working</span>}
              {week[day].map((interval, index) => {
                const problem = problemAt(day, index);
                const name = `${WEEKDAY_NAMES[day]}, hours ${index + 1}`;
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: intervals have no identity but their place
                  <div key={index} className="hours-interval">
                    <div className="hours-interval-row">
                      <select
                        aria-label={`${name}: from`}
                        value={interval.start}
                        aria-invalid={problem !== undefined}
                        onChange={(e) =>
                          onChange(changeInterval(week, day, index, { start: e.target.value }))
                        }
                      >
                        {timeChoices(false, interval.start).map((t) => (
                          <option key={t}>{t}</option>
                        ))}
                      </select>
                      <span aria-hidden="true">–</span>
                      <select
                        aria-label={`${name}: to`}
                        value={interval.end}
                        aria-invalid={problem !== undefined}
                        onChange={(e) => onChange(changeInterval(week, day, index, { end: e.target.value }))}
                      >
                        {timeChoices(true, interval.end).map((t) => (
                          <option key={t}>{t}</option>
                        ))}
                      </select>
                      <button
                        type="button"
                        className="icon-button"
                        aria-label={`Remove ${name}`}
                        onClick={() => onChange(removeInterval(week, day, index))}
                      >
                        <Icon name="trash" />
                      </button>
                    </div>
                    {problem !== undefined && <p className="field-error">{problem}</p>}
                  </div>
                );
              })}
              <button
                type="button"
                className="link-button hours-add"
                aria-label={`Add hours on ${WEEKDAY_NAMES[day]}`}
                onClick={() => onChange(addInterval(week, day))}
              >
                + Add hours
              </button>
            </div>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
