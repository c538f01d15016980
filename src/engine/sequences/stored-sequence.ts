// What every sequence use case starts from: the live sequence (a deleted one is not found), locked when
// the use case changes it, the version it shows or edits, and one audit entry per change.
import type { EngineDeps } from '../deps.js';
import { NotFoundError } from '../errors.js';
import type { JsonObject, Role, Sequence, SequenceVersion, Store } from '../ports/store.js';

/** Who asks for a change: the audit log names them. Roles are checked by the API, not here. */
export interface ActingUser {
  id: string;
  role: Role;
}

export type SequenceAuditAction =
  | 'sequence.created'
  | 'sequence.updated'
  | 'sequence.activated'
  | 'sequence.deactivated'
  | 'sequence.revised'
  | 'sequence.revision_discarded'
  | 'sequence.cloned'
  | 'sequence.deleted';

function notFound(id: string): NotFoundError {
  return new NotFoundError(`There is no sequence "${id}".`);
}

export async function liveSequence(store: Store, id: string): Promise<Sequence> {
  const sequence = await store.sequences.get(id);
  if (sequence === null || sequence.deletedAt !== null) throw notFound(id);
  return sequence;
}

/** The live sequence, its row locked until the transaction `tx` ends (concurrent changes queue up). */
export async function lockLiveSequence(tx: Store, id: string): Promise<Sequence> {
  if (!(await tx.sequenceLifecycle.lockSequence(id))) throw notFound(id);
  return liveSequence(tx, id);
}

export async function storedVersion(
  store: Store,
  sequenceId: string,
  version: number,
): Promise<SequenceVersion> {
  const stored = await store.sequences.getVersion(sequenceId, version);
  // A sequence row always points at versions that exist (foreign keys and these use cases keep it so).
  if (stored === null) throw new Error(`Sequence ${sequenceId} has no version ${version}.`);
  return stored;
}

export async function auditSequence(
  tx: Store,
  deps: EngineDeps,
  actor: ActingUser,
  action: SequenceAuditAction,
  sequenceId: string,
  at: number,
  data: JsonObject | null = null,
): Promise<void> {
  await tx.audit.append({
    id: deps.ids.newId('aud'),
    at,
    actorId: actor.id,
    action,
    subjectType: 'sequence',
    subjectId: sequenceId,
    data,
  });
}
