import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEQUENCE_OPTIONS, type SequenceDefinition, type Step } from './definition.js';
import { durationDays, parseDuration } from './duration.js';
import { summarize } from './summary.js';
import { anyDefinitionArb, validDefinitionArb } from './test-support/arbitraries.js';

function definition(start: string, steps: Step[]): SequenceDefinition {
  return { start, options: DEFAULT_SEQUENCE_OPTIONS, steps };
}

describe('summarize', () => {
  it('summarises the api.md example: 3 steps, 4 days on the longest path', () => {
    const def = definition('s1', [
      { id: 's1', type: 'email', next: 'c1' },
      {
        id: 'c1',
        type: 'condition',
        if: { signal: 'email_replied', step: 's1' },
        within: 'P2D',
        yes: 's2',
        no: 'w1',
      },
      { id: 'w1', type: 'wait', duration: 'P2D', next: 's3' },
      { id: 's2', type: 'phone_call' },
      { id: 's3', type: 'update_field', field: 'status', value: 'disqualified' },
    ]);
    expect(summarize(def)).toEqual({ stepCount: 3, durationDays: 4 });
  });

  it('takes the longest branch, not the sum of all of them', () => {
    const def = definition('c', [
      { id: 'c', type: 'condition', if: { field: 'x', op: 'is_empty' }, yes: 'short', no: 'long' },
      { id: 'short', type: 'wait', duration: 'P1D', next: 't' },
      { id: 'long', type: 'wait', duration: 'P1W', next: 'w2' },
      { id: 'w2', type: 'wait', duration: 'PT12H', next: 't' },
      { id: 't', type: 'task' },
    ]);
    expect(summarize(def)).toEqual({ stepCount: 1, durationDays: 7.5 });
  });

  it('counts hours and minutes in nominal days, rounded to 2 decimals', () => {
    const def = definition('t', [
      { id: 't', type: 'task', next: 'w' },
      { id: 'w', type: 'wait', duration: 'P1DT1H', next: 'e' },
      { id: 'e', type: 'email' },
    ]);
    expect(summarize(def).durationDays).toBe(1.04);
  });

  it('counts every step that is neither a wait nor a condition, reachable or not', () => {
    const def = definition('t', [
      { id: 't', type: 'task' },
      { id: 'orphan', type: 'advance_to_sequence', sequenceId: 's' },
      { id: 'w', type: 'wait', duration: 'P1D' },
    ]);
    expect(summarize(def)).toEqual({ stepCount: 2, durationDays: 0 });
  });

  it('copes with drafts: no start, dangling links, bad durations, loops', () => {
    expect(summarize(definition('', []))).toEqual({ stepCount: 0, durationDays: 0 });
    const looping = definition('w1', [
      { id: 'w1', type: 'wait', duration: 'P1D', next: 'w2' },
      { id: 'w2', type: 'wait', duration: 'P2D', next: 'w1' },
      { id: 'w3', type: 'wait', duration: 'P1M', next: 'nowhere' },
    ]);
    expect(summarize(looping)).toEqual({ stepCount: 0, durationDays: 3 });
    expect(summarize(definition('w3', looping.steps)).durationDays).toBe(0);
  });

  it('never throws and stays within the total of all durations, on any well-typed definition', () => {
    fc.assert(
      fc.property(anyDefinitionArb, (def) => {
        const { stepCount, durationDays: days } = summarize(def);
        expect(stepCount).toBeLessThanOrEqual(def.steps.length);
        expect(days).toBeGreaterThanOrEqual(0);
        expect(days).toBeLessThanOrEqual(totalDays(def) + 0.005);
      }),
    );
  });

  it('on a valid definition, is at least the days of any single wait or within', () => {
    fc.assert(
      fc.property(validDefinitionArb, (def) => {
        const longestSingle = Math.max(0, ...def.steps.map(stepDays));
        expect(summarize(def).durationDays).toBeGreaterThanOrEqual(
          Math.round(longestSingle * 100) / 100 - 0.005,
        );
      }),
    );
  });
});

function stepDays(step: Step): number {
  const text = step.type === 'wait' ? step.duration : step.type === 'condition' ? step.within : undefined;
  const parsed = text === undefined ? undefined : parseDuration(text);
  return parsed?.ok ? durationDays(parsed.duration) : 0;
}

function totalDays(def: SequenceDefinition): number {
  return def.steps.reduce((sum, step) => sum + stepDays(step), 0);
}
