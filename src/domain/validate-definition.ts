// The rules a sequence must pass to be activated (design.md §4), checked all at once so that the designer
// can show every problem next to its step. Rules that need the store (the active-sequence limit, the
// advance target being active, of the same entity type and not looping) live in the engine; see advanceTargets.
import {
  assertNever,
  type Condition,
  EMAIL_STEP_TYPES,
  isActivityStep,
  isAllCondition,
  isAnyCondition,
  isEmailStep,
  isFieldCondition,
  isOutcomeCondition,
  isSignalCondition,
  type SequenceDefinition,
  type Step,
  type StepType,
  testsSignal,
  UNARY_FIELD_OPERATORS,
} from './definition.js';
import {
  describeDuration,
  isPositiveDuration,
  isWithinStepLimit,
  MAX_STEP_DURATION_DAYS,
  parseDuration,
} from './duration.js';
import { isRecordColumnField, recordColumnValue } from './record-columns.js';
import {
  type Cycle,
  findCycles,
  indexSteps,
  links,
  precedesOnEveryPath,
  reachableFromStart,
  type StepGraph,
} from './step-graph.js';

/** Stable codes: the API returns them and the UI keys help texts on them. Add, never rename. */
export const VALIDATION_CODES = [
  'no_activity',
  'start_missing',
  'wait_at_start',
  'advance_at_start',
  'wait_at_end',
  'invalid_duration',
  'wait_not_positive',
  'wait_too_long',
  'within_required',
  'within_not_positive',
  'within_too_long',
  'duplicate_step_id',
  'unknown_next',
  'branch_missing',
  'unknown_condition_step',
  'signal_step_not_email',
  'signal_step_not_before',
  'outcome_step_not_call',
  'outcome_step_not_before',
  'outcome_list_empty',
  'empty_group',
  'field_missing',
  'field_value_missing',
  'sequence_id_missing',
  'unreachable_step',
  'cycle',
  'exit_on_reply_without_email',
  'advance_not_last',
  'template_required',
  'invalid_field_value',
] as const;
export type ValidationCode = (typeof VALIDATION_CODES)[number];

export interface ValidationIssue {
  code: ValidationCode;
  /** The step to highlight, when the problem belongs to one. */
  stepId?: string;
  /** JSON Pointer into the definition (`/steps/5`, `/steps/2/within`); the API prefixes `/definition`. */
  path: string;
  /** Written for the sales manager who designs the sequence. */
  message: string;
}

export function validateForActivation(def: SequenceDefinition): ValidationIssue[] {
  const graph = indexSteps(def);
  return [
    ...checkHasActivity(def),
    ...checkStart(def, graph),
    ...checkIdsUnique(def),
    ...checkLinks(graph),
    ...def.steps.flatMap((step, index) => checkStepContents(step, index)),
    ...checkConditionReferences(graph),
    ...checkWaitsAtEnd(graph),
    ...checkReachable(graph),
    ...checkNoCycle(graph),
    ...checkExitOnReply(def),
  ];
}

/** The sequences this one can hand records over to: the engine checks they are active, of the same entity type, and don't loop back. */
export function advanceTargets(def: SequenceDefinition): string[] {
  const targets = def.steps.flatMap((step) =>
    step.type === 'advance_to_sequence' && step.sequenceId.trim() !== '' ? [step.sequenceId] : [],
  );
  return [...new Set(targets)];
}

// ---------- rules ----------

function checkHasActivity(def: SequenceDefinition): ValidationIssue[] {
  if (def.steps.some(isActivityStep)) return [];
  return [
    {
      code: 'no_activity',
      path: '/steps',
      message: 'Add at least one activity (an email, a phone call, a task or a LinkedIn step).',
    },
  ];
}

function checkStart(def: SequenceDefinition, graph: StepGraph): ValidationIssue[] {
  const { start } = graph;
  if (start === undefined) {
    const message =
      def.start === ''
        ? 'Choose the step the sequence starts with.'
        : `The sequence starts with step "${def.start}", which doesn't exist.`;
    return [{ code: 'start_missing', path: '/start', message }];
  }
  const step = graph.steps[start];
  if (step?.type === 'wait') {
    return [
      at(step, start, 'wait_at_start', `A sequence can't start with a wait; ${label(step)} comes first.`),
    ];
  }
  if (step?.type === 'advance_to_sequence') {
    return [
      at(
        step,
        start,
        'advance_at_start',
        `A sequence can't start by moving records to another sequence; ${label(step)} comes first.`,
      ),
    ];
  }
  return [];
}

function checkIdsUnique(def: SequenceDefinition): ValidationIssue[] {
  const seen = new Set<string>();
  return def.steps.flatMap((step, index) => {
    if (!seen.has(step.id)) {
      seen.add(step.id);
      return [];
    }
    return [
      at(
        step,
        index,
        'duplicate_step_id',
        `Two steps have the id "${step.id}"; each step needs its own.`,
        '/id',
      ),
    ];
  });
}

function checkLinks(graph: StepGraph): ValidationIssue[] {
  return graph.steps.flatMap((step, index) => {
    const issues = links(step)
      .filter((link) => !graph.indexOf.has(link.target))
      .map((link) =>
        at(
          step,
          index,
          'unknown_next',
          `${capitalized(label(step))} goes on to step "${link.target}", which doesn't exist.`,
          `/${link.key}`,
        ),
      );
    if (step.type === 'condition') {
      if (step.yes === undefined) issues.push(branchMissing(step, index, 'yes'));
      if (step.no === undefined) issues.push(branchMissing(step, index, 'no'));
    }
    return issues;
  });
}

function branchMissing(step: Step, index: number, branch: 'yes' | 'no'): ValidationIssue {
  return at(
    step,
    index,
    'branch_missing',
    `${capitalized(label(step))} needs a "${branch}" branch: choose what happens when the condition is ${branch === 'yes' ? 'met' : 'not met'}.`,
    `/${branch}`,
  );
}

/** What a single step must hold, whatever its place in the graph. */
function checkStepContents(step: Step, index: number): ValidationIssue[] {
  switch (step.type) {
    case 'wait':
      return checkDuration(step, index, step.duration, '/duration', 'wait');
    case 'condition':
      return [...checkWithin(step, index), ...checkConditionContents(step, index, step.if, '/if')];
    case 'update_field': {
      if (step.field.trim() === '')
        return [
          at(
            step,
            index,
            'field_missing',
            `${capitalized(label(step))} needs the field to update.`,
            '/field',
          ),
        ];
      // A record's own property takes what PATCH /api/records would: refused here rather than dropped when it runs.
      if (!isRecordColumnField(step.field)) return [];
      const column = recordColumnValue(step.field, step.value);
      return column.ok ? [] : [at(step, index, 'invalid_field_value', column.message, '/value')];
    }
    case 'advance_to_sequence':
      return [
        ...(step.sequenceId.trim() === ''
          ? [
              at(
                step,
                index,
                'sequence_id_missing',
                `${capitalized(label(step))} needs the sequence to move records to.`,
                '/sequenceId',
              ),
            ]
          : []),
        ...(step.next === undefined
          ? []
          : [
              at(
                step,
                index,
                'advance_not_last',
                `Nothing can follow ${label(step)}: the record leaves this sequence there. Remove its next step.`,
                '/next',
              ),
            ]),
      ];
    case 'automated_email':
      // Sent by the system: nobody writes it (Dynamics: "automatically sent … based on the selected template").
      return step.templateId === undefined || step.templateId.trim() === ''
        ? [
            at(
              step,
              index,
              'template_required',
              `${capitalized(label(step))} needs an email template: it is sent without anyone writing it.`,
              '/templateId',
            ),
          ]
        : [];
    case 'email':
    case 'phone_call':
    case 'task':
    case 'linkedin_research':
    case 'linkedin_get_introduced':
    case 'linkedin_connect':
    case 'linkedin_inmail':
      return [];
    default:
      return assertNever(step);
  }
}

/** Codes and wording for the two durations a step can hold: a wait's length, a condition's `within`. */
const DURATION_RULES = {
  wait: {
    notPositive: 'wait_not_positive',
    tooLong: 'wait_too_long',
    what: (step: Step) => `${capitalized(label(step))}`,
  },
  within: {
    notPositive: 'within_not_positive',
    tooLong: 'within_too_long',
    what: (step: Step) => `The time ${label(step)} waits for its signal`,
  },
} as const;

function checkDuration(
  step: Step,
  index: number,
  text: string,
  suffix: string,
  kind: keyof typeof DURATION_RULES,
): ValidationIssue[] {
  const rule = DURATION_RULES[kind];
  const parsed = parseDuration(text);
  if (!parsed.ok) {
    return [at(step, index, 'invalid_duration', `${capitalized(label(step))}: ${parsed.message}`, suffix)];
  }
  if (!isPositiveDuration(parsed.duration)) {
    return [at(step, index, rule.notPositive, `${rule.what(step)} must last longer than zero.`, suffix)];
  }
  if (!isWithinStepLimit(parsed.duration)) {
    const message = `${rule.what(step)} lasts ${describeDuration(parsed.duration)}; the most is ${MAX_STEP_DURATION_DAYS} days.`;
    return [at(step, index, rule.tooLong, message, suffix)];
  }
  return [];
}

function checkWithin(step: Step & { type: 'condition' }, index: number): ValidationIssue[] {
  if (step.within !== undefined) return checkDuration(step, index, step.within, '/within', 'within');
  if (!testsSignal(step.if)) return [];
  return [
    at(
      step,
      index,
      'within_required',
      `${capitalized(label(step))} tests an email signal, so it needs to know how long to wait for it before taking "no".`,
      '/within',
    ),
  ];
}

function checkConditionContents(
  step: Step,
  index: number,
  condition: Condition,
  path: string,
): ValidationIssue[] {
  return conditionParts(condition, path).flatMap(({ part, path: partPath }): ValidationIssue[] => {
    if (isAllCondition(part) || isAnyCondition(part)) {
      const key = isAllCondition(part) ? 'all' : 'any';
      const list = isAllCondition(part) ? part.all : part.any;
      return list.length > 0
        ? []
        : [
            at(
              step,
              index,
              'empty_group',
              `${capitalized(label(step))} has an empty "${key}" group.`,
              `${partPath}/${key}`,
            ),
          ];
    }
    if (isOutcomeCondition(part)) {
      return part.outcome.length > 0
        ? []
        : [
            at(
              step,
              index,
              'outcome_list_empty',
              `${capitalized(label(step))} needs at least one call outcome to look for.`,
              `${partPath}/outcome`,
            ),
          ];
    }
    if (isFieldCondition(part)) {
      if (part.field.trim() === '') {
        return [
          at(
            step,
            index,
            'field_missing',
            `${capitalized(label(step))} needs the field to test.`,
            `${partPath}/field`,
          ),
        ];
      }
      if (part.value === undefined && !UNARY_FIELD_OPERATORS.includes(part.op)) {
        return [
          at(
            step,
            index,
            'field_value_missing',
            `${capitalized(label(step))} needs a value to compare the field "${part.field}" with.`,
            `${partPath}/value`,
          ),
        ];
      }
    }
    return [];
  });
}

/** Every condition in a tree (groups included), each with its JSON Pointer. */
function conditionParts(condition: Condition, path: string): { part: Condition; path: string }[] {
  const self = { part: condition, path };
  if (isAllCondition(condition)) {
    return [self, ...condition.all.flatMap((c, i) => conditionParts(c, `${path}/all/${i}`))];
  }
  if (isAnyCondition(condition)) {
    return [self, ...condition.any.flatMap((c, i) => conditionParts(c, `${path}/any/${i}`))];
  }
  return [self];
}

/**
 * A condition tests the email it follows or the call it follows (design.md §4): the step it names must
 * exist, be of the right kind, and come before the condition on every path from the start, or a record
 * could reach the condition without that email ever being sent.
 */
function checkConditionReferences(graph: StepGraph): ValidationIssue[] {
  return graph.steps.flatMap((step, index) => {
    if (step.type !== 'condition') return [];
    return conditionParts(step.if, '/if').flatMap(({ part, path }) => {
      if (isSignalCondition(part))
        return checkReference(graph, step, index, part.step, `${path}/step`, 'signal');
      if (isOutcomeCondition(part))
        return checkReference(graph, step, index, part.step, `${path}/step`, 'outcome');
      return [];
    });
  });
}

const REFERENCE_RULES = {
  signal: {
    types: EMAIL_STEP_TYPES as readonly StepType[],
    kind: 'an email or automated email',
    wrongType: 'signal_step_not_email',
    notBefore: 'signal_step_not_before',
  },
  outcome: {
    types: ['phone_call'] as readonly StepType[],
    kind: 'a phone call',
    wrongType: 'outcome_step_not_call',
    notBefore: 'outcome_step_not_before',
  },
} as const;

function checkReference(
  graph: StepGraph,
  condition: Step,
  index: number,
  referenced: string,
  path: string,
  kind: keyof typeof REFERENCE_RULES,
): ValidationIssue[] {
  const rule = REFERENCE_RULES[kind];
  const name = capitalized(label(condition));
  const targetIndex = graph.indexOf.get(referenced);
  const target = targetIndex === undefined ? undefined : graph.steps[targetIndex];
  if (targetIndex === undefined || target === undefined) {
    return [
      at(
        condition,
        index,
        'unknown_condition_step',
        `${name} tests step "${referenced}", which doesn't exist.`,
        path,
      ),
    ];
  }
  if (!rule.types.includes(target.type)) {
    return [
      at(
        condition,
        index,
        rule.wrongType,
        `${name} tests ${label(target)}, which is not ${rule.kind}.`,
        path,
      ),
    ];
  }
  // Vacuously true when the condition is unreachable: that is reported as unreachable_step.
  if (!precedesOnEveryPath(graph, targetIndex, index)) {
    return [
      at(
        condition,
        index,
        rule.notBefore,
        `${name} tests ${label(target)}, but a record can reach the condition without going through that step first.`,
        path,
      ),
    ];
  }
  return [];
}

/** A wait must lead to something other than waits: otherwise records sit through it for nothing (Dynamics refuses too). */
function checkWaitsAtEnd(graph: StepGraph): ValidationIssue[] {
  return graph.steps.flatMap((step, index) =>
    step.type === 'wait' && onlyWaitsFollow(graph, index)
      ? [
          at(
            step,
            index,
            'wait_at_end',
            `A sequence can't end with a wait; ${label(step)} is last on its branch.`,
          ),
        ]
      : [],
  );
}

function onlyWaitsFollow(graph: StepGraph, index: number): boolean {
  const seen = new Set<number>();
  let current: number | undefined = index;
  while (current !== undefined && !seen.has(current)) {
    seen.add(current);
    const step: Step | undefined = graph.steps[current];
    if (step?.type !== 'wait') return false;
    if (step.next === undefined) return true;
    current = graph.indexOf.get(step.next); // a dangling next is unknown_next, not an end
  }
  return false; // a loop of waits is reported as a cycle
}

function checkReachable(graph: StepGraph): ValidationIssue[] {
  if (graph.start === undefined) return []; // without a start, everything would be "unreachable": noise
  const reached = reachableFromStart(graph);
  return graph.steps.flatMap((step, index) =>
    reached.has(index) || graph.indexOf.get(step.id) !== index
      ? []
      : [
          at(
            step,
            index,
            'unreachable_step',
            `No path from the first step leads to ${label(step)}; connect it or delete it.`,
          ),
        ],
  );
}

/** One issue per link that closes a loop, pointing at that link: it is the one to change. */
function checkNoCycle(graph: StepGraph): ValidationIssue[] {
  return findCycles(graph).map((cycle) => loopIssue(graph, cycle));
}

function loopIssue(graph: StepGraph, { from, link, steps: loop }: Cycle): ValidationIssue {
  const stepAt = (i: number) => graph.steps[i] as Step;
  const route = [...loop, loop[0] as number].map((i) => label(stepAt(i))).join(' → ');
  const step = stepAt(from);
  return at(
    step,
    from,
    'cycle',
    `A sequence can't loop back: ${route}. Point ${label(step)} to a later step or end it.`,
    `/${link.key}`,
  );
}

function checkExitOnReply(def: SequenceDefinition): ValidationIssue[] {
  if (!def.options.exitOnReply) return [];
  if (def.steps.some(isEmailStep)) return [];
  return [
    {
      code: 'exit_on_reply_without_email',
      path: '/options/exitOnReply',
      message:
        '"Exit on reply" needs at least one email step: without an email there is nothing to reply to.',
    },
  ];
}

// ---------- wording ----------

const STEP_TYPE_NAMES: Record<StepType, string> = {
  email: 'email',
  automated_email: 'automated email',
  phone_call: 'phone call',
  task: 'task',
  linkedin_research: 'LinkedIn research',
  linkedin_get_introduced: 'LinkedIn introduction',
  linkedin_connect: 'LinkedIn connection request',
  linkedin_inmail: 'LinkedIn InMail',
  wait: 'wait',
  condition: 'condition',
  update_field: 'field update',
  advance_to_sequence: 'move-to-sequence step',
};

/** `the email "Introduce yourself"`, or `the wait w2` when the step has no name. */
function label(step: Step): string {
  const type = STEP_TYPE_NAMES[step.type];
  return step.name !== undefined && step.name.trim() !== ''
    ? `the ${type} "${step.name}"`
    : `the ${type} ${step.id}`;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** An issue about one step; `suffix` points inside the step (`/within`), or at the step itself when empty. */
function at(step: Step, index: number, code: ValidationCode, message: string, suffix = ''): ValidationIssue {
  return { code, stepId: step.id, path: `/steps/${index}${suffix}`, message };
}
