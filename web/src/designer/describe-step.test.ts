import { describe, expect, it } from 'vitest';
import { stepCardText } from './describe-step.js';

const nameOf = (id: string) => (id === 'e1' ? 'Intro email' : id);

describe('stepCardText', () => {
  it('announces a card by its visible words in order, then its kind, with no stray comma (audit)', () => {
    expect(stepCardText({ id: 'e1', type: 'email', name: 'Intro email' }, nameOf)).toEqual({
      title: 'Intro email',
      subtitle: 'Email',
      label: 'Intro email, Email',
    });
    expect(
      stepCardText({ id: 'e1', type: 'email', name: 'Intro email', templateId: 't1' }, nameOf).label,
    ).toBe('Intro email, Email · template, Email');
    expect(stepCardText({ id: 't1', type: 'task', name: 'Task' }, nameOf).label).toBe('Task, Task');
  });

  it('shows a wait named after its duration once, not as its title and again under it (audit)', () => {
    const text = stepCardText({ id: 'w1', type: 'wait', name: 'Wait 2 days', duration: 'P2D' }, nameOf);
    expect(text).toEqual({ title: 'Wait 2 days', label: 'Wait 2 days, Wait' });
  });

  it('keeps the duration under a wait that has a name of its own', () => {
    const text = stepCardText({ id: 'w1', type: 'wait', name: 'Give them time', duration: 'P2D' }, nameOf);
    expect(text.subtitle).toBe('Wait 2 days');
    expect(text.label).toBe('Give them time, Wait 2 days, Wait');
  });

  it('ends the name with the number of problems', () => {
    const condition = {
      id: 'c1',
      type: 'condition' as const,
      name: 'Replied?',
      if: { signal: 'email_replied' as const, step: 'e1' },
      within: 'P2D',
    };
    expect(stepCardText(condition, nameOf, 2).label).toBe(
      'Replied?, If they replied to “Intro email”, Condition, 2 problems',
    );
  });
});
