// The shape of a sequence definition, exactly as api.md "Definition format" describes it.
// Pure types and constants: every other part (parser, validator, transition, storage, API, web) reads these.

export const ENTITY_TYPES = ['lead', 'contact', 'account', 'opportunity'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** Steps a seller works from the work list (they become `open` at their due time). */
export const MANUAL_ACTIVITY_TYPES = [
  'email',
  'phone_call',
  'task',
  'linkedin_research',
  'linkedin_get_introduced',
  'linkedin_connect',
  'linkedin_inmail',
] as const;
export type ManualActivityType = (typeof MANUAL_ACTIVITY_TYPES)[number];

export const ACTIVITY_TYPES = [...MANUAL_ACTIVITY_TYPES, 'automated_email'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/** Steps that send a message: what signal conditions test and what a recipient can reply to. */
export const EMAIL_STEP_TYPES = ['email', 'automated_email'] as const;

export const STEP_TYPES = [
  ...ACTIVITY_TYPES,
  'wait',
  'condition',
  'update_field',
  'advance_to_sequence',
] as const;
export type StepType = (typeof STEP_TYPES)[number];

/** Signals an email condition can test. */
export const EMAIL_SIGNALS = [
  'email_opened',
  'email_replied',
  'email_clicked',
  'email_attachment_opened',
] as const;
export type EmailSignal = (typeof EMAIL_SIGNALS)[number];

export const CALL_OUTCOMES = ['answered', 'no_answer', 'left_voicemail', 'wrong_number'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export const FIELD_OPERATORS = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'not_contains',
  'is_empty',
  'is_not_empty',
] as const;
export type FieldOperator = (typeof FIELD_OPERATORS)[number];

/** Operators that take no `value`. */
export const UNARY_FIELD_OPERATORS: readonly FieldOperator[] = ['is_empty', 'is_not_empty'];

export type FieldValue = string | number | boolean | null;

export const WORKING_HOURS_MODES = ['owner', 'recipient', 'none'] as const;
export type WorkingHoursMode = (typeof WORKING_HOURS_MODES)[number];

/** ISO 8601 duration text as written by the user (`P2D`, `PT4H`, `P1DT12H`). */
export type IsoDuration = string;

interface StepBase {
  id: string;
  name?: string;
  description?: string;
}

export interface EmailStep extends StepBase {
  type: 'email' | 'automated_email';
  templateId?: string;
  next?: string;
}

export interface ManualStep extends StepBase {
  type: Exclude<ManualActivityType, 'email'>;
  next?: string;
}

export interface WaitStep extends StepBase {
  type: 'wait';
  duration: IsoDuration;
  next?: string;
}

export interface SignalCondition {
  signal: EmailSignal;
  /** The email or automated email step whose message is tested. */
  step: string;
}

export interface OutcomeCondition {
  /** The phone call step whose recorded outcome is tested. */
  step: string;
  outcome: CallOutcome[];
}

export interface FieldCondition {
  field: string;
  op: FieldOperator;
  value?: FieldValue;
}

export interface AllCondition {
  all: Condition[];
}

export interface AnyCondition {
  any: Condition[];
}

export type Condition = SignalCondition | OutcomeCondition | FieldCondition | AllCondition | AnyCondition;

export interface ConditionStep extends StepBase {
  type: 'condition';
  if: Condition;
  /** How long a signal condition waits before it takes `no`. Required when the condition tests a signal. */
  within?: IsoDuration;
  /** Take `yes` as soon as the signal arrives instead of when `within` has passed. */
  moveOnSignal?: boolean;
  yes?: string;
  no?: string;
}

export interface UpdateFieldStep extends StepBase {
  type: 'update_field';
  field: string;
  value: FieldValue;
  next?: string;
}

export interface AdvanceToSequenceStep extends StepBase {
  type: 'advance_to_sequence';
  /** The target sequence's id; its latest active version starts. */
  sequenceId: string;
  /**
   * Never valid: nothing follows an advance, the record leaves the sequence there. Kept when a draft has
   * one, so the draft saves and activation names the problem (`advance_not_last`, design.md §4).
   */
  next?: string;
}

export type Step =
  | EmailStep
  | ManualStep
  | WaitStep
  | ConditionStep
  | UpdateFieldStep
  | AdvanceToSequenceStep;

export interface SequenceOptions {
  exitOnReply: boolean;
  workingHours: WorkingHoursMode;
  skipNonWorkingDays: boolean;
  /** Open/click tracking on emails of this sequence (default true). */
  tracking: boolean;
}

export const DEFAULT_SEQUENCE_OPTIONS: SequenceOptions = {
  exitOnReply: false,
  workingHours: 'owner',
  skipNonWorkingDays: false,
  tracking: true,
};

export interface SequenceDefinition {
  start: string;
  options: SequenceOptions;
  steps: Step[];
}

/** An empty definition: what a new blank sequence holds until the designer adds steps. */
export const EMPTY_DEFINITION: SequenceDefinition = {
  start: '',
  options: DEFAULT_SEQUENCE_OPTIONS,
  steps: [],
};

export function isSignalCondition(c: Condition): c is SignalCondition {
  return 'signal' in c;
}
export function isOutcomeCondition(c: Condition): c is OutcomeCondition {
  return 'outcome' in c;
}
export function isFieldCondition(c: Condition): c is FieldCondition {
  return 'field' in c && 'op' in c;
}
export function isAllCondition(c: Condition): c is AllCondition {
  return 'all' in c;
}
export function isAnyCondition(c: Condition): c is AnyCondition {
  return 'any' in c;
}

export function isActivityStep(step: Step): step is EmailStep | ManualStep {
  return (ACTIVITY_TYPES as readonly string[]).includes(step.type);
}

export function isEmailStep(step: Step): step is EmailStep {
  return (EMAIL_STEP_TYPES as readonly string[]).includes(step.type);
}

/** Whether the condition has a signal part anywhere (and so waits up to `within` for it). */
export function testsSignal(condition: Condition): boolean {
  if (isSignalCondition(condition)) return true;
  if (isAllCondition(condition)) return condition.all.some(testsSignal);
  if (isAnyCondition(condition)) return condition.any.some(testsSignal);
  return false;
}

/** The ids a step may go to next, in order (`yes` before `no`). */
export function successors(step: Step): string[] {
  switch (step.type) {
    case 'condition':
      return [step.yes, step.no].filter((s): s is string => s !== undefined);
    case 'email':
    case 'automated_email':
    case 'phone_call':
    case 'task':
    case 'linkedin_research':
    case 'linkedin_get_introduced':
    case 'linkedin_connect':
    case 'linkedin_inmail':
    case 'wait':
    case 'update_field':
    case 'advance_to_sequence':
      return step.next === undefined ? [] : [step.next];
    default:
      return assertNever(step);
  }
}

export function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
