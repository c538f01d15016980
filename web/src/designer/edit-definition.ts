// The designer's edits as pure functions on a definition: insert a step on a link, delete a step and
// reconnect the graph, patch a step's contents. Each returns a new definition and never changes its input.
import {
  type ActivityType,
  type Condition,
  EMAIL_STEP_TYPES,
  isAllCondition,
  isAnyCondition,
  isOutcomeCondition,
  isSignalCondition,
  type SequenceDefinition,
  type SequenceOptions,
  type Step,
  testsSignal,
} from '@domain/definition.js';
import { indexSteps, precedesOnEveryPath, reachableFromStart } from '@domain/step-graph.js';
import { stepContent, withLinks } from './definition-to-flow.js';
import type { LinkProperty, LinkRef, StepContent } from './flow-types.js';
import { DEFAULT_WITHIN, findStepKind, type InsertContext, type StepKind } from './step-kinds.js';

export type Availability = { ok: true } | { ok: false; reason: string };

/** Whether a step of this kind may go on this link, and why not (the picker shows the reason). */
export function kindAvailability(
  definition: SequenceDefinition,
  link: LinkRef,
  kind: StepKind,
): Availability {
  const atStart = link.from === null;
  const target = linkTarget(definition, link);
  if (kind.type === 'wait' && atStart) return { ok: false, reason: 'A sequence can’t start with a wait.' };
  if (kind.type === 'advance_to_sequence') {
    if (atStart) return { ok: false, reason: 'A sequence can’t start by moving to another sequence.' };
    if (target !== undefined)
      return { ok: false, reason: 'Nothing can follow this step; add it at the end of a branch.' };
  }
  const context = insertContext(definition, link);
  if (kind.requires === 'email' && context.precedingEmail === undefined)
    return { ok: false, reason: 'Add an email step before this condition: it tests that email.' };
  if (kind.requires === 'call' && context.precedingCall === undefined)
    return { ok: false, reason: 'Add a phone call before this condition: it tests that call.' };
  return { ok: true };
}

/** The step a link points to now, if any. */
export function linkTarget(definition: SequenceDefinition, link: LinkRef): string | undefined {
  if (link.from === null) return definition.start === '' ? undefined : definition.start;
  const step = definition.steps.find((s) => s.id === link.from);
  if (step === undefined) return undefined;
  const value = (step as Partial<Record<LinkProperty, string>>)[link.key as LinkProperty];
  return value;
}

export interface InsertResult {
  definition: SequenceDefinition;
  stepId: string;
}

/**
 * A new step of `kindName` on `link`: the link now leads to it and it leads where the link led (a condition
 * continues on its Yes branch, and its No branch starts open).
 */
export function insertStep(definition: SequenceDefinition, link: LinkRef, kindName: string): InsertResult {
  const kind = findStepKind(kindName);
  if (kind === undefined) throw new Error(`Unknown step kind "${kindName}".`);
  const id = newStepId(definition, kind.type);
  const previous = linkTarget(definition, link);
  const created = kind.create(id, insertContext(definition, link));
  const onward: Partial<Record<LinkProperty, string>> =
    previous === undefined ? {} : created.type === 'condition' ? { yes: previous } : { next: previous };
  const step = withLinks(stepContent(created), onward);
  const relinked =
    link.from === null
      ? definition.steps
      : definition.steps.map((s) => (s.id === link.from ? setLink(s, link.key as LinkProperty, id) : s));
  // New steps go right after the step they follow, so the list reads in flow order.
  const at = link.from === null ? 0 : relinked.findIndex((s) => s.id === link.from) + 1;
  const steps = [...relinked.slice(0, at), step, ...relinked.slice(at)];
  return {
    definition: { ...definition, start: link.from === null ? id : definition.start, steps },
    stepId: id,
  };
}

export type DeleteResult =
  | { ok: true; definition: SequenceDefinition; removed: string[] }
  | { ok: false; reason: string };

/**
 * Removes a step; whatever led to it now leads where it led. A step that a condition tests can't go (as in
 * Dynamics: delete the condition first). Deleting a condition keeps its Yes branch and removes the steps
 * that only its No branch reached; `removed` lists every step that went.
 */
export function deleteStep(definition: SequenceDefinition, stepId: string): DeleteResult {
  const step = definition.steps.find((s) => s.id === stepId);
  if (step === undefined) return { ok: false, reason: 'That step no longer exists.' };
  const tester = definition.steps.find(
    (s) => s.type === 'condition' && s.id !== stepId && conditionTests(s.if).includes(stepId),
  );
  if (tester !== undefined) {
    return {
      ok: false,
      reason: `“${tester.name ?? tester.id}” tests this step. Delete that condition first.`,
    };
  }
  const onward =
    step.type === 'condition'
      ? (step.yes ?? step.no)
      : step.type === 'advance_to_sequence'
        ? undefined
        : step.next;
  const before = reachableIds(definition);
  const steps = definition.steps.filter((s) => s.id !== stepId).map((s) => redirectLinks(s, stepId, onward));
  const start = definition.start === stepId ? (onward ?? '') : definition.start;
  let next: SequenceDefinition = { ...definition, start, steps };
  const removed = [stepId];
  if (step.type === 'condition') {
    const after = reachableIds(next);
    const orphaned = new Set([...before].filter((id) => id !== stepId && !after.has(id)));
    next = { ...next, steps: next.steps.filter((s) => !orphaned.has(s.id)) };
    removed.push(...orphaned);
  }
  return { ok: true, definition: next, removed };
}

/** A change to a step's contents; `undefined` removes an optional property. Links and type stay. */
export type StepPatch = { [key: string]: unknown } & {
  id?: never;
  type?: never;
  next?: never;
  yes?: never;
  no?: never;
};

export function updateStep(
  definition: SequenceDefinition,
  stepId: string,
  patch: StepPatch,
): SequenceDefinition {
  return {
    ...definition,
    steps: definition.steps.map((step) => {
      if (step.id !== stepId) return step;
      const merged: Record<string, unknown> = { ...step };
      for (const [key, value] of Object.entries(patch)) {
        if (key === 'id' || key === 'type' || key === 'next' || key === 'yes' || key === 'no') continue;
        if (value === undefined) delete merged[key];
        else merged[key] = value;
      }
      return merged as unknown as Step;
    }),
  };
}

/**
 * The change a new test makes to a condition step: only a test with a signal (at any depth) waits, so one
 * that gains a signal gets a time limit, and one that loses its signals drops the limit and `moveOnSignal`
 * (an outcome or field test decides when reached; a limit left behind would still count in the duration).
 */
export function conditionPatch(step: Step & { type: 'condition' }, condition: Condition): StepPatch {
  if (!testsSignal(condition)) return { if: condition, within: undefined, moveOnSignal: undefined };
  return { if: condition, within: step.within ?? DEFAULT_WITHIN };
}

export function updateOptions(
  definition: SequenceDefinition,
  patch: Partial<SequenceOptions>,
): SequenceDefinition {
  return { ...definition, options: { ...definition.options, ...patch } };
}

/** Steps of these types that a record always passes before reaching `stepId` (what a condition may test). */
export function precedingSteps(
  definition: SequenceDefinition,
  stepId: string,
  types: readonly ActivityType[],
): Step[] {
  const graph = indexSteps(definition);
  const index = graph.indexOf.get(stepId);
  if (index === undefined) return [];
  return definition.steps.filter((s, i) => {
    if (i === index || !(types as readonly string[]).includes(s.type)) return false;
    return reachableFromStart(graph).has(i) && precedesOnEveryPath(graph, i, index);
  });
}

/** The ids a condition tests (signals and call outcomes), at any depth. */
export function conditionTests(condition: Condition): string[] {
  if (isSignalCondition(condition) || isOutcomeCondition(condition)) return [condition.step];
  if (isAllCondition(condition)) return condition.all.flatMap(conditionTests);
  if (isAnyCondition(condition)) return condition.any.flatMap(conditionTests);
  return [];
}

/** The closest email and call a step inserted on `link` would follow on every path. */
export function insertContext(definition: SequenceDefinition, link: LinkRef): InsertContext {
  if (link.from === null) return { precedingEmail: undefined, precedingCall: undefined };
  const source = definition.steps.find((s) => s.id === link.from);
  if (source === undefined) return { precedingEmail: undefined, precedingCall: undefined };
  const closest = (types: readonly ActivityType[]) => {
    if ((types as readonly string[]).includes(source.type)) return source.id;
    const candidates = precedingSteps(definition, source.id, types);
    // Steps that dominate a step form a chain: the closest is the one every other candidate precedes.
    const graph = indexSteps(definition);
    const closestStep = candidates.find((c) =>
      candidates.every(
        (d) =>
          d === c || precedesOnEveryPath(graph, graph.indexOf.get(d.id) ?? -1, graph.indexOf.get(c.id) ?? -1),
      ),
    );
    return closestStep?.id;
  };
  return { precedingEmail: closest(EMAIL_STEP_TYPES), precedingCall: closest(['phone_call']) };
}

/** `email1`, `wait2`…: the first free id for the type, readable in exports and error messages. */
export function newStepId(definition: SequenceDefinition, type: Step['type']): string {
  const prefix = type.replaceAll('_', '-');
  const taken = new Set(definition.steps.map((s) => s.id));
  let n = 1;
  while (taken.has(`${prefix}-${n}`)) n++;
  return `${prefix}-${n}`;
}

function setLink(step: Step, key: LinkProperty, target: string): Step {
  const content: StepContent = stepContent(step);
  const current = currentLinks(step);
  return withLinks(content, { ...current, [key]: target });
}

function currentLinks(step: Step): Partial<Record<LinkProperty, string>> {
  const links: Partial<Record<LinkProperty, string>> = {};
  const s = step as Partial<Record<LinkProperty, string>>;
  for (const key of ['next', 'yes', 'no'] as const) {
    const value = s[key];
    if (value !== undefined) links[key] = value;
  }
  return links;
}

function redirectLinks(step: Step, from: string, to: string | undefined): Step {
  const links = currentLinks(step);
  let changed = false;
  for (const key of ['next', 'yes', 'no'] as const) {
    if (links[key] !== from) continue;
    changed = true;
    if (to === undefined) delete links[key];
    else links[key] = to;
  }
  return changed ? withLinks(stepContent(step), links) : step;
}

function reachableIds(definition: SequenceDefinition): Set<string> {
  const graph = indexSteps(definition);
  return new Set([...reachableFromStart(graph)].map((i) => graph.steps[i]?.id ?? ''));
}
