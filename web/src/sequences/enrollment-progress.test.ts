import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../designer/fixtures/index.js';
import { progressOf } from './enrollment-progress.js';
import { stepsInFlowOrder } from './flow-order.js';

describe('progress of a connected record', () => {
  const hvo = FIXTURES.highVolumeOutbound;

  it('counts activities before the current step and the longest way after it', () => {
    expect(progressOf(hvo, 'auto_intro', 'active')).toMatchObject({ done: 0 });
    const start = progressOf(hvo, 'auto_intro', 'active');
    const second = progressOf(hvo, 'call1', 'active');
    expect(second?.done).toBe(1);
    expect(second?.total).toBe(start?.total);
    // On the short Yes branch the total shrinks to that branch's length.
    expect(progressOf(hvo, 'li_connect', 'active')).toEqual({ done: 2, total: 3 });
  });

  it('is full when completed and unknown without a current step', () => {
    const done = progressOf(FIXTURES.branching, null, 'completed');
    expect(done).toEqual({ done: 2, total: 2 });
    expect(progressOf(FIXTURES.branching, null, 'disconnected')).toBeNull();
    expect(progressOf(FIXTURES.branching, 'gone', 'active')).toBeNull();
  });

  it('does not loop on a cycle in a draft', () => {
    const cyclic = {
      ...FIXTURES.linear,
      start: 'a',
      steps: [
        { id: 'a', type: 'task' as const, next: 'b' },
        { id: 'b', type: 'task' as const, next: 'a' },
      ],
    };
    expect(progressOf(cyclic, 'b', 'active')?.done).toBe(1);
  });
});

describe('flow order', () => {
  it('visits Yes before No and marks unreachable steps', () => {
    const definition = {
      ...FIXTURES.branching,
      steps: [...FIXTURES.branching.steps, { id: 'lost', type: 'task' as const }],
    };
    expect(stepsInFlowOrder(definition).map((o) => `${o.step.id}:${o.branch.join('/')}`)).toEqual([
      'e1:',
      'c1:',
      'call1:Yes',
      'w1:No',
      's3:No',
      'lost:Unreachable',
    ]);
  });
});
