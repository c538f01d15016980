// The side panel: edits the selected step, shows the server's problems with it, and deletes it.
import { EMAIL_STEP_TYPES, type Step, testsSignal } from '@domain/definition.js';
import { useState } from 'react';
import { Dialog } from '../../ui/Dialog.js';
import { Icon } from '../../ui/Icon.js';
import { stepTitle } from '../describe-step.js';
import { useDesigner } from '../designer-context.js';
import { conditionPatch, precedingSteps } from '../edit-definition.js';
import { STEP_TYPE_LOOKS } from '../step-kinds.js';
import { nameForNewDuration } from '../wait-duration.js';
import { AdvanceTargetSelect } from './AdvanceTargetSelect.js';
import { ConditionEditor } from './ConditionEditor.js';
import { DurationFields } from './DurationFields.js';
import { TemplateLookup } from './TemplateLookup.js';

export function StepPanel({ stepId }: { stepId: string }) {
  const step = useDesigner((s) => s.definition.steps.find((x) => x.id === stepId));
  const errors = useDesigner((s) => s.stepErrors[stepId]);
  const readOnly = useDesigner((s) => s.readOnly);
  const update = useDesigner((s) => s.updateStep);
  const remove = useDesigner((s) => s.deleteStep);
  const select = useDesigner((s) => s.select);
  const definition = useDesigner((s) => s.definition);
  const [confirming, setConfirming] = useState(false);
  if (step === undefined) return null;
  const look = STEP_TYPE_LOOKS[step.type];
  const optional = (text: string) => (text === '' ? undefined : text);
  return (
    <aside className="panel" aria-label={`Step: ${stepTitle(step)}`}>
      <header className="panel-header">
        <span className="panel-kind">
          <Icon name={look.icon} /> {look.title}
        </span>
        <button
          type="button"
          className="icon-button"
          aria-label="Close the step panel"
          onClick={() => select(null)}
        >
          <Icon name="close" />
        </button>
      </header>
      {errors !== undefined && errors.length > 0 && (
        <div className="panel-errors" role="alert">
          <h3>Fix before activating</h3>
          <ul>
            {errors.map((e) => (
              <li key={`${e.code}${e.path ?? ''}`}>{e.message}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="panel-body">
        <label className="field">
          <span className="field-label">Name</span>
          <input
            value={step.name ?? ''}
            disabled={readOnly}
            onChange={(e) => update(step.id, { name: optional(e.target.value) })}
          />
        </label>
        <label className="field">
          <span className="field-label">Description</span>
          <textarea
            rows={3}
            value={step.description ?? ''}
            disabled={readOnly}
            onChange={(e) => update(step.id, { description: optional(e.target.value) })}
          />
          <span className="field-hint">Shown to sellers with the step.</span>
        </label>
        <StepFields
          step={step}
          readOnly={readOnly}
          update={(patch) => update(step.id, patch)}
          definitionSteps={definition}
        />
      </div>
      {!readOnly && (
        <footer className="panel-footer">
          <button type="button" className="button button-danger" onClick={() => setConfirming(true)}>
            <Icon name="trash" size={16} /> Delete step
          </button>
        </footer>
      )}
      <Dialog
        title="Delete this step?"
        open={confirming}
        onClose={() => setConfirming(false)}
        size="small"
        footer={
          <>
            <button type="button" className="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
            <button
              type="button"
              className="button button-danger"
              onClick={() => {
                setConfirming(false);
                remove(step.id);
              }}
            >
              Delete
            </button>
          </>
        }
      >
        <p>
          “{stepTitle(step)}” will be removed and the steps around it joined up.
          {step.type === 'condition' && ' The steps only its No branch reaches are deleted with it.'}
        </p>
      </Dialog>
    </aside>
  );
}

function StepFields({
  step,
  readOnly,
  update,
  definitionSteps,
}: {
  step: Step;
  readOnly: boolean;
  update: (patch: Record<string, unknown>) => void;
  definitionSteps: Parameters<typeof precedingSteps>[0];
}) {
  switch (step.type) {
    case 'email':
    case 'automated_email':
      return (
        <TemplateLookup
          stepType={step.type}
          value={step.templateId}
          disabled={readOnly}
          onChange={(templateId) => update({ templateId })}
        />
      );
    case 'wait':
      return (
        <DurationFields
          legend="Wait time"
          value={step.duration}
          disabled={readOnly}
          onChange={(duration) =>
            update({ duration, name: nameForNewDuration(step.name, step.duration, duration) })
          }
        />
      );
    case 'condition': {
      const choices = {
        emails: precedingSteps(definitionSteps, step.id, EMAIL_STEP_TYPES),
        calls: precedingSteps(definitionSteps, step.id, ['phone_call']),
      };
      return (
        <>
          <ConditionEditor
            condition={step.if}
            choices={choices}
            disabled={readOnly}
            onChange={(condition) => update(conditionPatch(step, condition))}
          />
          {testsSignal(step.if) && (
            <>
              <DurationFields
                legend="Time limit (then go to No)"
                value={step.within}
                disabled={readOnly}
                onChange={(within) => update({ within })}
              />
              <label className="check">
                <input
                  type="checkbox"
                  checked={step.moveOnSignal ?? false}
                  disabled={readOnly}
                  onChange={(e) => update({ moveOnSignal: e.target.checked ? true : undefined })}
                />
                Go to Yes as soon as the signal arrives (don’t wait for the time limit)
              </label>
            </>
          )}
        </>
      );
    }
    case 'update_field':
      return (
        <>
          <label className="field">
            <span className="field-label">Field</span>
            <input
              value={step.field}
              disabled={readOnly}
              placeholder="status"
              aria-describedby={`update-field-hint-${step.id.replace(/\s/g, '_')}`}
              onChange={(e) => update({ field: e.target.value })}
            />
            <span id={`update-field-hint-${step.id.replace(/\s/g, '_')}`} className="field-hint">
              A record property (name, email, phone, company, linkedinUrl, timezone) or a custom field.
            </span>
          </label>
          <label className="field">
            <span className="field-label">New value</span>
            <input
              value={step.value === null ? '' : String(step.value)}
              disabled={readOnly}
              onChange={(e) => update({ value: e.target.value })}
            />
          </label>
        </>
      );
    case 'advance_to_sequence':
      return (
        <AdvanceTargetSelect
          value={step.sequenceId}
          disabled={readOnly}
          onChange={(sequenceId) => update({ sequenceId })}
        />
      );
    case 'phone_call':
    case 'task':
    case 'linkedin_research':
    case 'linkedin_get_introduced':
    case 'linkedin_connect':
    case 'linkedin_inmail':
      return null;
  }
}
