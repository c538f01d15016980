// fast-check arbitraries for sequence definitions, shared by every suite that needs definitions:
// validDefinitionArb passes every activation rule; anyDefinitionArb is well-typed but breaks rules at random.
import fc from 'fast-check';
import {
  ACTIVITY_TYPES,
  type ActivityType,
  assertNever,
  CALL_OUTCOMES,
  type CallOutcome,
  type Condition,
  EMAIL_SIGNALS,
  EMAIL_STEP_TYPES,
  type EmailSignal,
  FIELD_OPERATORS,
  type FieldOperator,
  type FieldValue,
  isEmailStep,
  MANUAL_ACTIVITY_TYPES,
  type SequenceDefinition,
  type SequenceOptions,
  type Step,
  testsSignal,
  UNARY_FIELD_OPERATORS,
  WORKING_HOURS_MODES,
} from '../definition.js';
import { MAX_STEP_DURATION_DAYS } from '../duration.js';

// ---------- leaves ----------

/** A duration a wait or `within` may hold: more than zero, at most 30 days, in the forms users write. */
export const validDurationTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 1, max: MAX_STEP_DURATION_DAYS }).map((d) => `P${d}D`),
  fc.integer({ min: 1, max: 4 }).map((w) => `P${w}W`),
  fc.integer({ min: 1, max: 24 * MAX_STEP_DURATION_DAYS }).map((h) => `PT${h}H`),
  fc.integer({ min: 1, max: 600 }).map((m) => `PT${m}M`),
  fc
    .record({
      days: fc.integer({ min: 0, max: MAX_STEP_DURATION_DAYS - 1 }),
      hours: fc.integer({ min: 0, max: 23 }),
      minutes: fc.integer({ min: 0, max: 59 }),
    })
    .filter(({ days, hours, minutes }) => days + hours + minutes > 0)
    .map(({ days, hours, minutes }) => formatDuration(days, hours, minutes)),
);

/** Texts that are not a usable step duration for one reason or another. */
export const invalidDurationTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('P1M', 'P1Y', 'P', 'PT', 'P1DT', '-P1D', 'P1.5D', '2 days', '', 'p1d'),
  fc.string().filter((s) => !/^P/.test(s)),
);

/** Not zero-length, not over 30 days: breaks the limits but parses. */
export const tooLongDurationTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: MAX_STEP_DURATION_DAYS + 1, max: 400 }).map((d) => `P${d}D`),
  fc.integer({ min: 5, max: 20 }).map((w) => `P${w}W`),
  fc.constant('P30DT1M'),
  fc.constant(`PT${24 * MAX_STEP_DURATION_DAYS + 1}H`),
);

export const zeroDurationTextArb: fc.Arbitrary<string> = fc.constantFrom(
  'P0D',
  'PT0H',
  'PT0S',
  'P0W',
  'P0DT0H0M',
);

function formatDuration(days: number, hours: number, minutes: number): string {
  const date = days > 0 ? `${days}D` : '';
  const time = `${hours > 0 ? `${hours}H` : ''}${minutes > 0 ? `${minutes}M` : ''}`;
  return `P${date}${time === '' ? '' : `T${time}`}`;
}

export const fieldValueArb: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);

export const sequenceOptionsArb: fc.Arbitrary<SequenceOptions> = fc.record({
  exitOnReply: fc.boolean(),
  workingHours: fc.constantFrom(...WORKING_HOURS_MODES),
  skipNonWorkingDays: fc.boolean(),
  tracking: fc.boolean(),
});

const fieldNameArb = fc.constantFrom('status', 'rating', 'industry', 'title', 'budget');

// ---------- valid definitions ----------

type ConditionPlan =
  | { form: 'signal'; signal: EmailSignal; pick: number }
  | { form: 'outcome'; outcome: CallOutcome[]; pick: number }
  | { form: 'field'; field: string; op: FieldOperator; value: FieldValue }
  | { form: 'all' | 'any'; items: ConditionPlan[] };

const conditionPlanArb: fc.Arbitrary<ConditionPlan> = fc.letrec<{ plan: ConditionPlan }>((tie) => ({
  plan: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      form: fc.constant('signal' as const),
      signal: fc.constantFrom(...EMAIL_SIGNALS),
      pick: fc.nat(),
    }),
    fc.record({
      form: fc.constant('outcome' as const),
      outcome: fc.subarray([...CALL_OUTCOMES], { minLength: 1 }),
      pick: fc.nat(),
    }),
    fc.record({
      form: fc.constant('field' as const),
      field: fieldNameArb,
      op: fc.constantFrom(...FIELD_OPERATORS),
      value: fieldValueArb,
    }),
    fc.record({
      form: fc.constantFrom('all' as const, 'any' as const),
      items: fc.array(tie('plan'), { minLength: 1, maxLength: 3 }),
    }),
  ),
})).plan;

type NodeKind = 'activity' | 'wait' | 'condition' | 'update_field' | 'advance_to_sequence';

interface NodePlan {
  kind: NodeKind;
  activity: ActivityType;
  /** Which open link of the steps made so far leads to this one (taken modulo their number). */
  parentSlot: number;
  /** More open links that also lead here, so paths join again. */
  mergeSlots: number[];
  duration: string;
  condition: ConditionPlan;
  within: string;
  withinForNonSignal: boolean;
  moveOnSignal: boolean | undefined;
  field: string;
  value: FieldValue;
  name: string | undefined;
}

const nodePlanArb: fc.Arbitrary<NodePlan> = fc.record({
  kind: fc.constantFrom<NodeKind>(
    'activity',
    'activity',
    'wait',
    'condition',
    'update_field',
    'advance_to_sequence',
  ),
  activity: fc.constantFrom(...ACTIVITY_TYPES),
  parentSlot: fc.nat(),
  mergeSlots: fc.array(fc.nat(), { maxLength: 2 }),
  duration: validDurationTextArb,
  condition: conditionPlanArb,
  within: validDurationTextArb,
  withinForNonSignal: fc.boolean(),
  moveOnSignal: fc.option(fc.boolean(), { nil: undefined }),
  field: fieldNameArb,
  value: fieldValueArb,
  name: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
});

interface DefinitionPlan {
  first: ActivityType;
  nodes: NodePlan[];
  idPrefix: string;
  order: number[];
  options: SequenceOptions;
}

const definitionPlanArb: fc.Arbitrary<DefinitionPlan> = fc.record({
  first: fc.constantFrom(...ACTIVITY_TYPES),
  nodes: fc.array(nodePlanArb, { maxLength: 14 }),
  // Ids with JSON Pointer's special characters and non-ASCII, so nobody builds paths from ids.
  idPrefix: fc.constantFrom('s', 'step-', 'a/b~', 'étape '),
  order: fc.array(fc.nat(), { maxLength: 24 }),
  options: sequenceOptionsArb,
});

/**
 * Definitions that pass every activation rule: a random DAG grown from the start, each new step hung on
 * an open link of an earlier one (so every step is reachable and nothing loops), conditions testing only
 * emails or calls that come before them on every path, and steps listed in shuffled order.
 */
export const validDefinitionArb: fc.Arbitrary<SequenceDefinition> =
  definitionPlanArb.map(buildValidDefinition);

type Slot = { step: number; key: 'next' | 'yes' | 'no'; required: boolean };

/** Mutable while growing; frozen into Step objects at the end. */
interface Draft {
  plan: NodePlan | undefined;
  kind: NodeKind;
  activity: ActivityType;
  links: Partial<Record<Slot['key'], number>>;
}

function buildValidDefinition(plan: DefinitionPlan): SequenceDefinition {
  const drafts: Draft[] = [{ plan: undefined, kind: 'activity', activity: plan.first, links: {} }];
  const open: Slot[] = [{ step: 0, key: 'next', required: false }];
  const link = (slot: Slot, target: number) => {
    (drafts[slot.step] as Draft).links[slot.key] = target;
  };
  for (const node of plan.nodes) {
    if (open.length === 0) break; // every branch already ended in "advance to sequence"
    const index = drafts.length;
    for (const pick of [node.parentSlot, ...node.mergeSlots]) {
      if (open.length === 0) break;
      link(open.splice(pick % open.length, 1)[0] as Slot, index);
    }
    drafts.push({ plan: node, kind: node.kind, activity: node.activity, links: {} });
    open.push(...slotsOf(index, node.kind));
  }
  // Waits and conditions may not be left dangling: they all lead to one closing task.
  const required = open.filter((slot) => slot.required);
  if (required.length > 0) {
    const closing = drafts.length;
    drafts.push({ plan: undefined, kind: 'activity', activity: 'task', links: {} });
    for (const slot of required) link(slot, closing);
  }

  const ids = drafts.map((_, i) => `${plan.idPrefix}${i}`);
  const dominators = dominatorsInOrder(drafts);
  const steps = drafts.map((_, i) => toStep(drafts, i, ids, dominators[i] ?? new Set()));
  const hasEmail = steps.some(isEmailStep);
  return {
    start: ids[0] as string,
    options: { ...plan.options, exitOnReply: plan.options.exitOnReply && hasEmail },
    steps: shuffled(steps, plan.order),
  };
}

function slotsOf(step: number, kind: NodeKind): Slot[] {
  switch (kind) {
    case 'activity':
    case 'update_field':
      return [{ step, key: 'next', required: false }];
    case 'wait':
      return [{ step, key: 'next', required: true }];
    case 'condition':
      return [
        { step, key: 'yes', required: true },
        { step, key: 'no', required: true },
      ];
    case 'advance_to_sequence':
      return [];
    default:
      return assertNever(kind);
  }
}

/**
 * dom(v) = {v} ∪ ⋂ dom(p) over v's predecessors. Every link points to a later draft, so one pass in
 * creation order sees each step's predecessors first.
 */
function dominatorsInOrder(drafts: Draft[]): Set<number>[] {
  const preds: number[][] = drafts.map(() => []);
  drafts.forEach((draft, i) => {
    for (const target of Object.values(draft.links)) preds[target]?.push(i);
  });
  const dom: Set<number>[] = [];
  drafts.forEach((_, v) => {
    const fromPreds = (preds[v] ?? []).map((p) => dom[p] ?? new Set<number>());
    const common = fromPreds.length === 0 ? new Set<number>() : intersection(fromPreds);
    dom.push(new Set([...common, v]));
  });
  return dom;
}

function intersection(sets: Set<number>[]): Set<number> {
  const [first, ...rest] = sets;
  return new Set([...(first ?? [])].filter((x) => rest.every((s) => s.has(x))));
}

function toStep(drafts: Draft[], index: number, ids: string[], dominators: Set<number>): Step {
  const draft = drafts[index] as Draft;
  const id = ids[index] as string;
  const node = draft.plan;
  const name = node?.name === undefined ? {} : { name: node.name };
  const ref = (key: Slot['key']) => {
    const target = draft.links[key];
    return target === undefined ? {} : { [key]: ids[target] as string };
  };
  if (node === undefined) return activityStep(id, draft.activity, ref('next'));
  switch (draft.kind) {
    case 'activity':
      return { ...activityStep(id, draft.activity, ref('next')), ...name };
    case 'wait':
      return { id, type: 'wait', duration: node.duration, ...name, ...ref('next') };
    case 'update_field':
      return { id, type: 'update_field', field: node.field, value: node.value, ...name, ...ref('next') };
    case 'advance_to_sequence':
      return { id, type: 'advance_to_sequence', sequenceId: `seq_${index}`, ...name };
    case 'condition': {
      const before = [...dominators].filter((d) => d !== index).sort((a, b) => a - b);
      const ofType = (types: readonly ActivityType[]) =>
        before
          .filter((d) => drafts[d]?.kind === 'activity' && types.includes(drafts[d].activity))
          .map((d) => ids[d] as string);
      const condition = materialize(node.condition, {
        emails: ofType(EMAIL_STEP_TYPES),
        calls: ofType(['phone_call']),
      });
      const within = testsSignal(condition) || node.withinForNonSignal ? { within: node.within } : {};
      const moveOnSignal = node.moveOnSignal === undefined ? {} : { moveOnSignal: node.moveOnSignal };
      return {
        id,
        type: 'condition',
        if: condition,
        ...within,
        ...moveOnSignal,
        ...name,
        ...ref('yes'),
        ...ref('no'),
      };
    }
    default:
      return assertNever(draft.kind);
  }
}

function activityStep(id: string, type: ActivityType, next: { next?: string }): Step {
  // An automated email needs a template to activate (template_required); a manual one may go without.
  return type === 'automated_email' ? { id, type, templateId: `tpl_${id}`, ...next } : { id, type, ...next };
}

/** Turns a condition plan into a condition that names only the emails and calls that precede it; else a field test. */
function materialize(plan: ConditionPlan, before: { emails: string[]; calls: string[] }): Condition {
  switch (plan.form) {
    case 'signal': {
      const step = before.emails[plan.pick % Math.max(1, before.emails.length)];
      return step === undefined ? FALLBACK_CONDITION : { signal: plan.signal, step };
    }
    case 'outcome': {
      const step = before.calls[plan.pick % Math.max(1, before.calls.length)];
      return step === undefined ? FALLBACK_CONDITION : { step, outcome: plan.outcome };
    }
    case 'field':
      return UNARY_FIELD_OPERATORS.includes(plan.op)
        ? { field: plan.field, op: plan.op }
        : { field: plan.field, op: plan.op, value: plan.value };
    case 'all':
      return { all: plan.items.map((item) => materialize(item, before)) };
    case 'any':
      return { any: plan.items.map((item) => materialize(item, before)) };
    default:
      return assertNever(plan);
  }
}

const FALLBACK_CONDITION: Condition = { field: 'status', op: 'is_not_empty' };

function shuffled<T>(items: T[], keys: number[]): T[] {
  return items
    .map((item, i) => ({ item, key: keys[i] ?? i }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);
}

// ---------- any well-typed definition ----------

const ID_POOL = ['a', 'b', 'c', 'd', 'e', 'f'];
/** Mostly ids that exist in the pool, sometimes one that doesn't. */
const refArb = fc.constantFrom(...ID_POOL, 'missing', '');
/** Ids repeat (duplicates are a rule to check) but are never empty (the parser refuses those). */
const idArb = fc.constantFrom(...ID_POOL);
const anyDurationTextArb = fc.oneof(
  validDurationTextArb,
  invalidDurationTextArb,
  tooLongDurationTextArb,
  zeroDurationTextArb,
);

const anyConditionArb: fc.Arbitrary<Condition> = fc.letrec<{ condition: Condition }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ signal: fc.constantFrom(...EMAIL_SIGNALS), step: refArb }),
    fc.record({ step: refArb, outcome: fc.subarray([...CALL_OUTCOMES]) }),
    fc.record(
      {
        field: fc.oneof(fieldNameArb, fc.constant('')),
        op: fc.constantFrom(...FIELD_OPERATORS),
        value: fieldValueArb,
      },
      { requiredKeys: ['field', 'op'] },
    ),
    fc.record({ all: fc.array(tie('condition'), { maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('condition'), { maxLength: 3 }) }),
  ),
})).condition;

const nameAndNext = { name: fc.string({ maxLength: 10 }), next: refArb };

const anyStepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record(
    {
      id: idArb,
      type: fc.constantFrom('email' as const, 'automated_email' as const),
      templateId: fc.string(),
      ...nameAndNext,
    },
    { requiredKeys: ['id', 'type'] },
  ),
  fc.record(
    {
      id: idArb,
      type: fc.constantFrom(...MANUAL_ACTIVITY_TYPES.filter((t) => t !== 'email')),
      ...nameAndNext,
    },
    { requiredKeys: ['id', 'type'] },
  ) as fc.Arbitrary<Step>,
  fc.record(
    { id: idArb, type: fc.constant('wait' as const), duration: anyDurationTextArb, ...nameAndNext },
    { requiredKeys: ['id', 'type', 'duration'] },
  ),
  fc.record(
    {
      id: idArb,
      type: fc.constant('condition' as const),
      if: anyConditionArb,
      within: anyDurationTextArb,
      moveOnSignal: fc.boolean(),
      yes: refArb,
      no: refArb,
    },
    { requiredKeys: ['id', 'type', 'if'] },
  ),
  fc.record(
    {
      id: idArb,
      type: fc.constant('update_field' as const),
      field: fc.oneof(fieldNameArb, fc.constant('')),
      value: fieldValueArb,
      ...nameAndNext,
    },
    { requiredKeys: ['id', 'type', 'field', 'value'] },
  ),
  fc.record(
    {
      id: idArb,
      type: fc.constant('advance_to_sequence' as const),
      sequenceId: fc.constantFrom('seq_1', ''),
    },
    { requiredKeys: ['id', 'type', 'sequenceId'] },
  ),
);

/**
 * Well-typed definitions with no promise of sense: dangling links, duplicate ids, loops, bad durations.
 * What a draft in the designer may hold; the validator must report, never throw.
 */
export const anyDefinitionArb: fc.Arbitrary<SequenceDefinition> = fc.record({
  start: refArb,
  options: sequenceOptionsArb,
  steps: fc.array(anyStepArb, { maxLength: 12 }),
});
