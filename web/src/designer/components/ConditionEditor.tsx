// Edits a condition's test: an email signal, a call outcome or a record field, or all/any of several.
import {
  CALL_OUTCOMES,
  type CallOutcome,
  type Condition,
  EMAIL_SIGNALS,
  type EmailSignal,
  FIELD_OPERATORS,
  type FieldOperator,
  isAllCondition,
  isAnyCondition,
  isFieldCondition,
  isOutcomeCondition,
  isSignalCondition,
  type Step,
  UNARY_FIELD_OPERATORS,
} from '@domain/definition.js';
import { useId } from 'react';
import { OPERATOR_NAMES, OUTCOME_NAMES, SIGNAL_NAMES, stepTitle } from '../describe-step.js';

export interface ConditionChoices {
  /** Email steps the condition may test (they come before it on every path). */
  emails: Step[];
  calls: Step[];
}

type PartKind = 'signal' | 'outcome' | 'field';

export function ConditionEditor({
  condition,
  onChange,
  choices,
  disabled,
}: {
  condition: Condition;
  onChange: (condition: Condition) => void;
  choices: ConditionChoices;
  disabled: boolean;
}) {
  const group = isAllCondition(condition) ? 'all' : isAnyCondition(condition) ? 'any' : 'one';
  const parts = isAllCondition(condition)
    ? condition.all
    : isAnyCondition(condition)
      ? condition.any
      : [condition];
  const setGroup = (mode: 'one' | 'all' | 'any') => {
    if (mode === 'one') onChange(parts[0] ?? defaultPart('field', choices));
    else onChange(mode === 'all' ? { all: parts } : { any: parts });
  };
  const setParts = (next: Condition[]) => {
    if (group === 'all') onChange({ all: next });
    else if (group === 'any') onChange({ any: next });
    else onChange(next[0] ?? defaultPart('field', choices));
  };
  return (
    <fieldset className="fieldset">
      <legend>Condition</legend>
      <label className="field">
        <span className="field-label">Go to Yes when</span>
        <select
          value={group}
          disabled={disabled}
          onChange={(e) => setGroup(e.target.value as 'one' | 'all' | 'any')}
        >
          <option value="one">this is true</option>
          <option value="all">all of these are true</option>
          <option value="any">any of these is true</option>
        </select>
      </label>
      {parts.map((part, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: parts have no identity of their own; their position is it
        <div key={index} className="condition-part">
          <PartEditor
            part={part}
            choices={choices}
            disabled={disabled}
            onChange={(next) => setParts(parts.map((p, i) => (i === index ? next : p)))}
          />
          {group !== 'one' && parts.length > 1 && (
            <button
              type="button"
              className="button button-quiet button-small"
              disabled={disabled}
              onClick={() => setParts(parts.filter((_, i) => i !== index))}
            >
              Remove this test
            </button>
          )}
        </div>
      ))}
      {group !== 'one' && (
        <button
          type="button"
          className="button button-small"
          disabled={disabled}
          onClick={() => setParts([...parts, defaultPart('field', choices)])}
        >
          Add a test
        </button>
      )}
    </fieldset>
  );
}

function PartEditor({
  part,
  onChange,
  choices,
  disabled,
}: {
  part: Condition;
  onChange: (part: Condition) => void;
  choices: ConditionChoices;
  disabled: boolean;
}) {
  const id = useId();
  if (isAllCondition(part) || isAnyCondition(part)) {
    return <p className="field-hint">A nested group; edit it in the definition’s JSON for now.</p>;
  }
  const kind: PartKind = isSignalCondition(part) ? 'signal' : isOutcomeCondition(part) ? 'outcome' : 'field';
  return (
    <div className="condition-fields">
      <label className="field">
        <span className="field-label">Test</span>
        <select
          value={kind}
          disabled={disabled}
          onChange={(e) => onChange(defaultPart(e.target.value as PartKind, choices))}
        >
          <option value="signal">An email</option>
          <option value="outcome">A phone call’s outcome</option>
          <option value="field">A field of the record</option>
        </select>
      </label>
      {isSignalCondition(part) && (
        <>
          <div className="field">
            <label className="field-label" htmlFor={`${id}-email`}>
              Email step
            </label>
            <StepSelect
              id={`${id}-email`}
              steps={choices.emails}
              value={part.step}
              disabled={disabled}
              onChange={(step) => onChange({ ...part, step })}
            />
          </div>
          <label className="field">
            <span className="field-label">Signal</span>
            <select
              value={part.signal}
              disabled={disabled}
              onChange={(e) => onChange({ ...part, signal: e.target.value as EmailSignal })}
            >
              {EMAIL_SIGNALS.map((s) => (
                <option key={s} value={s}>
                  The recipient {SIGNAL_NAMES[s]} it
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      {isOutcomeCondition(part) && (
        <>
          <div className="field">
            <label className="field-label" htmlFor={`${id}-call`}>
              Phone call step
            </label>
            <StepSelect
              id={`${id}-call`}
              steps={choices.calls}
              value={part.step}
              disabled={disabled}
              onChange={(step) => onChange({ ...part, step })}
            />
          </div>
          <fieldset className="fieldset fieldset-inner">
            <legend>Outcome is one of</legend>
            {CALL_OUTCOMES.map((outcome) => (
              <label key={outcome} className="check">
                <input
                  type="checkbox"
                  checked={part.outcome.includes(outcome)}
                  disabled={disabled}
                  onChange={(e) =>
                    onChange({
                      ...part,
                      outcome: e.target.checked
                        ? CALL_OUTCOMES.filter((o) => o === outcome || part.outcome.includes(o))
                        : part.outcome.filter((o: CallOutcome) => o !== outcome),
                    })
                  }
                />
                {OUTCOME_NAMES[outcome]}
              </label>
            ))}
          </fieldset>
        </>
      )}
      {isFieldCondition(part) && (
        <>
          <label className="field">
            <span className="field-label">Field</span>
            <input
              value={part.field}
              disabled={disabled}
              placeholder="status"
              aria-describedby={`${id}-field-hint`}
              onChange={(e) => onChange({ ...part, field: e.target.value })}
            />
            <span id={`${id}-field-hint`} className="field-hint">
              A record property (name, company…) or a custom field.
            </span>
          </label>
          <label className="field">
            <span className="field-label">Operator</span>
            <select
              value={part.op}
              disabled={disabled}
              onChange={(e) => {
                const op = e.target.value as FieldOperator;
                const { value: _old, ...rest } = part;
                onChange(
                  UNARY_FIELD_OPERATORS.includes(op)
                    ? { ...rest, op }
                    : { ...rest, op, value: part.value ?? '' },
                );
              }}
            >
              {FIELD_OPERATORS.map((op) => (
                <option key={op} value={op}>
                  {OPERATOR_NAMES[op]}
                </option>
              ))}
            </select>
          </label>
          {!UNARY_FIELD_OPERATORS.includes(part.op) && (
            <label className="field">
              <span className="field-label">Value</span>
              <input
                value={part.value === null || part.value === undefined ? '' : String(part.value)}
                disabled={disabled}
                onChange={(e) => onChange({ ...part, value: e.target.value })}
              />
            </label>
          )}
        </>
      )}
    </div>
  );
}

function StepSelect({
  id,
  steps,
  value,
  onChange,
  disabled,
}: {
  id: string;
  steps: Step[];
  value: string;
  onChange: (id: string) => void;
  disabled: boolean;
}) {
  const known = steps.some((s) => s.id === value);
  return (
    <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
      {!known && (
        <option value={value}>
          {value === '' ? 'Choose a step' : `${value} (not before this condition)`}
        </option>
      )}
      {steps.map((s) => (
        <option key={s.id} value={s.id}>
          {stepTitle(s)}
        </option>
      ))}
    </select>
  );
}

function defaultPart(kind: PartKind, choices: ConditionChoices): Condition {
  switch (kind) {
    case 'signal':
      return { signal: 'email_opened', step: choices.emails.at(-1)?.id ?? '' };
    case 'outcome':
      return { step: choices.calls.at(-1)?.id ?? '', outcome: ['answered'] };
    case 'field':
      return { field: '', op: 'eq', value: '' };
  }
}
