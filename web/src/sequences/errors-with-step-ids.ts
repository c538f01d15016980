// A 422's errors with a step id on each one that points into a step, even when the server only gave the
// JSON path (`/definition/steps/5/within`), so the designer can put every problem on its step.
import type { SequenceDefinition } from '@domain/definition.js';
import type { ProblemDetail } from '../api/api-error.js';

const STEP_PATH = /^(?:\/definition)?\/steps\/(\d+)(?:\/|$)/;

export function errorsWithStepIds(errors: ProblemDetail[], definition: SequenceDefinition): ProblemDetail[] {
  return errors.map((error) => {
    if (error.stepId !== undefined || error.path === undefined) return error;
    const index = STEP_PATH.exec(error.path)?.[1];
    const step = index === undefined ? undefined : definition.steps[Number(index)];
    return step === undefined ? error : { ...error, stepId: step.id };
  });
}
