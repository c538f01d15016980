// Sequence options: exit on reply, working hours, wait-time computation, tracking.
import { WORKING_HOURS_MODES, type WorkingHoursMode } from '@domain/definition.js';
import { Icon } from '../../ui/Icon.js';
import { useDesigner } from '../designer-context.js';

const MODE_TEXT: Record<WorkingHoursMode, { title: string; help: string }> = {
  owner: {
    title: 'Owner’s working hours',
    help: 'Steps open and automated emails go out inside the owner’s hours.',
  },
  recipient: {
    title: 'Recipient’s time zone',
    help: 'Automated emails go out inside the same hours in the record’s time zone.',
  },
  none: { title: 'Any time', help: 'Steps open and emails go out as soon as they are due.' },
};

export function OptionsPanel() {
  const options = useDesigner((s) => s.definition.options);
  const readOnly = useDesigner((s) => s.readOnly);
  const update = useDesigner((s) => s.updateOptions);
  const close = useDesigner((s) => s.select);
  const generalErrors = useDesigner((s) => s.generalErrors);
  const errors = generalErrors.filter((e) => e.path?.includes('/options') ?? false);
  return (
    <aside className="panel" aria-label="Sequence options">
      <header className="panel-header">
        <h2 className="panel-title">Sequence options</h2>
        <button
          type="button"
          className="icon-button"
          aria-label="Close the options"
          onClick={() => close(null)}
        >
          <Icon name="close" />
        </button>
      </header>
      {errors.length > 0 && (
        <div className="panel-errors" role="alert">
          <ul>
            {errors.map((e) => (
              <li key={e.code}>{e.message}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="panel-body">
        <label className="check">
          <input
            type="checkbox"
            checked={options.exitOnReply}
            disabled={readOnly}
            onChange={(e) => update({ exitOnReply: e.target.checked })}
          />
          <span>Exit the sequence when the customer replies to any email</span>
        </label>
        <fieldset className="fieldset">
          <legend>Working hours</legend>
          {WORKING_HOURS_MODES.map((mode) => (
            <label key={mode} className="check check-block">
              <input
                type="radio"
                name="working-hours"
                value={mode}
                checked={options.workingHours === mode}
                disabled={readOnly}
                onChange={() => update({ workingHours: mode })}
              />
              <span>
                <span className="check-title">{MODE_TEXT[mode].title}</span>
                <span className="field-hint">{MODE_TEXT[mode].help}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <label className="check">
          <input
            type="checkbox"
            checked={options.skipNonWorkingDays}
            disabled={readOnly}
            onChange={(e) => update({ skipNonWorkingDays: e.target.checked })}
          />
          <span>Count wait days on working days only</span>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={options.tracking}
            disabled={readOnly}
            onChange={(e) => update({ tracking: e.target.checked })}
          />
          <span>Track email opens and clicks</span>
        </label>
      </div>
    </aside>
  );
}
