import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Condition,
  DEFAULT_SEQUENCE_OPTIONS,
  type SequenceDefinition,
  type Step,
} from './definition.js';
import { MAX_STEPS, parseDefinition } from './parse-definition.js';
import { summarize } from './summary.js';
import { anyDefinitionArb, validDefinitionArb } from './test-support/arbitraries.js';
import {
  advanceTargets,
  VALIDATION_CODES,
  type ValidationCode,
  type ValidationIssue,
  validateForActivation,
} from './validate-definition.js';

/** Valid: an email, a reply condition, a wait, a call, an outcome condition, a field update, a task and an advance. */
const BASE: SequenceDefinition = {
  start: 'e1',
  options: { ...DEFAULT_SEQUENCE_OPTIONS, exitOnReply: true },
  steps: [
    { id: 'e1', type: 'email', name: 'Introduce yourself', next: 'c1' },
    {
      id: 'c1',
      type: 'condition',
      if: { signal: 'email_replied', step: 'e1' },
      within: 'P2D',
      yes: 'p1',
      no: 'w1',
    },
    { id: 'w1', type: 'wait', duration: 'P2D', next: 'p1' },
    { id: 'p1', type: 'phone_call', name: 'Call to book the meeting', next: 'c2' },
    { id: 'c2', type: 'condition', if: { step: 'p1', outcome: ['answered'] }, yes: 'u1', no: 't1' },
    { id: 'u1', type: 'update_field', field: 'status', value: 'qualified' },
    { id: 't1', type: 'task', next: 'a1' },
    { id: 'a1', type: 'advance_to_sequence', sequenceId: 'seq_nurture' },
  ],
};

function change(id: string, patch: Record<string, unknown>, def = BASE): SequenceDefinition {
  return { ...def, steps: def.steps.map((s) => (s.id === id ? ({ ...s, ...patch } as Step) : s)) };
}

function drop(id: string, key: string, def = BASE): SequenceDefinition {
  return {
    ...def,
    steps: def.steps.map((s) =>
      s.id === id ? (Object.fromEntries(Object.entries(s).filter(([k]) => k !== key)) as Step) : s,
    ),
  };
}

function add(step: Step, def = BASE): SequenceDefinition {
  return { ...def, steps: [...def.steps, step] };
}

/** The issues without their messages, for exact comparison. */
function found(def: SequenceDefinition) {
  return validateForActivation(def).map(({ message: _, ...rest }) => rest);
}

describe('validateForActivation: one rule at a time', () => {
  it('accepts a sequence that breaks no rule', () => {
    expect(validateForActivation(BASE)).toEqual([]);
  });

  it('no_activity: needs at least one activity step', () => {
    const def: SequenceDefinition = {
      start: 'u',
      options: DEFAULT_SEQUENCE_OPTIONS,
      steps: [{ id: 'u', type: 'update_field', field: 'status', value: 'x' }],
    };
    expect(found(def)).toEqual([{ code: 'no_activity', path: '/steps' }]);
  });

  it('start_missing: the start must name a step', () => {
    expect(found({ ...BASE, start: 'nope' })).toEqual([{ code: 'start_missing', path: '/start' }]);
    expect(found({ ...BASE, start: '' })).toEqual([{ code: 'start_missing', path: '/start' }]);
  });

  it('wait_at_start', () => {
    const def = { ...add({ id: 'w0', type: 'wait', duration: 'P1D', next: 'e1' }), start: 'w0' };
    expect(found(def)).toEqual([{ code: 'wait_at_start', stepId: 'w0', path: '/steps/8' }]);
  });

  it('advance_not_last: nothing may follow an advance (a draft may hold one; activation refuses it)', () => {
    const def = {
      ...add({ id: 'a9', type: 'advance_to_sequence', sequenceId: 's', next: 'e1' }),
    };
    expect(found(def)).toContainEqual({ code: 'advance_not_last', stepId: 'a9', path: '/steps/8/next' });
  });

  it('template_required: an automated email without a template', () => {
    const def = add({ id: 'a9', type: 'automated_email', name: 'Nudge' });
    expect(found(def)).toContainEqual({
      code: 'template_required',
      stepId: 'a9',
      path: '/steps/8/templateId',
    });
    expect(found(add({ id: 'a9', type: 'automated_email', templateId: ' ' }))).toContainEqual(
      expect.objectContaining({ code: 'template_required' }),
    );
    expect(found(add({ id: 'e9', type: 'email', name: 'Written by the seller' }))).not.toContainEqual(
      expect.objectContaining({ code: 'template_required' }),
    );
  });

  it('advance_at_start', () => {
    const def = { ...add({ id: 'a0', type: 'advance_to_sequence', sequenceId: 's' }), start: 'a0' };
    expect(found(def)).toContainEqual({ code: 'advance_at_start', stepId: 'a0', path: '/steps/8' });
  });

  it('wait_at_end: a wait with nothing after it', () => {
    const issues = validateForActivation(drop('w1', 'next'));
    expect(issues.map(({ message: _, ...i }) => i)).toEqual([
      { code: 'wait_at_end', stepId: 'w1', path: '/steps/2' },
    ]);
    expect(issues[0]?.message).toContain("A sequence can't end with a wait");
  });

  it('wait_at_end: every wait of a chain that ends in waits only', () => {
    const def = add({ id: 'w2', type: 'wait', duration: 'PT4H' }, change('w1', { next: 'w2' }));
    expect(found(def)).toEqual([
      { code: 'wait_at_end', stepId: 'w1', path: '/steps/2' },
      { code: 'wait_at_end', stepId: 'w2', path: '/steps/8' },
    ]);
  });

  it.each([
    ['P1M', 'invalid_duration'],
    ['banana', 'invalid_duration'],
    ['PT0S', 'wait_not_positive'],
    ['P0D', 'wait_not_positive'],
    ['P31D', 'wait_too_long'],
    ['PT721H', 'wait_too_long'],
  ] as const)('a wait of %s: %s', (duration, code) => {
    expect(found(change('w1', { duration }))).toEqual([{ code, stepId: 'w1', path: '/steps/2/duration' }]);
  });

  it.each(['P30D', 'PT720H', 'PT1M', 'P4W'])('a wait of %s is fine', (duration) => {
    expect(found(change('w1', { duration }))).toEqual([]);
  });

  it('within_required: a signal condition must say how long it waits', () => {
    expect(found(drop('c1', 'within'))).toEqual([
      { code: 'within_required', stepId: 'c1', path: '/steps/1/within' },
    ]);
    const nested = change('c1', {
      if: {
        any: [
          { field: 'x', op: 'is_empty' },
          { signal: 'email_opened', step: 'e1' },
        ],
      },
    });
    expect(found(drop('c1', 'within', nested))).toEqual([
      { code: 'within_required', stepId: 'c1', path: '/steps/1/within' },
    ]);
  });

  it.each([
    ['P1Y', 'invalid_duration'],
    ['PT0M', 'within_not_positive'],
    ['P5W', 'within_too_long'],
  ] as const)('a within of %s: %s', (within, code) => {
    expect(found(change('c1', { within }))).toEqual([{ code, stepId: 'c1', path: '/steps/1/within' }]);
  });

  it('duplicate_step_id: points at the later copy', () => {
    expect(found(add({ id: 't1', type: 'task' }))).toEqual([
      { code: 'duplicate_step_id', stepId: 't1', path: '/steps/8/id' },
    ]);
  });

  it('unknown_next: next, yes and no must name existing steps', () => {
    expect(found(change('u1', { next: 'nowhere' }))).toEqual([
      { code: 'unknown_next', stepId: 'u1', path: '/steps/5/next' },
    ]);
    expect(found(change('c2', { no: 'nowhere' }))).toContainEqual({
      code: 'unknown_next',
      stepId: 'c2',
      path: '/steps/4/no',
    });
  });

  it('branch_missing: a condition needs both branches', () => {
    expect(found(drop('c2', 'no'))).toEqual([
      { code: 'branch_missing', stepId: 'c2', path: '/steps/4/no' },
      { code: 'unreachable_step', stepId: 't1', path: '/steps/6' },
      { code: 'unreachable_step', stepId: 'a1', path: '/steps/7' },
    ]);
    expect(found(drop('c2', 'yes'))).toContainEqual({
      code: 'branch_missing',
      stepId: 'c2',
      path: '/steps/4/yes',
    });
  });

  it('unknown_condition_step: the tested step must exist', () => {
    expect(found(change('c1', { if: { signal: 'email_opened', step: 'ghost' } }))).toEqual([
      { code: 'unknown_condition_step', stepId: 'c1', path: '/steps/1/if/step' },
    ]);
  });

  it('signal_step_not_email', () => {
    const def = change('c2', { if: { signal: 'email_opened', step: 'p1' }, within: 'P1D' });
    expect(found(def)).toEqual([{ code: 'signal_step_not_email', stepId: 'c2', path: '/steps/4/if/step' }]);
  });

  it('signal_step_not_before: the email must come before the condition on every path', () => {
    // e2 sits on the "yes" branch of c1 only; the "no" branch reaches c2 through w1 without it.
    let def = add({ id: 'e2', type: 'email', next: 'p1' }, change('c1', { yes: 'e2' }));
    def = change(
      'c2',
      {
        if: {
          all: [
            { field: 'x', op: 'is_empty' },
            { signal: 'email_opened', step: 'e2' },
          ],
        },
        within: 'P1D',
      },
      def,
    );
    expect(found(def)).toEqual([
      { code: 'signal_step_not_before', stepId: 'c2', path: '/steps/4/if/all/1/step' },
    ]);
  });

  it('signal_step_not_before: an email after the condition does not count', () => {
    const def = add(
      {
        id: 'c0',
        type: 'condition',
        if: { signal: 'email_opened', step: 'e1' },
        within: 'P1D',
        yes: 'e1',
        no: 'e1',
      },
      { ...BASE, start: 'c0' },
    );
    expect(found(def)).toEqual([{ code: 'signal_step_not_before', stepId: 'c0', path: '/steps/8/if/step' }]);
  });

  it('outcome_step_not_call', () => {
    expect(found(change('c2', { if: { step: 'e1', outcome: ['answered'] } }))).toEqual([
      { code: 'outcome_step_not_call', stepId: 'c2', path: '/steps/4/if/step' },
    ]);
  });

  it('outcome_step_not_before', () => {
    expect(found(change('c1', { if: { step: 'p1', outcome: ['no_answer'] } }))).toEqual([
      { code: 'outcome_step_not_before', stepId: 'c1', path: '/steps/1/if/step' },
    ]);
  });

  it('outcome_list_empty', () => {
    expect(found(change('c2', { if: { step: 'p1', outcome: [] } }))).toEqual([
      { code: 'outcome_list_empty', stepId: 'c2', path: '/steps/4/if/outcome' },
    ]);
  });

  it('empty_group: all and any need at least one condition', () => {
    expect(found(change('c2', { if: { any: [] } }))).toEqual([
      { code: 'empty_group', stepId: 'c2', path: '/steps/4/if/any' },
    ]);
    expect(found(change('c2', { if: { all: [{ all: [] }] } }))).toEqual([
      { code: 'empty_group', stepId: 'c2', path: '/steps/4/if/all/0/all' },
    ]);
  });

  it('field_missing: field updates and field conditions name a field', () => {
    expect(found(change('u1', { field: ' ' }))).toEqual([
      { code: 'field_missing', stepId: 'u1', path: '/steps/5/field' },
    ]);
    expect(found(change('c2', { if: { field: '', op: 'is_empty' } }))).toEqual([
      { code: 'field_missing', stepId: 'c2', path: '/steps/4/if/field' },
    ]);
  });

  it("invalid_field_value: a record's own property takes what PATCH /api/records takes; a custom field anything", () => {
    expect(found(change('u1', { field: 'email', value: 'nobody' }))).toEqual([
      { code: 'invalid_field_value', stepId: 'u1', path: '/steps/5/value' },
    ]);
    expect(found(change('u1', { field: 'timezone', value: 'Europe/Nowhere' }))).toEqual([
      { code: 'invalid_field_value', stepId: 'u1', path: '/steps/5/value' },
    ]);
    expect(found(change('u1', { field: 'company', value: true }))).toEqual([
      { code: 'invalid_field_value', stepId: 'u1', path: '/steps/5/value' },
    ]);
    expect(found(change('u1', { field: 'name', value: null }))).toEqual([
      { code: 'invalid_field_value', stepId: 'u1', path: '/steps/5/value' },
    ]);
    for (const [field, value] of [
      ['email', ' lead@example.com '],
      ['timezone', 'europe/paris'],
      ['company', 'Contoso'],
      ['phone', null],
      ['status', 7],
    ] as const)
      expect(found(change('u1', { field, value }))).toEqual([]);
  });

  it('field_value_missing: a comparison needs a value, a unary test does not', () => {
    expect(found(change('c2', { if: { field: 'rating', op: 'gt' } }))).toEqual([
      { code: 'field_value_missing', stepId: 'c2', path: '/steps/4/if/value' },
    ]);
    expect(found(change('c2', { if: { field: 'rating', op: 'is_not_empty' } }))).toEqual([]);
    expect(found(change('c2', { if: { field: 'rating', op: 'eq', value: null } }))).toEqual([]);
  });

  it('sequence_id_missing', () => {
    expect(found(change('a1', { sequenceId: '' }))).toEqual([
      { code: 'sequence_id_missing', stepId: 'a1', path: '/steps/7/sequenceId' },
    ]);
  });

  it('unreachable_step', () => {
    expect(found(add({ id: 'orphan', type: 'task', next: 'e1' }))).toEqual([
      { code: 'unreachable_step', stepId: 'orphan', path: '/steps/8' },
    ]);
  });

  it('cycle: points at the link that loops back, and names the loop', () => {
    const issues = validateForActivation(change('u1', { next: 'p1' }));
    expect(issues.map(({ message: _, ...i }) => i)).toEqual([
      { code: 'cycle', stepId: 'u1', path: '/steps/5/next' },
    ]);
    expect(issues[0]?.message).toContain('"Call to book the meeting"');
  });

  it('cycle: a step that leads to itself, and a loop away from the start', () => {
    expect(found(change('t1', { next: 't1' }))).toContainEqual({
      code: 'cycle',
      stepId: 't1',
      path: '/steps/6/next',
    });
    const island = add({ id: 'y', type: 'task', next: 'x' }, add({ id: 'x', type: 'task', next: 'y' }));
    expect(
      found(island)
        .map((i) => i.code)
        .sort(),
    ).toEqual(['cycle', 'unreachable_step', 'unreachable_step']);
  });

  it('exit_on_reply_without_email', () => {
    const def: SequenceDefinition = {
      start: 't',
      options: { ...DEFAULT_SEQUENCE_OPTIONS, exitOnReply: true },
      steps: [{ id: 't', type: 'task' }],
    };
    expect(found(def)).toEqual([{ code: 'exit_on_reply_without_email', path: '/options/exitOnReply' }]);
  });

  it('reports every broken rule at once', () => {
    let def = change('w1', { duration: 'P40D' }, { ...BASE, options: { ...BASE.options } });
    def = drop('c2', 'yes', def);
    def = add({ id: 'e1', type: 'email' }, def);
    def = change('a1', { sequenceId: '' }, def);
    expect(new Set(found(def).map((i) => i.code))).toEqual(
      new Set([
        'wait_too_long',
        'branch_missing',
        'duplicate_step_id',
        'sequence_id_missing',
        'unreachable_step',
      ]),
    );
  });

  it('writes messages with the step names a manager gave', () => {
    const issues = validateForActivation(change('e1', { next: 'nowhere' }));
    expect(issues[0]?.message).toBe(
      'The email "Introduce yourself" goes on to step "nowhere", which doesn\'t exist.',
    );
  });
});

describe('validateForActivation: size', () => {
  it('handles the largest definition the parser lets through, and a condition with many leaves', () => {
    const steps: Step[] = Array.from({ length: MAX_STEPS - 1 }, (_, i) => ({
      id: `e${i}`,
      type: 'email',
      next: i === MAX_STEPS - 2 ? 'c' : `e${i + 1}`,
    }));
    const leaves: Condition[] = steps.map((s) => ({ signal: 'email_opened', step: s.id }));
    steps.push({ id: 'c', type: 'condition', if: { any: leaves }, within: 'P1D', yes: 'c', no: 'e0' });
    const issues = validateForActivation({ start: 'e0', options: DEFAULT_SEQUENCE_OPTIONS, steps });
    expect(issues.map((i) => i.code)).toEqual(['cycle', 'cycle']);
    expect(summarize({ start: 'e0', options: DEFAULT_SEQUENCE_OPTIONS, steps })).toEqual({
      stepCount: MAX_STEPS - 1,
      durationDays: 1,
    });
  });
});

describe('advanceTargets', () => {
  it('lists each named target sequence once', () => {
    const def = add(
      { id: 'a2', type: 'advance_to_sequence', sequenceId: '' },
      add({ id: 'a3', type: 'advance_to_sequence', sequenceId: 'seq_nurture' }),
    );
    expect(advanceTargets(def)).toEqual(['seq_nurture']);
  });
});

// ---------- properties ----------

describe('validateForActivation: properties', () => {
  it('never throws on any JSON that parses, nor on any well-typed definition', () => {
    const check = (def: SequenceDefinition) => {
      const issues = validateForActivation(def);
      summarize(def);
      for (const issue of issues) expectWellFormed(def, issue);
    };
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything()), (json) => {
        const parsed = parseDefinition(json);
        if (parsed.ok) check(parsed.definition);
      }),
    );
    fc.assert(fc.property(anyDefinitionArb, check));
  });

  it('accepts every generated valid definition', () => {
    fc.assert(
      fc.property(validDefinitionArb, (def) => {
        const parsed = parseDefinition(JSON.parse(JSON.stringify(def)));
        expect(parsed.ok).toBe(true);
        expect(validateForActivation(def)).toEqual([]);
      }),
    );
  });

  it('generates varied valid definitions (the generator is not stuck on trivial ones)', () => {
    const samples = fc.sample(validDefinitionArb, { numRuns: 300, seed: 42 });
    const types = new Set(samples.flatMap((d) => d.steps.map((s) => s.type)));
    expect([...types]).toEqual(
      expect.arrayContaining([
        'wait',
        'condition',
        'update_field',
        'advance_to_sequence',
        'email',
        'phone_call',
      ]),
    );
    const conditionForms = samples.flatMap((d) =>
      d.steps.flatMap((s) => (s.type === 'condition' ? [Object.keys(s.if)[0]] : [])),
    );
    expect(new Set(conditionForms)).toEqual(new Set(['signal', 'step', 'field', 'all', 'any']));
    expect(samples.some((d) => d.steps.length >= 10)).toBe(true);
  });

  it.each(Object.entries(RULE_BREAKERS()))(
    'reports %s when a valid definition is broken that way',
    (code, breaker) => {
      fc.assert(
        fc.property(validDefinitionArb, fc.nat(), (def, pick) => {
          const broken = breaker(def, pick);
          const issues = validateForActivation(broken.def);
          const match = issues.find((i) => i.code === code && i.stepId === broken.stepId);
          expect(
            match,
            `expected ${code} on ${broken.stepId ?? 'the definition'}; got ${JSON.stringify(issues)}`,
          ).toBeDefined();
        }),
      );
    },
  );

  it('has a breaker for every code', () => {
    expect(Object.keys(RULE_BREAKERS()).sort()).toEqual([...VALIDATION_CODES].sort());
  });
});

/** stepId and path agree with the definition: the UI finds the step from either. */
function expectWellFormed(def: SequenceDefinition, issue: ValidationIssue) {
  expect(VALIDATION_CODES).toContain(issue.code);
  expect(issue.path.startsWith('/')).toBe(true);
  expect(issue.message.length).toBeGreaterThan(10);
  if (issue.stepId !== undefined) {
    const index = Number(/^\/steps\/(\d+)/.exec(issue.path)?.[1]);
    expect(def.steps[index]?.id).toBe(issue.stepId);
  }
}

// ---------- breaking a valid definition on purpose ----------

interface Broken {
  def: SequenceDefinition;
  /** The step the issue must name; undefined for definition-wide rules. */
  stepId?: string;
}
type Breaker = (def: SequenceDefinition, pick: number) => Broken;

const EMAIL_TYPES = ['email', 'automated_email'];

function byId(def: SequenceDefinition, id: string): Step {
  const step = def.steps.find((s) => s.id === id);
  if (step === undefined) throw new Error(`no step ${id}`);
  return step;
}

function pickOf<T>(items: T[], pick: number): T {
  const item = items[pick % items.length];
  if (item === undefined) throw new Error('nothing to pick from');
  return item;
}

/** Steps whose `next` can be pointed elsewhere: the start is always one, being an activity. */
function linkable(def: SequenceDefinition): Step[] {
  return def.steps.filter((s) => s.type !== 'condition' && s.type !== 'advance_to_sequence');
}

function replace(def: SequenceDefinition, id: string, patch: Record<string, unknown>): SequenceDefinition {
  return change(id, patch, def);
}

/**
 * Puts `chain` right after the start step: start → chain... → what followed the start.
 * Conditions in the chain send both branches on; `build` gets the id of the step that follows each link.
 */
function insertAfterStart(def: SequenceDefinition, chain: ((next: string) => Step)[]): SequenceDefinition {
  const start = byId(def, def.start);
  const after = 'next' in start ? start.next : undefined;
  const tail: Step[] = after === undefined ? [{ id: 'new-end', type: 'task' }] : [];
  let next = after ?? 'new-end';
  const inserted: Step[] = [];
  for (const build of [...chain].reverse()) {
    const step = build(next);
    inserted.unshift(step);
    next = step.id;
  }
  return {
    ...replace(def, def.start, { next }),
    steps: [...replace(def, def.start, { next }).steps, ...inserted, ...tail],
  };
}

const conditionStep =
  (id: string, condition: Condition, extra: Record<string, unknown> = {}) =>
  (next: string) =>
    ({ id, type: 'condition', if: condition, yes: next, no: next, ...extra }) as Step;
const simple =
  (id: string, type: Step['type'], extra: Record<string, unknown> = {}) =>
  (next: string) =>
    ({ id, type, next, ...(type === 'automated_email' ? { templateId: 'tpl_auto' } : {}), ...extra }) as Step;

/** With a wait in it: an existing one when there is one (chosen by `pick`), else a new one after the start. */
function withWait(def: SequenceDefinition, pick: number, duration: string): Broken {
  const waits = def.steps.filter((s) => s.type === 'wait');
  if (waits.length > 0) {
    const wait = pickOf(waits, pick);
    return { def: replace(def, wait.id, { duration }), stepId: wait.id };
  }
  return { def: insertAfterStart(def, [simple('new-wait', 'wait', { duration })]), stepId: 'new-wait' };
}

function withCondition(
  def: SequenceDefinition,
  condition: Condition,
  extra: Record<string, unknown> = {},
): Broken {
  return { def: insertAfterStart(def, [conditionStep('new-cond', condition, extra)]), stepId: 'new-cond' };
}

/** The id of an email step, adding one after the start if there is none. */
function ensureStep(
  def: SequenceDefinition,
  types: string[],
  type: Step['type'],
): [SequenceDefinition, string] {
  const existing = def.steps.find((s) => types.includes(s.type));
  if (existing !== undefined) return [def, existing.id];
  return [insertAfterStart(def, [simple('new-activity', type)]), 'new-activity'];
}

/** A new first step, a condition that tests `condition` before anything happened. */
function conditionFirst(
  def: SequenceDefinition,
  condition: Condition,
  extra: Record<string, unknown> = {},
): Broken {
  const step = {
    id: 'new-first',
    type: 'condition',
    if: condition,
    yes: def.start,
    no: def.start,
    ...extra,
  } as Step;
  return { def: { ...def, start: 'new-first', steps: [...def.steps, step] }, stepId: 'new-first' };
}

function RULE_BREAKERS(): Record<ValidationCode, Breaker> {
  return {
    no_activity: (def) => ({
      def: {
        ...def,
        steps: def.steps.map((s) =>
          s.type === 'wait' ||
          s.type === 'condition' ||
          s.type === 'update_field' ||
          s.type === 'advance_to_sequence'
            ? s
            : ({
                id: s.id,
                type: 'update_field',
                field: 'status',
                value: 'x',
                ...('next' in s && s.next !== undefined ? { next: s.next } : {}),
              } as Step),
        ),
      },
    }),
    start_missing: (def) => ({ def: { ...def, start: 'nowhere' } }),
    wait_at_start: (def) => ({
      def: {
        ...def,
        start: 'new-wait',
        steps: [...def.steps, { id: 'new-wait', type: 'wait', duration: 'P1D', next: def.start }],
      },
      stepId: 'new-wait',
    }),
    advance_at_start: (def) => ({
      def: {
        ...def,
        start: 'new-adv',
        steps: [{ id: 'new-adv', type: 'advance_to_sequence', sequenceId: 'x' }, ...def.steps],
      },
      stepId: 'new-adv',
    }),
    wait_at_end: (def, pick) => {
      const from = pickOf(linkable(def), pick);
      const steps: Step[] = [
        ...replace(def, from.id, { next: 'new-wait' }).steps,
        { id: 'new-wait', type: 'wait', duration: 'P1D' },
      ];
      return { def: { ...def, steps }, stepId: 'new-wait' };
    },
    invalid_duration: (def, pick) =>
      withWait(def, pick, pickOf(['P1M', 'P1.5D', 'soon', '-P1D', 'PT'], pick)),
    wait_not_positive: (def, pick) => withWait(def, pick, pickOf(['P0D', 'PT0S', 'P0W'], pick)),
    wait_too_long: (def, pick) => withWait(def, pick, pickOf(['P31D', 'P5W', 'P30DT1H', 'PT1000H'], pick)),
    within_required: (def) => {
      const [withEmail, email] = ensureStep(def, EMAIL_TYPES, 'email');
      return withCondition(withEmail, { signal: 'email_clicked', step: email });
    },
    within_not_positive: (def) => withCondition(def, { field: 'x', op: 'is_empty' }, { within: 'PT0H' }),
    within_too_long: (def) => withCondition(def, { field: 'x', op: 'is_empty' }, { within: 'P45D' }),
    duplicate_step_id: (def, pick) => {
      const copied = pickOf(def.steps, pick);
      return { def: { ...def, steps: [...def.steps, { id: copied.id, type: 'task' }] }, stepId: copied.id };
    },
    unknown_next: (def, pick) => {
      const from = pickOf(linkable(def), pick);
      return { def: replace(def, from.id, { next: 'nowhere' }), stepId: from.id };
    },
    branch_missing: (def, pick) => {
      const conditions = def.steps.filter((s) => s.type === 'condition');
      if (conditions.length === 0) {
        const broken = withCondition(def, { field: 'x', op: 'is_empty' });
        return { def: drop('new-cond', 'no', broken.def), stepId: 'new-cond' };
      }
      const condition = pickOf(conditions, pick);
      return { def: drop(condition.id, pick % 2 === 0 ? 'yes' : 'no', def), stepId: condition.id };
    },
    unknown_condition_step: (def) =>
      withCondition(def, { signal: 'email_opened', step: 'ghost' }, { within: 'P1D' }),
    signal_step_not_email: (def) => ({
      def: insertAfterStart(def, [
        simple('new-task', 'task'),
        conditionStep('new-cond', { signal: 'email_opened', step: 'new-task' }, { within: 'P1D' }),
      ]),
      stepId: 'new-cond',
    }),
    signal_step_not_before: (def) => {
      const [withEmail, email] = ensureStep(def, EMAIL_TYPES, 'automated_email');
      return conditionFirst(
        withEmail,
        {
          any: [
            { field: 'x', op: 'is_empty' },
            { signal: 'email_opened', step: email },
          ],
        },
        { within: 'P1D' },
      );
    },
    outcome_step_not_call: (def) => ({
      def: insertAfterStart(def, [
        simple('new-task', 'linkedin_connect'),
        conditionStep('new-cond', { step: 'new-task', outcome: ['answered'] }),
      ]),
      stepId: 'new-cond',
    }),
    outcome_step_not_before: (def) => {
      const [withCall, call] = ensureStep(def, ['phone_call'], 'phone_call');
      return conditionFirst(withCall, { step: call, outcome: ['answered'] });
    },
    outcome_list_empty: (def) => ({
      def: insertAfterStart(def, [
        simple('new-call', 'phone_call'),
        conditionStep('new-cond', { step: 'new-call', outcome: [] }),
      ]),
      stepId: 'new-cond',
    }),
    empty_group: (def, pick) => withCondition(def, pick % 2 === 0 ? { all: [] } : { any: [{ all: [] }] }),
    field_missing: (def, pick) =>
      pick % 2 === 0
        ? {
            def: insertAfterStart(def, [simple('new-update', 'update_field', { field: '', value: 1 })]),
            stepId: 'new-update',
          }
        : withCondition(def, { field: '', op: 'is_not_empty' }),
    field_value_missing: (def, pick) =>
      withCondition(def, { field: 'rating', op: pickOf(['eq', 'gt', 'contains'] as const, pick) }),
    invalid_field_value: (def, pick) => {
      const [field, value] = pickOf(
        [
          ['email', 'not an address'],
          ['timezone', 'Mars/Olympus'],
          ['name', ' '],
          ['company', 42],
          ['phone', 'x'.repeat(101)],
        ] as const,
        pick,
      );
      return {
        def: insertAfterStart(def, [simple('new-update', 'update_field', { field, value })]),
        stepId: 'new-update',
      };
    },
    sequence_id_missing: (def, pick) => {
      const from = pickOf(linkable(def), pick);
      const steps: Step[] = [
        ...replace(def, from.id, { next: 'new-adv' }).steps,
        { id: 'new-adv', type: 'advance_to_sequence', sequenceId: '' },
      ];
      return { def: { ...def, steps }, stepId: 'new-adv' };
    },
    unreachable_step: (def, pick) => ({
      def: {
        ...def,
        steps: [...def.steps, { id: 'new-orphan', type: 'task', next: pickOf(def.steps, pick).id }],
      },
      stepId: 'new-orphan',
    }),
    cycle: (def, pick) => {
      // The start is the root of the walk, so a link back to it is always the one that closes the loop.
      const from = pickOf(linkable(def), pick);
      return { def: replace(def, from.id, { next: def.start }), stepId: from.id };
    },
    exit_on_reply_without_email: (def) => ({
      def: {
        ...def,
        options: { ...def.options, exitOnReply: true },
        steps: def.steps.map((s) => (EMAIL_TYPES.includes(s.type) ? ({ ...s, type: 'task' } as Step) : s)),
      },
    }),
    template_required: (def) => {
      const [withEmail, email] = ensureStep(def, ['automated_email'], 'automated_email');
      const steps = withEmail.steps.map((s) =>
        s.id === email && s.type === 'automated_email' ? (({ templateId: _, ...rest }) => rest)(s) : s,
      ) as Step[];
      return { def: { ...withEmail, steps }, stepId: email };
    },
    advance_not_last: (def, pick) => {
      const from = pickOf(linkable(def), pick);
      const steps: Step[] = [
        ...replace(def, from.id, { next: 'new-adv' }).steps,
        { id: 'new-adv', type: 'advance_to_sequence', sequenceId: 'x', next: 'new-after' },
        { id: 'new-after', type: 'task', name: 'After the advance' },
      ];
      return { def: { ...def, steps }, stepId: 'new-adv' };
    },
  };
}
