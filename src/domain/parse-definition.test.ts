import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEQUENCE_OPTIONS } from './definition.js';
import { MAX_CONDITION_DEPTH, MAX_STEPS, parseDefinition } from './parse-definition.js';
import { anyDefinitionArb, validDefinitionArb } from './test-support/arbitraries.js';

/** The api.md example. */
const EXAMPLE = {
  start: 's1',
  options: { exitOnReply: true, workingHours: 'owner', skipNonWorkingDays: false },
  steps: [
    { id: 's1', type: 'email', name: 'Introduce yourself', templateId: 'tpl_1', next: 'c1' },
    {
      id: 'c1',
      type: 'condition',
      if: { signal: 'email_replied', step: 's1' },
      within: 'P2D',
      yes: 's2',
      no: 'w1',
    },
    { id: 'w1', type: 'wait', duration: 'P2D', next: 's3' },
    { id: 's2', type: 'phone_call', name: 'Call to book the meeting' },
    { id: 's3', type: 'update_field', field: 'status', value: 'disqualified' },
  ],
};

function errorsOf(json: unknown) {
  const result = parseDefinition(json);
  if (result.ok) throw new Error('expected the definition to be refused');
  return result.errors.map(({ code, path }) => ({ code, path }));
}

function withStep(step: unknown, base: { steps: unknown[] } = EXAMPLE) {
  return { ...base, steps: [...base.steps, step] };
}

describe('parseDefinition', () => {
  it('reads the api.md example, filling the missing option with its default', () => {
    const result = parseDefinition(EXAMPLE);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.definition.options).toEqual({ ...EXAMPLE.options, tracking: true });
    expect(result.definition.steps).toEqual(EXAMPLE.steps);
  });

  it('fills every option when options are left out', () => {
    const result = parseDefinition({ start: '', steps: [] });
    expect(result).toEqual({
      ok: true,
      definition: { start: '', options: DEFAULT_SEQUENCE_OPTIONS, steps: [] },
    });
  });

  it('keeps absent optional properties absent, and a null field value as null', () => {
    const result = parseDefinition({
      start: 'u',
      steps: [{ id: 'u', type: 'update_field', field: 'status', value: null }],
    });
    expect(result.ok && result.definition.steps[0]).toEqual({
      id: 'u',
      type: 'update_field',
      field: 'status',
      value: null,
    });
  });

  it.each([
    ['a string', 'hello', [{ code: 'bad_shape', path: '' }]],
    ['null', null, [{ code: 'bad_shape', path: '' }]],
    ['an array', [], [{ code: 'bad_shape', path: '' }]],
    [
      'an empty object',
      {},
      [
        { code: 'missing_property', path: '/start' },
        { code: 'missing_property', path: '/steps' },
      ],
    ],
  ])('refuses %s at the root', (_, json, expected) => {
    expect(errorsOf(json)).toEqual(expected);
  });

  it('points at the exact place of each problem, all at once', () => {
    const json = {
      start: 's1',
      colour: 'red',
      options: { exitOnReply: 'yes', workingHours: 'always', extra: 1 },
      steps: [
        { id: 's1', type: 'email', next: 7 },
        { id: 'w1', type: 'wait' },
        { id: 'x', type: 'fax' },
        { id: 'c1', type: 'condition', if: { signal: 'email_read', step: 's1' }, yes: null },
        'not a step',
        { type: 'task', id: '' },
      ],
    };
    expect(errorsOf(json)).toEqual([
      { code: 'unknown_property', path: '/colour' },
      { code: 'unknown_property', path: '/options/extra' },
      { code: 'bad_shape', path: '/options/exitOnReply' },
      { code: 'unknown_value', path: '/options/workingHours' },
      { code: 'bad_shape', path: '/steps/0/next' },
      { code: 'missing_property', path: '/steps/1/duration' },
      { code: 'unknown_step_type', path: '/steps/2/type' },
      { code: 'unknown_value', path: '/steps/3/if/signal' },
      { code: 'bad_shape', path: '/steps/3/yes' },
      { code: 'bad_shape', path: '/steps/4' },
      { code: 'bad_shape', path: '/steps/5/id' },
    ]);
  });

  it('rejects properties that belong to another step type', () => {
    expect(errorsOf(withStep({ id: 't', type: 'task', duration: 'P1D', templateId: 'x' }))).toEqual([
      { code: 'unknown_property', path: '/steps/5/duration' },
      { code: 'unknown_property', path: '/steps/5/templateId' },
    ]);
  });

  it('reads a next step on "advance to sequence" (activation refuses it: advance_not_last)', () => {
    const result = parseDefinition(
      withStep({ id: 'a', type: 'advance_to_sequence', sequenceId: 'seq', next: 's1' }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.definition.steps[5]).toEqual({
      id: 'a',
      type: 'advance_to_sequence',
      sequenceId: 'seq',
      next: 's1',
    });
  });

  it('reads every form of condition and reports inside nested ones', () => {
    const condition = {
      all: [
        { signal: 'email_opened', step: 's1' },
        { step: 'call', outcome: ['answered', 'left_voicemail'] },
        {
          any: [
            { field: 'rating', op: 'gt', value: 3 },
            { field: 'title', op: 'is_empty' },
          ],
        },
      ],
    };
    const ok = parseDefinition(withStep({ id: 'c2', type: 'condition', if: condition, moveOnSignal: true }));
    expect(ok.ok && ok.definition.steps[5]).toEqual({
      id: 'c2',
      type: 'condition',
      if: condition,
      moveOnSignal: true,
    });

    const broken = {
      any: [
        { step: 'call', outcome: ['busy'] },
        { field: 'rating', op: 'between', value: [1, 2] },
        { signal: 'email_opened', step: 's1', outcome: [] },
        { wat: 1 },
        { all: 'nope' },
      ],
    };
    expect(errorsOf(withStep({ id: 'c2', type: 'condition', if: broken }))).toEqual([
      { code: 'unknown_value', path: '/steps/5/if/any/0/outcome/0' },
      { code: 'unknown_value', path: '/steps/5/if/any/1/op' },
      { code: 'bad_shape', path: '/steps/5/if/any/1/value' },
      { code: 'unknown_property', path: '/steps/5/if/any/2/outcome' },
      { code: 'bad_shape', path: '/steps/5/if/any/3' },
      { code: 'bad_shape', path: '/steps/5/if/any/4/all' },
    ]);
  });

  it('escapes JSON Pointer characters in property names', () => {
    expect(errorsOf({ start: '', steps: [], 'a/b~c': 1 })).toEqual([
      { code: 'unknown_property', path: '/a~1b~0c' },
    ]);
  });

  it('treats __proto__ and constructor as the unknown properties they are, polluting nothing', () => {
    const json: unknown = JSON.parse(
      '{"start":"s","steps":[{"id":"s","type":"task","__proto__":{"polluted":true},"constructor":{"x":1}}],"__proto__":{"polluted":true}}',
    );
    expect(errorsOf(json)).toEqual([
      { code: 'unknown_property', path: '/__proto__' },
      { code: 'unknown_property', path: '/steps/0/__proto__' },
      { code: 'unknown_property', path: '/steps/0/constructor' },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('does not read inherited properties as if they were given', () => {
    const inherited = Object.create({ start: 's', steps: [] }) as object;
    expect(errorsOf(inherited)).toEqual([
      { code: 'missing_property', path: '/start' },
      { code: 'missing_property', path: '/steps' },
    ]);
  });

  it('refuses huge step lists and deep nesting with one issue each', () => {
    const huge = { start: 's', steps: Array.from({ length: MAX_STEPS + 1 }, () => 'junk') };
    expect(errorsOf(huge)).toEqual([{ code: 'too_large', path: '/steps' }]);

    let deep: unknown = { field: 'x', op: 'is_empty' };
    for (let i = 0; i < 10_000; i++) deep = { all: [deep] };
    const errors = errorsOf({ start: 'c', steps: [{ id: 'c', type: 'condition', if: deep }] });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe('too_large');
    expect(errors[0]?.path.split('/all/0')).toHaveLength(MAX_CONDITION_DEPTH);
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.anything({ withNullPrototype: true, withObjectString: true })),
        (json) => {
          const result = parseDefinition(json);
          if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('never throws on definition-like JSON with random damage', () => {
    const damaged = fc
      .tuple(anyDefinitionArb, fc.array(fc.tuple(fc.nat(), fc.string(), fc.jsonValue()), { maxLength: 3 }))
      .map(([def, damage]) => {
        const json = JSON.parse(JSON.stringify(def)) as { steps: Record<string, unknown>[] };
        for (const [index, key, value] of damage) {
          const step = json.steps[index % Math.max(1, json.steps.length)];
          if (step !== undefined) step[key] = value;
        }
        return json;
      });
    fc.assert(
      fc.property(damaged, (json) => {
        parseDefinition(json);
      }),
    );
  });

  it('gives back exactly what it read for every well-typed definition (JSON round trip)', () => {
    fc.assert(
      fc.property(fc.oneof(validDefinitionArb, anyDefinitionArb), (def) => {
        expect(parseDefinition(JSON.parse(JSON.stringify(def)))).toEqual({ ok: true, definition: def });
      }),
    );
  });
});
