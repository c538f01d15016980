// Complete a step with notes; for a phone call, "Log call" with the call's outcome (api.md: answered,
// no answer, left voicemail, wrong number), which a condition on the call may test. What the seller needs
// while doing it stays in view: the number to call (or the LinkedIn profile) and the step's description,
// a call's script.
import { CALL_OUTCOMES, type CallOutcome } from '@domain/definition.js';
import { useId, useState } from 'react';
import { OUTCOME_NAMES } from '../designer/describe-step.js';
import { Dialog } from '../ui/Dialog.js';
import { ProblemAlert } from '../ui/ProblemAlert.js';
import { useSubmit } from '../ui/use-submit.js';
import type { ActionTarget } from './ActionTarget.js';
import { StepReach } from './StepReach.js';
import type { StepAction } from './step-actions.js';

export function CompleteStepDialog({
  target,
  onClose,
  onSubmit,
}: {
  target: ActionTarget;
  onClose: () => void;
  onSubmit: (action: StepAction) => Promise<void>;
}) {
  const isCall = target.stepType === 'phone_call';
  const [outcome, setOutcome] = useState<CallOutcome | ''>('');
  const [notes, setNotes] = useState('');
  const [tried, setTried] = useState(false);
  const formId = useId();
  const notesId = useId();
  const scriptId = useId();
  const { busy, error, run } = useSubmit(onClose);
  const missingOutcome = isCall && outcome === '';
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (missingOutcome) return;
    void run(() =>
      onSubmit({
        type: 'complete',
        ...(outcome === '' ? {} : { outcome }),
        ...(notes.trim() === '' ? {} : { notes: notes.trim() }),
      }),
    );
  };
  return (
    <Dialog
      title={isCall ? `Log call with ${target.recordName}` : `Complete: ${target.stepTitle}`}
      description={isCall ? target.stepTitle : `For ${target.recordName}`}
      open
      onClose={onClose}
      size="small"
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : isCall ? 'Log call' : 'Complete'}
          </button>
        </>
      }
    >
      <form id={formId} className="form" onSubmit={submit} noValidate>
        <ProblemAlert error={error} />
        <StepReach type={target.stepType} record={target.contact} />
        {target.stepDescription !== null && (
          <section className="step-script" aria-labelledby={scriptId}>
            <h3 id={scriptId} className="field-label">
              {isCall ? 'Call script' : 'About this step'}
            </h3>
            <p className="step-script-text">{target.stepDescription}</p>
          </section>
        )}
        {isCall && (
          <fieldset
            className="fieldset"
            aria-describedby={tried && missingOutcome ? `${formId}-err` : undefined}
          >
            <legend>Call outcome</legend>
            <div className="outcome-grid">
              {CALL_OUTCOMES.map((o) => (
                <label key={o} className="check outcome-choice">
                  <input
                    type="radio"
                    name={`${formId}-outcome`}
                    value={o}
                    checked={outcome === o}
                    onChange={() => setOutcome(o)}
                  />
                  <span>{OUTCOME_NAMES[o]}</span>
                </label>
              ))}
            </div>
            {tried && missingOutcome && (
              <p id={`${formId}-err`} className="field-error">
                Choose how the call went.
              </p>
            )}
          </fieldset>
        )}
        <div className="field">
          <label htmlFor={notesId} className="field-label">
            Notes <span className="muted">(optional)</span>
          </label>
          <textarea
            id={notesId}
            rows={4}
            value={notes}
            onChange={(e) => setNotes(e.target.value)}
            maxLength={10_000}
          />
        </div>
      </form>
    </Dialog>
  );
}
