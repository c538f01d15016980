// Use case: start a revision of an active sequence: an editable copy of the active version becomes
// version N+1, while version N keeps running (and keeps accepting connections) until the revision is activated.
import type { EngineDeps } from '../deps.js';
import { ConflictError } from '../errors.js';
import { type SequenceView, viewOf } from './sequence-view.js';
import { type ActingUser, auditSequence, lockLiveSequence, storedVersion } from './stored-sequence.js';

/** On a sequence already in revision, returns it unchanged (a retried request does no harm). */
export async function reviseSequence(deps: EngineDeps, actor: ActingUser, id: string): Promise<SequenceView> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const sequence = await lockLiveSequence(tx, id);
    if (sequence.status === 'revision') return viewOf(tx, sequence);
    if (sequence.status === 'inactive' || sequence.activeVersion === null) {
      throw new ConflictError(
        'sequence_not_active',
        `"${sequence.name}" is inactive: edit it directly, a revision is for an active sequence.`,
      );
    }
    const active = await storedVersion(tx, sequence.id, sequence.activeVersion);
    // The draft is always the newest version, so N+1 is free.
    const version = sequence.draftVersion + 1;
    await tx.sequences.createVersion({
      sequenceId: sequence.id,
      version,
      definition: active.definition,
      createdAt: now,
    });
    const revised = await tx.sequences.update(
      sequence.id,
      { status: 'revision', draftVersion: version },
      now,
    );
    await auditSequence(tx, deps, actor, 'sequence.revised', sequence.id, now, {
      version,
      activeVersion: sequence.activeVersion,
    });
    return viewOf(tx, revised ?? sequence);
  });
}
