// Active sequences whose first step is workable at once (a call, a manual email) or a running wait,
// and records connected to them, for the enrollment and work list suites and the route matrix.

import { connectRecords } from '../../engine/connect.js';
import type { EngineDeps } from '../../engine/deps.js';
import type { User } from '../../engine/ports/store.js';
import { activateSequence } from '../../engine/sequences/activate-sequence.js';
import { createSequence } from '../../engine/sequences/create-sequence.js';

export type FirstStep = 'call' | 'email' | 'wait';

const DEFINITIONS: Record<FirstStep, unknown> = {
  call: {
    start: 'call',
    steps: [
      { id: 'call', type: 'phone_call', name: 'Call them', description: 'Ask about the demo', next: 'task' },
      { id: 'task', type: 'task', name: 'Send the proposal' },
    ],
  },
  email: {
    start: 'mail',
    steps: [
      { id: 'mail', type: 'email', name: 'Write to them', next: 'task' },
      { id: 'task', type: 'task', name: 'Send the proposal' },
    ],
  },
  // A sequence can't start with a wait: a field update goes first, and the wait runs at once.
  wait: {
    start: 'mark',
    steps: [
      { id: 'mark', type: 'update_field', field: 'stage', value: 'working', next: 'wait' },
      { id: 'wait', type: 'wait', duration: 'P1D', next: 'call' },
      { id: 'call', type: 'phone_call', name: 'Call them', next: 'task' },
      { id: 'task', type: 'task', name: 'Send the proposal' },
    ],
  },
};

/** A new active lead sequence starting with `first`. */
export async function activeSequence(deps: EngineDeps, admin: User, first: FirstStep): Promise<string> {
  const actor = { id: admin.id, role: admin.role };
  const view = await createSequence(deps, actor, {
    name: `Starts with ${first} ${deps.ids.newId('n')}`,
    entityType: 'lead',
    definition: DEFINITIONS[first],
  });
  await activateSequence(deps, actor, view.id);
  return view.id;
}

export async function aLead(deps: EngineDeps, owner: User, name = 'Ada Lovelace'): Promise<string> {
  const record = await deps.store.records.create({
    id: deps.ids.newId('rec'),
    type: 'lead',
    name,
    ownerId: owner.id,
    createdAt: deps.clock.now(),
  });
  return record.id;
}

/** Connects a new lead of `owner` to `sequenceId`; returns the enrollment and its current step's id. */
export async function enrolledLead(
  deps: EngineDeps,
  admin: User,
  owner: User,
  sequenceId: string,
): Promise<{ recordId: string; enrollmentId: string; stepRowId: string }> {
  const recordId = await aLead(deps, owner);
  const result = await connectRecords(deps, {
    sequenceId,
    recordIds: [recordId],
    actor: { id: admin.id, role: admin.role },
  });
  const enrollmentId = result.enrolled[0]?.enrollmentId;
  if (enrollmentId === undefined) throw new Error(`not enrolled: ${JSON.stringify(result.rejected)}`);
  // The step the enrollment rests on: the call or manual email, or the wait after the field update.
  const current = (await deps.store.enrollments.listSteps(enrollmentId)).at(-1);
  if (current === undefined) throw new Error('no step');
  return { recordId, enrollmentId, stepRowId: current.id };
}
