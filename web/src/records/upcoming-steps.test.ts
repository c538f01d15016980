import { DEFAULT_SEQUENCE_OPTIONS, type SequenceDefinition } from '@domain/definition.js';
import { describe, expect, it } from 'vitest';
import { upcomingAfter } from './upcoming-steps.js';

const OPTIONS = DEFAULT_SEQUENCE_OPTIONS;
const DEFINITION: SequenceDefinition = {
  start: 'e1',
  options: OPTIONS,
  steps: [
    { id: 'e1', type: 'email', name: 'Introduce yourself', next: 'w1' },
    { id: 'w1', type: 'wait', duration: 'P1D', next: 'w2' },
    { id: 'w2', type: 'wait', duration: 'PT4H', next: 'call' },
    { id: 'call', type: 'phone_call', name: 'Call', next: 'c1' },
    { id: 'c1', type: 'condition', if: { step: 'call', outcome: ['answered'] }, yes: 'demo', no: 'w3' },
    { id: 'demo', type: 'task', name: 'Book the demo' },
    { id: 'w3', type: 'wait', duration: 'P2D', next: 'e2' },
    { id: 'e2', type: 'email', name: 'Follow up' },
  ],
};

describe('upcomingAfter', () => {
  it('skips over waits and says how long they are', () => {
    expect(upcomingAfter(DEFINITION, 'e1')).toMatchObject({
      kind: 'step',
      step: { id: 'call' },
      waits: ['1 day', '4 hours'],
    });
  });
  it('shows both branches of a condition that follows', () => {
    const upcoming = upcomingAfter(DEFINITION, 'call');
    expect(upcoming).toMatchObject({
      kind: 'branch',
      condition: { id: 'c1' },
      waits: [],
      yes: { kind: 'step', step: { id: 'demo' }, waits: [] },
      no: { kind: 'step', step: { id: 'e2' }, waits: ['2 days'] },
    });
  });
  it('counts a signal condition still ahead: its branches come after its time limit', () => {
    const replied: SequenceDefinition = {
      start: 'e1',
      options: OPTIONS,
      steps: [
        { id: 'e1', type: 'email', name: 'Intro', next: 'c1' },
        {
          id: 'c1',
          type: 'condition',
          if: { signal: 'email_replied', step: 'e1' },
          within: 'P2D',
          yes: 'call',
          no: 'w1',
        },
        { id: 'call', type: 'phone_call', name: 'Call' },
        { id: 'w1', type: 'wait', duration: 'P3D', next: 'e2' },
        { id: 'e2', type: 'automated_email', name: 'Follow up', templateId: 't' },
      ],
    };
    expect(upcomingAfter(replied, 'e1')).toMatchObject({
      yes: { step: { id: 'call' }, waits: ['2 days'] },
      no: { step: { id: 'e2' }, waits: ['2 days', '3 days'] },
    });
    // Running now, the view says when it decides: the branches count from then.
    expect(upcomingAfter(replied, 'c1')).toMatchObject({ yes: { waits: [] }, no: { waits: ['3 days'] } });
    const early = structuredClone(replied);
    Object.assign(early.steps[1] as object, { moveOnSignal: true });
    expect(upcomingAfter(early, 'e1')).toMatchObject({
      yes: { waits: [] },
      no: { waits: ['2 days', '3 days'] },
    });
  });
  it('shows the branches of a condition that is running now', () => {
    expect(upcomingAfter(DEFINITION, 'c1')).toMatchObject({ kind: 'branch', yes: { step: { id: 'demo' } } });
  });
  it('says the sequence ends after the last step, and knows no unknown step', () => {
    expect(upcomingAfter(DEFINITION, 'demo')).toEqual({ kind: 'end', waits: [] });
    expect(upcomingAfter(DEFINITION, 'nope')).toBeUndefined();
  });
  it('stops at a cycle of waits instead of looping', () => {
    const looping: SequenceDefinition = {
      start: 'a',
      options: OPTIONS,
      steps: [
        { id: 'a', type: 'task', next: 'w' },
        { id: 'w', type: 'wait', duration: 'P1D', next: 'w' },
      ],
    };
    expect(upcomingAfter(looping, 'a')).toEqual({ kind: 'end', waits: ['1 day'] });
  });
});
