// Use cases that stop a sequence from running: deactivate it (seed 002: deactivate before editing) or
// delete it (seed 002: "the records that are associated with it will be disassociated"). Both end its
// running enrollments `disconnected` in the same transaction, and both refuse while other running sequences
// advance records to it: design.md §4 requires an advance target to be active, and stopping it would
// strand those records (the manager changes or deactivates the sources first).
import { disconnectSequenceEnrollments } from '../apply-events.js';
import type { EngineDeps } from '../deps.js';
import { ConflictError } from '../errors.js';
import type { Sequence, Store } from '../ports/store.js';
import { sourcesAdvancingTo } from './advance-rules.js';
import { type SequenceView, viewOf } from './sequence-view.js';
import { type ActingUser, auditSequence, lockLiveSequence } from './stored-sequence.js';

/** Active or revision -> inactive. A revision's draft stays the editable version. */
export async function deactivateSequence(
  deps: EngineDeps,
  actor: ActingUser,
  id: string,
): Promise<SequenceView> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    await tx.sequenceLifecycle.lockStatusChanges();
    const sequence = await lockLiveSequence(tx, id);
    if (sequence.status === 'inactive') {
      throw new ConflictError('sequence_not_active', `"${sequence.name}" is already inactive.`);
    }
    await refuseWhileAdvancedTo(tx, sequence, 'deactivate');
    const deactivated = await tx.sequences.update(
      sequence.id,
      { status: 'inactive', activeVersion: null },
      now,
    );
    const disconnected = await disconnectSequenceEnrollments(
      { ...deps, store: tx },
      sequence.id,
      'sequence_deactivated',
    );
    await auditSequence(tx, deps, actor, 'sequence.deactivated', sequence.id, now, {
      version: sequence.activeVersion,
      from: sequence.status,
      disconnected,
    });
    return viewOf(tx, deactivated ?? sequence);
  });
}

/** Soft delete, whatever the status: afterwards every use case answers not found. */
export async function deleteSequence(deps: EngineDeps, actor: ActingUser, id: string): Promise<void> {
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    await tx.sequenceLifecycle.lockStatusChanges();
    const sequence = await lockLiveSequence(tx, id);
    await refuseWhileAdvancedTo(tx, sequence, 'delete');
    // Inactive too, so that nothing reading only the status mistakes it for one that runs.
    await tx.sequences.update(sequence.id, { status: 'inactive', activeVersion: null }, now);
    const disconnected = await disconnectSequenceEnrollments(
      { ...deps, store: tx },
      sequence.id,
      'sequence_deleted',
    );
    await tx.sequences.softDelete(sequence.id, now);
    await auditSequence(tx, deps, actor, 'sequence.deleted', sequence.id, now, {
      name: sequence.name,
      status: sequence.status,
      disconnected,
    });
  });
}

async function refuseWhileAdvancedTo(
  tx: Store,
  sequence: Sequence,
  verb: 'deactivate' | 'delete',
): Promise<void> {
  const sources = sourcesAdvancingTo(sequence.id, await tx.sequenceLifecycle.listRunning());
  if (sources.length === 0) return;
  const names = sources.map((source) => `"${source.name}"`).join(', ');
  throw new ConflictError(
    'conflict',
    `Can't ${verb} "${sequence.name}": active sequences move records to it (${names}). Change or deactivate them first.`,
  );
}
