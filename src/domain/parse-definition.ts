// Untrusted JSON -> a typed SequenceDefinition, or every shape problem with a JSON Pointer to it.
// Shape only (types, required fields, known step types and enums, no unknown properties): whether the
// sequence makes sense is validate-definition.ts' job, so that drafts with loose ends can still be saved.
import {
  assertNever,
  CALL_OUTCOMES,
  type CallOutcome,
  type Condition,
  DEFAULT_SEQUENCE_OPTIONS,
  EMAIL_SIGNALS,
  FIELD_OPERATORS,
  type FieldValue,
  type SequenceDefinition,
  type SequenceOptions,
  STEP_TYPES,
  type Step,
  type StepType,
  WORKING_HOURS_MODES,
} from './definition.js';

export const PARSE_CODES = [
  'bad_shape',
  'missing_property',
  'unknown_property',
  'unknown_step_type',
  'unknown_value',
  'too_large',
] as const;
export type ParseCode = (typeof PARSE_CODES)[number];

export interface DefinitionIssue {
  code: ParseCode;
  /** JSON Pointer (RFC 6901) into the definition, e.g. `/steps/3/duration`; `''` is the definition itself. */
  path: string;
  message: string;
}

export type ParseDefinitionResult =
  | { ok: true; definition: SequenceDefinition }
  | { ok: false; errors: DefinitionIssue[] };

/** Far beyond any real cadence; bounds the validator's graph work on hostile input. */
export const MAX_STEPS = 1000;
/** `all`/`any` nesting; real conditions nest once or twice, and recursion must not blow the stack. */
export const MAX_CONDITION_DEPTH = 8;

type JsonObject = Record<string, unknown>;

/** Where we are in the input, and where problems go. */
interface Cursor {
  path: string;
  issues: DefinitionIssue[];
}

export function parseDefinition(json: unknown): ParseDefinitionResult {
  const issues: DefinitionIssue[] = [];
  const root: Cursor = { path: '', issues };
  const obj = readObject(json, root, 'A sequence definition');
  if (obj === undefined) return { ok: false, errors: issues };
  rejectUnknownKeys(obj, ['start', 'options', 'steps'], root);

  const start = requiredString(obj, 'start', root);
  const options = readOptions(obj, root);
  const steps = readSteps(obj, root);
  if (issues.length > 0 || start === undefined || options === undefined || steps === undefined) {
    return { ok: false, errors: issues };
  }
  return { ok: true, definition: { start, options, steps } };
}

/** A JSON Pointer segment: `~` and `/` escaped as RFC 6901 says. */
export function pointerSegment(key: string | number): string {
  return String(key).replaceAll('~', '~0').replaceAll('/', '~1');
}

// ---------- options ----------

function readOptions(obj: JsonObject, parent: Cursor): SequenceOptions | undefined {
  if (!Object.hasOwn(obj, 'options')) return DEFAULT_SEQUENCE_OPTIONS;
  const at = child(parent, 'options');
  const options = readObject(obj.options, at, '"options"');
  if (options === undefined) return undefined;
  rejectUnknownKeys(options, Object.keys(DEFAULT_SEQUENCE_OPTIONS), at);
  const exitOnReply = optionalBoolean(options, 'exitOnReply', at);
  const workingHours = optionalEnum(options, 'workingHours', WORKING_HOURS_MODES, at);
  const skipNonWorkingDays = optionalBoolean(options, 'skipNonWorkingDays', at);
  const tracking = optionalBoolean(options, 'tracking', at);
  return {
    exitOnReply: exitOnReply ?? DEFAULT_SEQUENCE_OPTIONS.exitOnReply,
    workingHours: workingHours ?? DEFAULT_SEQUENCE_OPTIONS.workingHours,
    skipNonWorkingDays: skipNonWorkingDays ?? DEFAULT_SEQUENCE_OPTIONS.skipNonWorkingDays,
    tracking: tracking ?? DEFAULT_SEQUENCE_OPTIONS.tracking,
  };
}

// ---------- steps ----------

function readSteps(obj: JsonObject, parent: Cursor): Step[] | undefined {
  if (!Object.hasOwn(obj, 'steps')) return missing(parent, 'steps', 'a list of steps');
  const at = child(parent, 'steps');
  const list = obj.steps;
  if (!Array.isArray(list)) return bad(at, '"steps" must be a list of steps.');
  if (list.length > MAX_STEPS) {
    return report(
      at,
      'too_large',
      `A sequence may have at most ${MAX_STEPS} steps; this one has ${list.length}.`,
    );
  }
  const steps: Step[] = [];
  for (let index = 0; index < list.length; index++) {
    const step = readStep(list[index], child(at, index));
    if (step !== undefined) steps.push(step);
  }
  return steps.length === list.length ? steps : undefined;
}

const COMMON_STEP_KEYS = ['id', 'type', 'name', 'description'];

/** The properties each step type may carry besides the common ones. */
function stepKeys(type: StepType): string[] {
  switch (type) {
    case 'email':
    case 'automated_email':
      return ['templateId', 'next'];
    case 'phone_call':
    case 'task':
    case 'linkedin_research':
    case 'linkedin_get_introduced':
    case 'linkedin_connect':
    case 'linkedin_inmail':
      return ['next'];
    case 'wait':
      return ['duration', 'next'];
    case 'condition':
      return ['if', 'within', 'moveOnSignal', 'yes', 'no'];
    case 'update_field':
      return ['field', 'value', 'next'];
    case 'advance_to_sequence':
      // `next` is read so that a draft with one saves; activation refuses it (advance_not_last).
      return ['sequenceId', 'next'];
    default:
      return assertNever(type);
  }
}

function readStep(value: unknown, at: Cursor): Step | undefined {
  const obj = readObject(value, at, 'A step');
  if (obj === undefined) return undefined;
  const type = readStepType(obj, at);
  const id = requiredString(obj, 'id', at);
  if (id === '') bad(child(at, 'id'), 'A step id must not be empty.');
  if (type === undefined) return undefined;
  rejectStepKeys(obj, type, at);

  const name = optionalString(obj, 'name', at);
  const description = optionalString(obj, 'description', at);
  const common = { id: id ?? '', ...present({ name, description }) };
  switch (type) {
    case 'email':
    case 'automated_email': {
      const templateId = optionalString(obj, 'templateId', at);
      const next = optionalString(obj, 'next', at);
      return { ...common, type, ...present({ templateId, next }) };
    }
    case 'phone_call':
    case 'task':
    case 'linkedin_research':
    case 'linkedin_get_introduced':
    case 'linkedin_connect':
    case 'linkedin_inmail': {
      const next = optionalString(obj, 'next', at);
      return { ...common, type, ...present({ next }) };
    }
    case 'wait': {
      const duration = requiredString(obj, 'duration', at, 'an ISO 8601 duration such as P2D');
      const next = optionalString(obj, 'next', at);
      return duration === undefined ? undefined : { ...common, type, duration, ...present({ next }) };
    }
    case 'condition':
      return readConditionStep(obj, at, common);
    case 'update_field': {
      const field = requiredString(obj, 'field', at);
      const value = requiredFieldValue(obj, 'value', at);
      const next = optionalString(obj, 'next', at);
      if (field === undefined || value === undefined) return undefined;
      return { ...common, type, field, value: value.value, ...present({ next }) };
    }
    case 'advance_to_sequence': {
      const sequenceId = requiredString(obj, 'sequenceId', at);
      const next = optionalString(obj, 'next', at);
      return sequenceId === undefined ? undefined : { ...common, type, sequenceId, ...present({ next }) };
    }
    default:
      return assertNever(type);
  }
}

function readStepType(obj: JsonObject, at: Cursor): StepType | undefined {
  if (!Object.hasOwn(obj, 'type')) return missing(at, 'type', 'a step type');
  const type = obj.type;
  if (typeof type !== 'string') return bad(child(at, 'type'), 'A step type must be a string.');
  if (!isOneOf(type, STEP_TYPES)) {
    return report(
      child(at, 'type'),
      'unknown_step_type',
      `"${type}" is not a step type; use one of ${STEP_TYPES.join(', ')}.`,
    );
  }
  return type;
}

function rejectStepKeys(obj: JsonObject, type: StepType, at: Cursor): void {
  rejectUnknownKeys(obj, [...COMMON_STEP_KEYS, ...stepKeys(type)], at);
}

function readConditionStep(
  obj: JsonObject,
  at: Cursor,
  common: { id: string; name?: string; description?: string },
): Step | undefined {
  const condition = Object.hasOwn(obj, 'if')
    ? readCondition(obj.if, child(at, 'if'), 1)
    : missing(at, 'if', 'the condition to test');
  const within = optionalString(obj, 'within', at);
  const moveOnSignal = optionalBoolean(obj, 'moveOnSignal', at);
  const yes = optionalString(obj, 'yes', at);
  const no = optionalString(obj, 'no', at);
  if (condition === undefined) return undefined;
  return { ...common, type: 'condition', if: condition, ...present({ within, moveOnSignal, yes, no }) };
}

// ---------- conditions ----------

const CONDITION_FORMS = '{signal, step}, {step, outcome}, {field, op, value}, {all: [...]} or {any: [...]}';

function readCondition(value: unknown, at: Cursor, depth: number): Condition | undefined {
  const obj = readObject(value, at, 'A condition');
  if (obj === undefined) return undefined;
  // The first distinguishing key decides the form; any other key is then reported as unknown.
  if (Object.hasOwn(obj, 'signal')) return readSignalCondition(obj, at);
  if (Object.hasOwn(obj, 'outcome')) return readOutcomeCondition(obj, at);
  if (Object.hasOwn(obj, 'field') || Object.hasOwn(obj, 'op')) return readFieldCondition(obj, at);
  if (Object.hasOwn(obj, 'all')) return readGroup(obj, 'all', at, depth);
  if (Object.hasOwn(obj, 'any')) return readGroup(obj, 'any', at, depth);
  return bad(at, `A condition must be one of ${CONDITION_FORMS}.`);
}

function readSignalCondition(obj: JsonObject, at: Cursor): Condition | undefined {
  rejectUnknownKeys(obj, ['signal', 'step'], at);
  const signal = requiredEnum(obj, 'signal', EMAIL_SIGNALS, at);
  const step = requiredString(obj, 'step', at, 'the id of the email step it tests');
  return signal === undefined || step === undefined ? undefined : { signal, step };
}

function readOutcomeCondition(obj: JsonObject, at: Cursor): Condition | undefined {
  rejectUnknownKeys(obj, ['step', 'outcome'], at);
  const step = requiredString(obj, 'step', at, 'the id of the phone call step it tests');
  const outcomeAt = child(at, 'outcome');
  const list = obj.outcome;
  if (!Array.isArray(list)) return bad(outcomeAt, `"outcome" must be a list of ${CALL_OUTCOMES.join(', ')}.`);
  const outcome: CallOutcome[] = [];
  list.forEach((item: unknown, index) => {
    const itemAt = child(outcomeAt, index);
    if (typeof item !== 'string') bad(itemAt, 'A call outcome must be a string.');
    else if (!isOneOf(item, CALL_OUTCOMES)) unknownValue(itemAt, item, CALL_OUTCOMES);
    else outcome.push(item);
  });
  return step === undefined || outcome.length !== list.length ? undefined : { step, outcome };
}

function readFieldCondition(obj: JsonObject, at: Cursor): Condition | undefined {
  rejectUnknownKeys(obj, ['field', 'op', 'value'], at);
  const field = requiredString(obj, 'field', at, 'the name of a record field');
  const op = requiredEnum(obj, 'op', FIELD_OPERATORS, at);
  const value = Object.hasOwn(obj, 'value') ? requiredFieldValue(obj, 'value', at) : { value: undefined };
  if (field === undefined || op === undefined || value === undefined) return undefined;
  return value.value === undefined ? { field, op } : { field, op, value: value.value };
}

function readGroup(obj: JsonObject, key: 'all' | 'any', at: Cursor, depth: number): Condition | undefined {
  rejectUnknownKeys(obj, [key], at);
  const listAt = child(at, key);
  if (depth >= MAX_CONDITION_DEPTH) {
    return report(listAt, 'too_large', `Conditions may nest at most ${MAX_CONDITION_DEPTH} levels deep.`);
  }
  const list = obj[key];
  if (!Array.isArray(list)) return bad(listAt, `"${key}" must be a list of conditions.`);
  const items: Condition[] = [];
  list.forEach((item: unknown, index) => {
    const condition = readCondition(item, child(listAt, index), depth + 1);
    if (condition !== undefined) items.push(condition);
  });
  if (items.length !== list.length) return undefined;
  return key === 'all' ? { all: items } : { any: items };
}

// ---------- readers: each reports its own problem and returns undefined on failure ----------

function readObject(value: unknown, at: Cursor, what: string): JsonObject | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return bad(at, `${what} must be a JSON object.`);
  }
  return value as JsonObject;
}

function rejectUnknownKeys(obj: JsonObject, allowed: readonly string[], at: Cursor): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      report(
        child(at, key),
        'unknown_property',
        `"${key}" is not a property here; expected ${allowed.map((k) => `"${k}"`).join(', ')}.`,
      );
    }
  }
}

function requiredString(obj: JsonObject, key: string, at: Cursor, what = 'a string'): string | undefined {
  if (!Object.hasOwn(obj, key)) return missing(at, key, what);
  return checkString(obj[key], key, at);
}

function optionalString(obj: JsonObject, key: string, at: Cursor): string | undefined {
  return Object.hasOwn(obj, key) ? checkString(obj[key], key, at) : undefined;
}

function checkString(value: unknown, key: string, at: Cursor): string | undefined {
  if (typeof value === 'string') return value;
  return bad(child(at, key), `"${key}" must be a string${value === null ? ' (leave it out for none)' : ''}.`);
}

function optionalBoolean(obj: JsonObject, key: string, at: Cursor): boolean | undefined {
  if (!Object.hasOwn(obj, key)) return undefined;
  const value = obj[key];
  if (typeof value === 'boolean') return value;
  return bad(child(at, key), `"${key}" must be true or false.`);
}

function requiredEnum<T extends string>(
  obj: JsonObject,
  key: string,
  values: readonly T[],
  at: Cursor,
): T | undefined {
  if (!Object.hasOwn(obj, key)) return missing(at, key, `one of ${values.join(', ')}`);
  return checkEnum(obj[key], key, values, at);
}

function optionalEnum<T extends string>(
  obj: JsonObject,
  key: string,
  values: readonly T[],
  at: Cursor,
): T | undefined {
  return Object.hasOwn(obj, key) ? checkEnum(obj[key], key, values, at) : undefined;
}

function checkEnum<T extends string>(
  value: unknown,
  key: string,
  values: readonly T[],
  at: Cursor,
): T | undefined {
  if (typeof value !== 'string') return bad(child(at, key), `"${key}" must be one of ${values.join(', ')}.`);
  if (!isOneOf(value, values)) return unknownValue(child(at, key), value, values);
  return value;
}

/** Boxed so that a present `null` (a legitimate field value) differs from failure. */
function requiredFieldValue(obj: JsonObject, key: string, at: Cursor): { value: FieldValue } | undefined {
  if (!Object.hasOwn(obj, key)) return missing(at, key, 'a value (text, number, true/false or null)');
  const value = obj[key];
  const ok =
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value));
  if (ok) return { value };
  return bad(child(at, key), `"${key}" must be text, a number, true/false or null.`);
}

function isOneOf<T extends string>(value: string, values: readonly T[]): value is T {
  return (values as readonly string[]).includes(value);
}

/** Keeps only the defined entries, so optional properties are absent rather than `undefined`. */
function present<T extends Record<string, unknown>>(obj: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

function child(at: Cursor, key: string | number): Cursor {
  return { path: `${at.path}/${pointerSegment(key)}`, issues: at.issues };
}

function report(at: Cursor, code: ParseCode, message: string): undefined {
  at.issues.push({ code, path: at.path, message });
  return undefined;
}

function bad(at: Cursor, message: string): undefined {
  return report(at, 'bad_shape', message);
}

function missing(at: Cursor, key: string, what: string): undefined {
  return report(child(at, key), 'missing_property', `"${key}" is required: ${what}.`);
}

function unknownValue(at: Cursor, value: string, values: readonly string[]): undefined {
  return report(at, 'unknown_value', `"${value}" is not allowed here; use one of ${values.join(', ')}.`);
}
