// Engine deps over a dialect test's store, a manager to act as, and definitions for the sequence use-case suites.
import { EMPTY_DEFINITION, type SequenceDefinition } from '../../../domain/definition.js';
import { aUser, T0 } from '../../../storage/test-support/fixtures.js';
import { ManualClock } from '../../clock.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineDeps, type EngineSettings } from '../../deps.js';
import { RandomIds } from '../../ids.js';
import type { Store } from '../../ports/store.js';
import type { ActingUser } from '../stored-sequence.js';

export function engineDeps(
  store: Store,
  settings: Partial<EngineSettings> = {},
  clock = new ManualClock(T0),
) {
  const deps: EngineDeps = {
    store,
    clock,
    ids: new RandomIds(clock),
    settings: { ...DEFAULT_ENGINE_SETTINGS, ...settings },
  };
  return { deps, clock };
}

export async function aManager(store: Store): Promise<ActingUser> {
  const user = await store.users.create(aUser({ role: 'sequence_manager' }));
  return { id: user.id, role: user.role };
}

/** One manual email: valid for activation. */
export const EMAIL_ONLY: SequenceDefinition = {
  ...EMPTY_DEFINITION,
  start: 's1',
  steps: [{ id: 's1', type: 'email', name: 'Say hello' }],
};

export const EMAIL_THEN_CALL: SequenceDefinition = {
  ...EMPTY_DEFINITION,
  start: 's1',
  steps: [
    { id: 's1', type: 'email', name: 'Say hello', next: 's2' },
    { id: 's2', type: 'phone_call', name: 'Call' },
  ],
};

/** An email, then records move to `sequenceId`. */
export function advancingTo(sequenceId: string): SequenceDefinition {
  return {
    ...EMPTY_DEFINITION,
    start: 's1',
    steps: [
      { id: 's1', type: 'email', name: 'Say hello', next: 'a1' },
      { id: 'a1', type: 'advance_to_sequence', sequenceId },
    ],
  };
}
