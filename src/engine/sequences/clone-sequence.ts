// Use case: copy a sequence as a new inactive one, from its latest draft (what the designer shows), so a
// manager can start a variant without touching what runs.
import type { EngineDeps } from '../deps.js';
import { parseName } from './definition-input.js';
import { type SequenceView, toSequenceView } from './sequence-view.js';
import { type ActingUser, auditSequence, liveSequence, storedVersion } from './stored-sequence.js';

export interface CloneSequenceInput {
  /** Default: "<name> (copy)". */
  name?: string | undefined;
}

export async function cloneSequence(
  deps: EngineDeps,
  actor: ActingUser,
  id: string,
  input: CloneSequenceInput = {},
): Promise<SequenceView> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const source = await liveSequence(tx, id);
    const draft = await storedVersion(tx, source.id, source.draftVersion);
    const name = input.name === undefined ? `${source.name} (copy)` : parseName(input.name);
    const copy = await tx.sequences.create({
      id: deps.ids.newId('seq'),
      name,
      description: source.description,
      entityType: source.entityType,
      ownerId: actor.id,
      tags: source.tags,
      definition: draft.definition,
      createdAt: now,
    });
    await auditSequence(tx, deps, actor, 'sequence.cloned', copy.id, now, {
      sourceId: source.id,
      sourceVersion: draft.version,
    });
    return toSequenceView(copy, await storedVersion(tx, copy.id, 1), 0);
  });
}
