import { DEFAULT_SEQUENCE_OPTIONS, type SequenceDefinition } from '@domain/definition.js';
import { describe, expect, it } from 'vitest';
import { currentStepText } from './current-step.js';

const definition: SequenceDefinition = {
  start: 's1',
  options: DEFAULT_SEQUENCE_OPTIONS,
  steps: [
    { id: 's1', type: 'email', name: 'Intro email', next: 'c1' },
    {
      id: 'c1',
      type: 'condition',
      if: { signal: 'email_opened', step: 's1' },
      within: 'P2D',
      yes: 'w1',
      no: 's2',
    },
    { id: 'w1', type: 'wait', duration: 'P2D', next: 's2' },
    { id: 's2', type: 'phone_call' },
  ],
};

describe('currentStepText', () => {
  it('says what a condition waits for, how long a wait lasts, and a step by its name or type', () => {
    const at = (id: string, type: string) => currentStepText({ id, name: null, type }, definition);
    expect(at('c1', 'condition')).toBe('Waiting to see if they opened “Intro email”');
    expect(at('w1', 'wait')).toBe('Waiting 2 days');
    expect(at('s1', 'email')).toBe('Intro email');
    expect(at('s2', 'phone_call')).toBe('Phone call');
  });

  it('never shows a step id without the definition, or when the id means another step there', () => {
    expect(currentStepText({ id: 'c1', name: null, type: 'condition' }, undefined)).toBe(
      'Waiting on a condition',
    );
    expect(currentStepText({ id: 's1', name: null, type: 'task' }, definition)).toBe('Task');
    expect(currentStepText({ id: 'x9', name: 'Book a demo', type: 'task' }, definition)).toBe('Book a demo');
    expect(currentStepText({ id: 'w7', name: null, type: 'wait' }, undefined)).toBe('Waiting');
    expect(currentStepText({ id: 'q1', name: null, type: null }, undefined)).toBe('A step');
  });
});
