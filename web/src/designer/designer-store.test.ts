import { describe, expect, it } from 'vitest';
import { problemFromResponse } from '../api/api-error.js';
import { createDesignerStore } from './designer-store.js';
import { FIXTURES, WAIT_AT_END_PROBLEM } from './fixtures/index.js';

describe('designer store', () => {
  it('adds a step from the picker, selects it and marks the sequence dirty', () => {
    const store = createDesignerStore({ definition: FIXTURES.blank });
    store.getState().openPicker({ from: null, key: 'start' });
    store.getState().addStep('phone_call');
    const state = store.getState();
    expect(state.definition.start).toBe('phone-call-1');
    expect(state.panel).toEqual({ kind: 'step', stepId: 'phone-call-1' });
    expect(state.pickerLink).toBeNull();
    expect(state.dirty).toBe(true);
  });

  it('files a 422’s errors under their steps', () => {
    const store = createDesignerStore({ definition: FIXTURES.waitAtEnd });
    store.getState().setServerErrors(problemFromResponse(422, JSON.stringify(WAIT_AT_END_PROBLEM)).errors);
    expect(store.getState().stepErrors.w2?.[0]?.code).toBe('wait_at_end');
    expect(store.getState().generalErrors).toEqual([]);
  });

  it('explains a refused delete and changes nothing', () => {
    const store = createDesignerStore({ definition: FIXTURES.branching });
    expect(store.getState().deleteStep('e1')).toBe(false);
    expect(store.getState().notice).toMatch(/Delete that condition first/);
    expect(store.getState().definition).toBe(FIXTURES.branching);
    expect(store.getState().dirty).toBe(false);
  });

  it('ignores edits when read-only', () => {
    const store = createDesignerStore({ definition: FIXTURES.linear, readOnly: true });
    store.getState().updateStep('intro', { name: 'x' });
    expect(store.getState().definition).toBe(FIXTURES.linear);
  });
});
