// Words for what a step does, shown under its name on the canvas and in lists.
import {
  assertNever,
  type Condition,
  isAllCondition,
  isAnyCondition,
  isFieldCondition,
  isOutcomeCondition,
  isSignalCondition,
  type Step,
} from '@domain/definition.js';
import type { StepContent } from './flow-types.js';
import { STEP_TYPE_LOOKS } from './step-kinds.js';
import { describeWait } from './wait-duration.js';

export const SIGNAL_NAMES = {
  email_opened: 'opened',
  email_replied: 'replied to',
  email_clicked: 'clicked a link in',
  email_attachment_opened: 'opened an attachment of',
} as const;

export const OUTCOME_NAMES = {
  answered: 'Answered',
  no_answer: 'No answer',
  left_voicemail: 'Left voicemail',
  wrong_number: 'Wrong number',
} as const;

export const OPERATOR_NAMES = {
  eq: 'equals',
  neq: 'does not equal',
  gt: 'is greater than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
  contains: 'contains',
  not_contains: 'does not contain',
  is_empty: 'is empty',
  is_not_empty: 'is not empty',
} as const;

export function stepTitle(step: Pick<Step, 'name' | 'type'>): string {
  return step.name !== undefined && step.name.trim() !== '' ? step.name : STEP_TYPE_LOOKS[step.type].title;
}

/** One line under the step's name. `nameOf` turns a step id into the name the user gave it. */
export function stepSubtitle(step: StepContent, nameOf: (id: string) => string): string {
  switch (step.type) {
    case 'wait':
      return `Wait ${describeWait(step.duration)}`;
    case 'condition':
      return describeCondition(step.if, nameOf);
    case 'update_field':
      return step.field === '' ? 'Choose a field' : `Set ${step.field} to ${JSON.stringify(step.value)}`;
    case 'advance_to_sequence':
      return step.sequenceId === '' ? 'Choose a sequence' : 'Moves the record to another sequence';
    case 'email':
    case 'automated_email':
      return `${STEP_TYPE_LOOKS[step.type].title}${step.templateId === undefined ? '' : ' · template'}`;
    case 'phone_call':
    case 'task':
    case 'linkedin_research':
    case 'linkedin_get_introduced':
    case 'linkedin_connect':
    case 'linkedin_inmail':
      return STEP_TYPE_LOOKS[step.type].title;
    default:
      return assertNever(step);
  }
}

/** What a step's card on the canvas says, and the name it is announced by. */
export interface StepCardText {
  title: string;
  /** Absent when it would only repeat the title (a wait named after its duration). */
  subtitle?: string;
  /**
   * "Intro email, If they replied…, Condition, 1 problem": the visible words first and in their order, as
   * the name of a control must hold its visible text (WCAG 2.5.3), then the kind of step unless the visible
   * words already say it, then the problems.
   */
  label: string;
}

export function stepCardText(step: StepContent, nameOf: (id: string) => string, problems = 0): StepCardText {
  const title = stepTitle(step);
  const line = stepSubtitle(step, nameOf);
  const subtitle = same(line, title) ? undefined : line;
  const kind = STEP_TYPE_LOOKS[step.type].title;
  const said = [title, ...(subtitle === undefined ? [] : [subtitle])];
  // The kind stays after a name that is the kind itself, so that every card reads "name, …".
  const words = said.length > 1 && said.some((text) => same(text, kind)) ? said : [...said, kind];
  const problemText = problems === 0 ? '' : `, ${problems} problem${problems === 1 ? '' : 's'}`;
  return {
    title,
    ...(subtitle === undefined ? {} : { subtitle }),
    label: `${words.join(', ')}${problemText}`,
  };
}

function same(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

export function describeCondition(condition: Condition, nameOf: (id: string) => string): string {
  return `If ${conditionClause(condition, nameOf)}`;
}

/** A step a record is at now, as a person reads it: "Waiting to see if they opened “Intro email”". */
export function describeCurrentStep(step: Step, nameOf: (id: string) => string): string {
  if (step.type === 'condition') return `Waiting to see if ${conditionClause(step.if, nameOf)}`;
  if (step.type === 'wait') return `Waiting ${describeWait(step.duration)}`;
  return stepTitle(step);
}

function conditionClause(condition: Condition, nameOf: (id: string) => string): string {
  if (isSignalCondition(condition))
    return `they ${SIGNAL_NAMES[condition.signal]} “${nameOf(condition.step)}”`;
  if (isOutcomeCondition(condition))
    return `“${nameOf(condition.step)}” was ${condition.outcome.map((o) => OUTCOME_NAMES[o].toLowerCase()).join(' or ') || '…'}`;
  if (isFieldCondition(condition))
    return `${condition.field || 'a field'} ${OPERATOR_NAMES[condition.op]}${condition.value === undefined ? '' : ` ${JSON.stringify(condition.value)}`}`;
  if (isAllCondition(condition)) return `all of ${condition.all.length} conditions`;
  if (isAnyCondition(condition)) return `any of ${condition.any.length} conditions`;
  return 'a condition holds';
}
