// Use case: give up a revision of an active sequence: its draft (version N+1, never activated, so no record
// ran it) is deleted and the sequence is active again on version N, as before Edit. Without it, a manager
// who started a revision could only publish it or delete the whole sequence.
import type { EngineDeps } from '../deps.js';
import { ConflictError } from '../errors.js';
import { type SequenceView, viewOf } from './sequence-view.js';
import { type ActingUser, auditSequence, lockLiveSequence } from './stored-sequence.js';

/** On an active sequence (already discarded, or never revised), returns it unchanged: a retry does no harm. */
export async function discardRevision(
  deps: EngineDeps,
  actor: ActingUser,
  id: string,
): Promise<SequenceView> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const sequence = await lockLiveSequence(tx, id);
    if (sequence.status === 'active') return viewOf(tx, sequence);
    if (sequence.status === 'inactive' || sequence.activeVersion === null) {
      throw new ConflictError(
        'sequence_not_active',
        `"${sequence.name}" is inactive: there is no revision to discard; its draft is the sequence itself.`,
      );
    }
    const discarded = sequence.draftVersion;
    await tx.sequences.deleteDraftVersion(sequence.id, discarded);
    const active = await tx.sequences.update(
      sequence.id,
      { status: 'active', draftVersion: sequence.activeVersion },
      now,
    );
    await auditSequence(tx, deps, actor, 'sequence.revision_discarded', sequence.id, now, {
      version: discarded,
      activeVersion: sequence.activeVersion,
    });
    return viewOf(tx, active ?? sequence);
  });
}
