// Snooze a step: a preset (in an hour, this afternoon, tomorrow morning, next Monday, in a week) or a
// date and time of one's own, all in the seller's time zone; at most 30 days ahead, as the server allows.
import { useId, useMemo, useState } from 'react';
import { Dialog } from '../ui/Dialog.js';
import { ProblemAlert } from '../ui/ProblemAlert.js';
import { useSubmit } from '../ui/use-submit.js';
import type { ActionTarget } from './ActionTarget.js';
import { customSnooze, localInputValue, MAX_SNOOZE_DAYS, snoozePresets } from './due-time.js';
import type { StepAction } from './step-actions.js';

export function SnoozeDialog({
  target,
  now,
  zone,
  onClose,
  onSubmit,
}: {
  target: ActionTarget;
  now: number;
  zone: string;
  onClose: () => void;
  onSubmit: (action: StepAction) => Promise<void>;
}) {
  const presets = useMemo(() => snoozePresets(now, zone), [now, zone]);
  const [choice, setChoice] = useState(presets[0]?.key ?? 'custom');
  const [custom, setCustom] = useState(localInputValue(now + 86_400_000, zone));
  const [tried, setTried] = useState(false);
  const formId = useId();
  const customId = useId();
  const { busy, error, run } = useSubmit(onClose);
  const customResult = customSnooze(custom, now, zone);
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setTried(true);
    const until =
      choice === 'custom'
        ? customResult.ok
          ? customResult.until
          : null
        : presets.find((p) => p.key === choice)?.until;
    if (until === null || until === undefined) return;
    void run(() => onSubmit({ type: 'snooze', until }));
  };
  return (
    <Dialog
      title={`Snooze: ${target.stepTitle}`}
      description={`For ${target.recordName}. Times are in ${zone}.`}
      open
      onClose={onClose}
      size="small"
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="button button-primary" disabled={busy}>
            {busy ? 'Snoozing…' : 'Snooze'}
          </button>
        </>
      }
    >
      <form id={formId} className="form" onSubmit={submit} noValidate>
        <ProblemAlert error={error} />
        <fieldset className="fieldset">
          <legend>Snooze until</legend>
          {presets.map((p) => (
            <label key={p.key} className="check">
              <input
                type="radio"
                name={`${formId}-when`}
                value={p.key}
                checked={choice === p.key}
                onChange={() => setChoice(p.key)}
              />
              <span>{p.label}</span>
            </label>
          ))}
          <label className="check">
            <input
              type="radio"
              name={`${formId}-when`}
              value="custom"
              checked={choice === 'custom'}
              onChange={() => setChoice('custom')}
            />
            <span>Custom time</span>
          </label>
          {choice === 'custom' && (
            <div className="field snooze-custom">
              <label htmlFor={customId} className="field-label">
                Date and time
              </label>
              <input
                id={customId}
                type="datetime-local"
                value={custom}
                min={localInputValue(now, zone)}
                max={localInputValue(now + MAX_SNOOZE_DAYS * 86_400_000, zone)}
                aria-invalid={tried && !customResult.ok}
                aria-describedby={tried && !customResult.ok ? `${customId}-err` : undefined}
                onChange={(e) => setCustom(e.target.value)}
              />
              {tried && !customResult.ok && (
                <p id={`${customId}-err`} className="field-error">
                  {customResult.message}
                </p>
              )}
            </div>
          )}
        </fieldset>
      </form>
    </Dialog>
  );
}
