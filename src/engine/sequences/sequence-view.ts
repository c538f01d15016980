// Reading sequences as api.md shows them: one sequence, a filtered page of them, and its versions.
// Times stay epoch milliseconds, as everywhere in the engine; the API writes them as ISO 8601.
import type { EntityType, SequenceDefinition } from '../../domain/definition.js';
import { type SequenceSummary, summarize } from '../../domain/summary.js';
import type { EngineDeps } from '../deps.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import {
  type Page,
  type Sequence,
  type SequenceListOptions,
  type SequenceStatus,
  type SequenceVersion,
  type Store,
  StoreValidationError,
} from '../ports/store.js';
import { liveSequence, storedVersion } from './stored-sequence.js';

export interface SequenceView {
  id: string;
  name: string;
  description: string | null;
  entityType: EntityType;
  status: SequenceStatus;
  /** The version shown and edited: the draft while inactive or in revision, the active one while active. */
  version: number;
  ownerId: string;
  definition: SequenceDefinition;
  summary: SequenceSummary;
  /** Records connected now (running enrollments of every version). */
  enrolledCount: number;
  tags: string[];
  /** The version new connections get; null while inactive. */
  activeVersion: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface SequenceVersionView {
  version: number;
  description: string | null;
  /** When it was first activated; null for a draft never activated. */
  activatedAt: number | null;
  createdAt: number;
  /** Records running on this version now. */
  enrolledCount: number;
}

/** One version with its steps: what it ran (or runs), read-only. */
export interface SequenceVersionDetail extends SequenceVersionView {
  definition: SequenceDefinition;
  summary: SequenceSummary;
}

/** The version a view shows (see SequenceView.version). */
export function shownVersion(sequence: Sequence): number {
  return sequence.status === 'active'
    ? (sequence.activeVersion ?? sequence.draftVersion)
    : sequence.draftVersion;
}

export function toSequenceView(
  sequence: Sequence,
  version: SequenceVersion,
  enrolledCount: number,
): SequenceView {
  return {
    id: sequence.id,
    name: sequence.name,
    description: sequence.description,
    entityType: sequence.entityType,
    status: sequence.status,
    version: version.version,
    ownerId: sequence.ownerId,
    definition: version.definition,
    summary: summarize(version.definition),
    enrolledCount,
    tags: sequence.tags,
    activeVersion: sequence.activeVersion,
    createdAt: sequence.createdAt,
    updatedAt: sequence.updatedAt,
  };
}

/** The view of a sequence just read or written through `store` (a transaction's, inside one). */
export async function viewOf(store: Store, sequence: Sequence): Promise<SequenceView> {
  const version = await storedVersion(store, sequence.id, shownVersion(sequence));
  const counts = await store.sequenceLifecycle.countRunningEnrollments([sequence.id]);
  return toSequenceView(sequence, version, counts.get(sequence.id) ?? 0);
}

export async function getSequence(deps: EngineDeps, id: string): Promise<SequenceView> {
  return viewOf(deps.store, await liveSequence(deps.store, id));
}

export type ListSequencesOptions = SequenceListOptions;

export async function listSequences(
  deps: EngineDeps,
  options: ListSequencesOptions = {},
): Promise<Page<SequenceView>> {
  let page: Page<Sequence>;
  try {
    page = await deps.store.sequences.list(options);
  } catch (error) {
    if (error instanceof StoreValidationError) {
      throw new BadRequestError(
        error.message,
        error.issues.map((issue) => ({ code: issue.code, path: '/cursor', message: issue.message })),
      );
    }
    throw error;
  }
  // Two batched reads per page, whatever its size: the shown versions and the connected counts.
  const versions = await deps.store.sequenceLifecycle.getVersions(
    page.items.map((sequence) => ({ sequenceId: sequence.id, version: shownVersion(sequence) })),
  );
  const byKey = new Map(versions.map((version) => [`${version.sequenceId}/${version.version}`, version]));
  const counts = await deps.store.sequenceLifecycle.countRunningEnrollments(page.items.map((s) => s.id));
  const items = page.items.flatMap((sequence) => {
    const version = byKey.get(`${sequence.id}/${shownVersion(sequence)}`);
    return version === undefined ? [] : [toSequenceView(sequence, version, counts.get(sequence.id) ?? 0)];
  });
  return { items, nextCursor: page.nextCursor };
}

/** Oldest first. */
/** One version of a live sequence, with its definition (any version: an old one, the active, a draft). */
export async function getVersion(
  deps: EngineDeps,
  id: string,
  version: number,
): Promise<SequenceVersionDetail> {
  const sequence = await liveSequence(deps.store, id);
  const stored = await deps.store.sequences.getVersion(sequence.id, version);
  if (stored === null) throw new NotFoundError(`Sequence ${sequence.id} has no version ${version}.`);
  const running = await deps.store.sequenceLifecycle.countRunningEnrollmentsByVersion(sequence.id);
  return {
    version: stored.version,
    description: stored.description,
    activatedAt: stored.activatedAt,
    createdAt: stored.createdAt,
    enrolledCount: running.get(stored.version) ?? 0,
    definition: stored.definition,
    summary: summarize(stored.definition),
  };
}

export async function listVersions(deps: EngineDeps, id: string): Promise<SequenceVersionView[]> {
  const sequence = await liveSequence(deps.store, id);
  const versions = await deps.store.sequences.listVersions(sequence.id);
  const running = await deps.store.sequenceLifecycle.countRunningEnrollmentsByVersion(sequence.id);
  return versions.map((version) => ({
    version: version.version,
    description: version.description,
    activatedAt: version.activatedAt,
    createdAt: version.createdAt,
    enrolledCount: running.get(version.version) ?? 0,
  }));
}
