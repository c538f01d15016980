// Use case: a manager creates a sequence. As in Dynamics it is saved inactive, as version 1, and may be
// blank or half-built: the activation rules apply only when it is activated.
import { EMPTY_DEFINITION, type EntityType } from '../../domain/definition.js';
import type { EngineDeps } from '../deps.js';
import { parseDefinitionInput, parseName } from './definition-input.js';
import { type SequenceView, toSequenceView } from './sequence-view.js';
import { type ActingUser, auditSequence, storedVersion } from './stored-sequence.js';

export interface CreateSequenceInput {
  name: string;
  description?: string | null | undefined;
  entityType: EntityType;
  /** Untrusted JSON in api.md's definition format; absent: a blank sequence. */
  definition?: unknown;
  tags?: readonly string[] | undefined;
}

export async function createSequence(
  deps: EngineDeps,
  actor: ActingUser,
  input: CreateSequenceInput,
): Promise<SequenceView> {
  const name = parseName(input.name);
  const definition =
    input.definition === undefined ? EMPTY_DEFINITION : parseDefinitionInput(input.definition);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const sequence = await tx.sequences.create({
      id: deps.ids.newId('seq'),
      name,
      description: input.description ?? null,
      entityType: input.entityType,
      ownerId: actor.id,
      tags: input.tags ?? [],
      definition,
      createdAt: now,
    });
    await auditSequence(tx, deps, actor, 'sequence.created', sequence.id, now, {
      name: sequence.name,
      entityType: sequence.entityType,
      version: 1,
    });
    return toSequenceView(sequence, await storedVersion(tx, sequence.id, 1), 0);
  });
}
