import type { ConditionStep } from '@domain/definition.js';
import { validDefinitionArb } from '@domain/test-support/arbitraries.js';
import { validateForActivation } from '@domain/validate-definition.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  conditionPatch,
  deleteStep,
  insertStep,
  kindAvailability,
  precedingSteps,
  updateStep,
} from './edit-definition.js';
import { FIXTURES } from './fixtures/index.js';
import { findStepKind, STEP_KINDS } from './step-kinds.js';

const kind = (name: string) => {
  const found = findStepKind(name);
  if (found === undefined) throw new Error(name);
  return found;
};

describe('insertStep', () => {
  it('adds the first step of a blank sequence and makes it the start', () => {
    const { definition, stepId } = insertStep(FIXTURES.blank, { from: null, key: 'start' }, 'email');
    expect(definition.start).toBe(stepId);
    expect(definition.steps).toEqual([{ id: 'email-1', type: 'email', name: 'Email' }]);
  });

  it('puts the new step between a step and the one it led to', () => {
    const { definition, stepId } = insertStep(FIXTURES.linear, { from: 'intro', key: 'next' }, 'task');
    expect(definition.steps.find((s) => s.id === 'intro')).toMatchObject({ next: stepId });
    expect(definition.steps.find((s) => s.id === stepId)).toMatchObject({ type: 'task', next: 'wait1' });
    expect(definition.steps.map((s) => s.id)).toEqual(['intro', stepId, 'wait1', 'call1', 'task1']);
  });

  it('inserts before the first step', () => {
    const { definition, stepId } = insertStep(FIXTURES.linear, { from: null, key: 'start' }, 'phone_call');
    expect(definition.start).toBe(stepId);
    expect(definition.steps[0]).toMatchObject({ id: stepId, next: 'intro' });
  });

  it('continues after a new condition on its Yes branch, testing the email before it', () => {
    const { definition, stepId } = insertStep(
      FIXTURES.linear,
      { from: 'intro', key: 'next' },
      'condition_email_opened',
    );
    expect(definition.steps.find((s) => s.id === stepId)).toEqual({
      id: stepId,
      type: 'condition',
      name: 'Email opened',
      if: { signal: 'email_opened', step: 'intro' },
      within: 'P2D',
      yes: 'wait1',
    });
  });

  it('adds to a condition’s branch', () => {
    const { definition, stepId } = insertStep(FIXTURES.branching, { from: 'c1', key: 'no' }, 'email');
    expect(definition.steps.find((s) => s.id === 'c1')).toMatchObject({ yes: 'call1', no: stepId });
    expect(definition.steps.find((s) => s.id === stepId)).toMatchObject({ next: 'w1' });
  });

  it('picks ids that are not taken', () => {
    const first = insertStep(FIXTURES.blank, { from: null, key: 'start' }, 'email');
    const second = insertStep(first.definition, { from: first.stepId, key: 'next' }, 'email');
    expect(second.stepId).toBe('email-2');
  });

  it('keeps a valid sequence valid when an activity goes on any link', () => {
    fc.assert(
      fc.property(
        validDefinitionArb,
        fc.nat(),
        fc.constantFrom('email', 'phone_call', 'task', 'linkedin_connect'),
        (def, pick, k) => {
          const links = def.steps.flatMap((s) =>
            (['next', 'yes', 'no'] as const).filter((key) => key in s).map((key) => ({ from: s.id, key })),
          );
          const link = links[pick % Math.max(1, links.length)] ?? { from: null, key: 'start' as const };
          const { definition } = insertStep(def, link, k);
          expect(validateForActivation(definition)).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('kindAvailability', () => {
  it('refuses a wait or an advance as the first step', () => {
    const start = { from: null, key: 'start' as const };
    expect(kindAvailability(FIXTURES.linear, start, kind('wait')).ok).toBe(false);
    expect(kindAvailability(FIXTURES.linear, start, kind('advance_to_sequence')).ok).toBe(false);
  });

  it('allows "advance to another sequence" only where a branch ends', () => {
    expect(
      kindAvailability(FIXTURES.linear, { from: 'intro', key: 'next' }, kind('advance_to_sequence')).ok,
    ).toBe(false);
    expect(
      kindAvailability(FIXTURES.linear, { from: 'task1', key: 'next' }, kind('advance_to_sequence')).ok,
    ).toBe(true);
  });

  it('offers email conditions only after an email, and call conditions only after a call', () => {
    const afterEmail = { from: 'intro', key: 'next' as const };
    expect(kindAvailability(FIXTURES.linear, afterEmail, kind('condition_email_replied')).ok).toBe(true);
    expect(kindAvailability(FIXTURES.linear, afterEmail, kind('condition_call_outcome')).ok).toBe(false);
    expect(
      kindAvailability(FIXTURES.linear, { from: 'call1', key: 'next' }, kind('condition_call_outcome')).ok,
    ).toBe(true);
    expect(
      kindAvailability(FIXTURES.blank, { from: null, key: 'start' }, kind('condition_email_opened')).ok,
    ).toBe(false);
  });

  it('every kind in every tab has a title and an icon', () => {
    for (const k of STEP_KINDS) {
      expect(k.title).not.toBe('');
      expect(k.icon).not.toBe('');
    }
  });
});

describe('deleteStep', () => {
  it('reconnects what led to the step with what followed it', () => {
    const result = deleteStep(FIXTURES.linear, 'wait1');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.definition.steps.find((s) => s.id === 'intro')).toMatchObject({ next: 'call1' });
    expect(result.removed).toEqual(['wait1']);
  });

  it('moves the start when the first step goes', () => {
    const result = deleteStep(FIXTURES.linear, 'intro');
    expect(result.ok && result.definition.start).toBe('wait1');
  });

  it('leaves the branch open when the last step goes', () => {
    const result = deleteStep(FIXTURES.linear, 'task1');
    expect(result.ok && result.definition.steps.find((s) => s.id === 'call1')).toEqual({
      id: 'call1',
      type: 'phone_call',
      name: 'Call to book a meeting',
    });
  });

  it('refuses a step that a condition tests', () => {
    const result = deleteStep(FIXTURES.branching, 'e1');
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('Replied?') });
  });

  it('deletes a condition with the steps only its No branch reached', () => {
    const result = deleteStep(FIXTURES.branching, 'c1');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.removed).toEqual(['c1', 'w1', 's3']);
    expect(result.definition.steps.map((s) => s.id)).toEqual(['e1', 'call1']);
    expect(result.definition.steps[0]).toMatchObject({ next: 'call1' });
  });

  it('keeps steps the No branch shares with the Yes branch', () => {
    const result = deleteStep(FIXTURES.highVolumeOutbound, 'cond_answer2');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.definition.steps.some((s) => s.id === 'li_connect')).toBe(true);
    expect(validateForActivation(result.definition)).toEqual([]);
  });

  it('never leaves a link to a deleted step', () => {
    fc.assert(
      fc.property(validDefinitionArb, fc.nat(), (def, pick) => {
        const victim = def.steps[pick % def.steps.length];
        if (victim === undefined) return;
        const result = deleteStep(def, victim.id);
        if (!result.ok) return;
        const ids = new Set(result.definition.steps.map((s) => s.id));
        for (const s of result.definition.steps)
          for (const key of ['next', 'yes', 'no'] as const) {
            const target = (s as Partial<Record<typeof key, string>>)[key];
            if (target !== undefined) expect(ids.has(target)).toBe(true);
          }
        if (result.definition.start !== '') expect(ids.has(result.definition.start)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('updateStep', () => {
  it('patches the contents and keeps id, type and links', () => {
    const next = updateStep(FIXTURES.linear, 'wait1', { duration: 'P3DT4H', name: 'Wait a bit' });
    expect(next.steps[1]).toEqual({
      id: 'wait1',
      type: 'wait',
      name: 'Wait a bit',
      duration: 'P3DT4H',
      next: 'call1',
    });
  });

  it('removes a property patched to undefined', () => {
    const next = updateStep(FIXTURES.linear, 'intro', { templateId: undefined });
    expect(next.steps[0]).not.toHaveProperty('templateId');
  });

  it('does not change the input', () => {
    const before = structuredClone(FIXTURES.linear);
    updateStep(FIXTURES.linear, 'intro', { name: 'Changed' });
    expect(FIXTURES.linear).toEqual(before);
  });
});

describe('conditionPatch', () => {
  const branching = FIXTURES.branching;
  const replied = () => branching.steps.find((s): s is ConditionStep => s.id === 'c1') as ConditionStep;
  const codes = (definition: typeof branching) => validateForActivation(definition).map((i) => i.code);

  it('drops the time limit and moveOnSignal when the test no longer waits for a signal', () => {
    const withMove = updateStep(branching, 'c1', { moveOnSignal: true });
    const step = withMove.steps.find((s) => s.id === 'c1') as ConditionStep;
    const patch = conditionPatch(step, { field: 'status', op: 'eq', value: 'new' });
    const next = updateStep(withMove, 'c1', patch);
    expect(next.steps[1]).toEqual({
      id: 'c1',
      type: 'condition',
      name: 'Replied?',
      if: { field: 'status', op: 'eq', value: 'new' },
      yes: 'call1',
      no: 'w1',
    });
    expect(codes(next)).toEqual([]);
  });

  it('gives a test that gains a signal a time limit, and keeps one already set', () => {
    const fieldTest = updateStep(
      branching,
      'c1',
      conditionPatch(replied(), { field: 'status', op: 'is_empty' }),
    );
    const step = fieldTest.steps.find((s) => s.id === 'c1') as ConditionStep;
    const signalled = updateStep(
      fieldTest,
      'c1',
      conditionPatch(step, {
        any: [
          { field: 'status', op: 'is_empty' },
          { signal: 'email_opened', step: 'e1' },
        ],
      }),
    );
    expect(signalled.steps[1]).toMatchObject({ within: 'P2D' });
    expect(codes(signalled)).toEqual([]);
    expect(conditionPatch({ ...replied(), within: 'PT6H' }, { signal: 'email_clicked', step: 'e1' })).toEqual(
      {
        if: { signal: 'email_clicked', step: 'e1' },
        within: 'PT6H',
      },
    );
  });

  it('keeps a time limit for a signal nested in all/any', () => {
    const patch = conditionPatch(replied(), { all: [{ any: [{ signal: 'email_replied', step: 'e1' }] }] });
    expect(patch.within).toBe('P2D');
  });
});

describe('precedingSteps', () => {
  it('lists the emails a record always passes before a step', () => {
    expect(precedingSteps(FIXTURES.branching, 's3', ['email']).map((s) => s.id)).toEqual(['e1']);
    expect(
      precedingSteps(FIXTURES.highVolumeOutbound, 'li_connect', ['phone_call']).map((s) => s.id),
    ).toEqual(['call1']);
  });
});
