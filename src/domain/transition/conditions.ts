// Three-valued evaluation of a condition step's `if`: true, false, or still pending (a signal may yet come).
import {
  type Condition,
  type EmailSignal,
  type FieldCondition,
  isAllCondition,
  isAnyCondition,
  isFieldCondition,
  isOutcomeCondition,
  isSignalCondition,
} from '../definition.js';
import type { StepFacts } from '../enrollment.js';

export type Verdict = true | false | 'pending';

type SignalFact = 'opened' | 'replied' | 'clicked' | 'attachment_opened';

export const SIGNAL_FACT: Record<EmailSignal, SignalFact> = {
  email_opened: 'opened',
  email_replied: 'replied',
  email_clicked: 'clicked',
  email_attachment_opened: 'attachment_opened',
};

/**
 * The facts a signal establishes: its own, and for a click also an open (a link followed proves the email
 * was opened, though its pixel may never have loaded), as the engine counts it (signals.ts ALSO_COUNTS).
 */
export const SIGNAL_FACTS: Record<EmailSignal, readonly SignalFact[]> = {
  email_opened: ['opened'],
  email_replied: ['replied'],
  email_clicked: ['clicked', 'opened'],
  email_attachment_opened: ['attachment_opened'],
};

export interface ConditionInputs {
  facts: Record<string, StepFacts>;
  fields: Record<string, unknown> | undefined;
  /** Signals that happened after this instant are not counted yet. */
  asOf: number;
}

/**
 * A signal part is true once its signal was seen, false when the tested email can no longer be
 * engaged with (skipped, failed permanently, suppressed), otherwise pending; the caller turns
 * pending into false at the deadline. An outcome part is decided (the tested call is closed). A field
 * part is true, or pending while false: the record may still change before the deadline, so a false
 * field never decides `no` early (under `moveOnSignal`, `all` of a signal and a field waits for both).
 */
export function evaluate(condition: Condition, inputs: ConditionInputs): Verdict {
  if (isSignalCondition(condition)) {
    const facts = inputs.facts[condition.step];
    const at = facts?.[SIGNAL_FACT[condition.signal]];
    if (at !== undefined && at <= inputs.asOf) return true;
    return facts?.skipped ? false : 'pending';
  }
  if (isOutcomeCondition(condition)) {
    const outcome = inputs.facts[condition.step]?.outcome;
    return outcome !== undefined && condition.outcome.includes(outcome);
  }
  if (isFieldCondition(condition)) return evaluateField(condition, inputs.fields) ? true : 'pending';
  if (isAllCondition(condition)) {
    let result: Verdict = true;
    for (const part of condition.all) {
      const v = evaluate(part, inputs);
      if (v === false) return false;
      if (v === 'pending') result = 'pending';
    }
    return result;
  }
  if (isAnyCondition(condition)) {
    let result: Verdict = false;
    for (const part of condition.any) {
      const v = evaluate(part, inputs);
      if (v === true) return true;
      if (v === 'pending') result = 'pending';
    }
    return result;
  }
  return false;
}

/** Step ids whose facts (signals, outcome, skipped) the condition reads. */
export function testedSteps(condition: Condition): string[] {
  if (isSignalCondition(condition) || isOutcomeCondition(condition)) return [condition.step];
  if (isAllCondition(condition)) return condition.all.flatMap(testedSteps);
  if (isAnyCondition(condition)) return condition.any.flatMap(testedSteps);
  return [];
}

/** Field names the condition reads. */
export function testedFields(condition: Condition): string[] {
  if (isFieldCondition(condition)) return [condition.field];
  if (isAllCondition(condition)) return condition.all.flatMap(testedFields);
  if (isAnyCondition(condition)) return condition.any.flatMap(testedFields);
  return [];
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    if (Number.isFinite(n)) return n;
  }
  return undefined;
}

function normalise(value: unknown): unknown {
  return typeof value === 'string' ? value.trim().toLowerCase() : value;
}

/** Numbers compare numerically (numeric strings count as numbers), other strings lexicographically (ISO dates order correctly). */
function compare(actual: unknown, expected: unknown): number | undefined {
  const a = asNumber(actual);
  const b = asNumber(expected);
  if (a !== undefined && b !== undefined) return a - b;
  if (typeof actual === 'string' && typeof expected === 'string') {
    const x = normalise(actual) as string;
    const y = normalise(expected) as string;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return undefined;
}

function equals(actual: unknown, expected: unknown): boolean {
  if (isEmpty(actual) && isEmpty(expected)) return true;
  const a = asNumber(actual);
  const b = asNumber(expected);
  if (a !== undefined && b !== undefined) return a === b;
  return normalise(actual) === normalise(expected);
}

function contains(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(actual)) return actual.some((item) => equals(item, expected));
  if (typeof actual !== 'string' || expected === null || expected === undefined) return false;
  return actual.toLowerCase().includes(String(expected).toLowerCase());
}

/** String comparisons ignore case and surrounding spaces; a missing field is empty and compares as neither greater nor less. */
function evaluateField(condition: FieldCondition, fields: Record<string, unknown> | undefined): boolean {
  const actual =
    fields !== undefined && Object.hasOwn(fields, condition.field) ? fields[condition.field] : undefined;
  const expected = condition.value;
  switch (condition.op) {
    case 'is_empty':
      return isEmpty(actual);
    case 'is_not_empty':
      return !isEmpty(actual);
    case 'eq':
      return equals(actual, expected);
    case 'neq':
      return !equals(actual, expected);
    case 'contains':
      return contains(actual, expected);
    case 'not_contains':
      return !contains(actual, expected);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const c = compare(actual, expected);
      if (c === undefined) return false;
      if (condition.op === 'gt') return c > 0;
      if (condition.op === 'gte') return c >= 0;
      if (condition.op === 'lt') return c < 0;
      return c <= 0;
    }
    default:
      return false;
  }
}
