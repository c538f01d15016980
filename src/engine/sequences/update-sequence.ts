// Use case: edit a sequence. Only what doesn't run can change (seed 002: "You can edit sequences that are in
// inactive state only"); an active sequence is edited through a revision (revise-sequence.ts).
// A version that was ever activated is frozen: ended enrollments still point at it, so editing an inactive
// sequence whose draft was active once forks a new draft version instead of rewriting history.
import type { EngineDeps } from '../deps.js';
import { ConflictError } from '../errors.js';
import type { SequencePatch } from '../ports/store.js';
import { parseDefinitionInput, parseName } from './definition-input.js';
import { type SequenceView, viewOf } from './sequence-view.js';
import { type ActingUser, auditSequence, lockLiveSequence, storedVersion } from './stored-sequence.js';

export interface UpdateSequenceInput {
  name?: string | undefined;
  description?: string | null | undefined;
  /** Untrusted JSON in api.md's definition format; replaces the editable version's definition. */
  definition?: unknown;
  /** Replaces the tag set. */
  tags?: readonly string[] | undefined;
}

export async function updateSequence(
  deps: EngineDeps,
  actor: ActingUser,
  id: string,
  input: UpdateSequenceInput,
): Promise<SequenceView> {
  const name = input.name === undefined ? undefined : parseName(input.name);
  const definition = input.definition === undefined ? undefined : parseDefinitionInput(input.definition);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const sequence = await lockLiveSequence(tx, id);
    if (sequence.status === 'active') {
      throw new ConflictError(
        'sequence_active',
        `"${sequence.name}" is active: revise it to edit a new version, or deactivate it first.`,
      );
    }
    const patch: SequencePatch = {};
    const changed: string[] = [];
    if (name !== undefined) {
      patch.name = name;
      changed.push('name');
    }
    if (input.description !== undefined) {
      patch.description = input.description;
      changed.push('description');
    }
    if (input.tags !== undefined) {
      patch.tags = input.tags;
      changed.push('tags');
    }
    let version = sequence.draftVersion;
    if (definition !== undefined) {
      changed.push('definition');
      const draft = await storedVersion(tx, sequence.id, sequence.draftVersion);
      if (draft.activatedAt === null) {
        await tx.sequences.updateVersion(sequence.id, version, { definition });
      } else {
        version = sequence.draftVersion + 1;
        await tx.sequences.createVersion({ sequenceId: sequence.id, version, definition, createdAt: now });
        patch.draftVersion = version;
      }
    }
    const updated = (await tx.sequences.update(sequence.id, patch, now)) ?? sequence;
    await auditSequence(tx, deps, actor, 'sequence.updated', sequence.id, now, { changed, version });
    return viewOf(tx, updated);
  });
}
