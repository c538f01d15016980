// The step a running enrollment is at, in words (connected records, a record's sequence history): from the
// definition of the version it runs when known, else from the step's name or type, never its id.
import type { SequenceDefinition, StepType } from '@domain/definition.js';
import { describeCurrentStep, stepTitle } from '../designer/describe-step.js';
import { STEP_TYPE_LOOKS } from '../designer/step-kinds.js';

export interface CurrentStep {
  id: string;
  name: string | null;
  type: string | null;
}

/** `definition` must be the one of the enrollment's version (another version may reuse the id). */
export function currentStepText(current: CurrentStep, definition: SequenceDefinition | undefined): string {
  const steps = definition?.steps ?? [];
  const step = steps.find((s) => s.id === current.id && s.type === current.type);
  if (step !== undefined)
    return describeCurrentStep(step, (id) => {
      const named = steps.find((s) => s.id === id);
      return named === undefined ? 'an earlier step' : stepTitle(named);
    });
  if (current.name !== null && current.name.trim() !== '') return current.name;
  if (current.type === 'condition') return 'Waiting on a condition';
  if (current.type === 'wait') return 'Waiting';
  return STEP_TYPE_LOOKS[current.type as StepType]?.title ?? 'A step';
}
