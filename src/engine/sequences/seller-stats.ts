// A sequence's figures per seller (GET /api/sequences/{id}/stats/sellers): for each owner of its enrollments,
// how many records they had connected, how many still run and how the others ended. Read from the
// enrollment rows (owner, status, end reason), one grouped count (sequence-lifecycle.ts
// countEnrollmentsBySeller): an enrollment's owner is the seller who works it, and stays the one who had it
// when it ended (a record's new owner takes over only its running enrollments, record-lifecycle.ts), so each
// ended enrollment counts for the seller who worked it to its end.
//
// Not per seller: the email counters (sent, opened, clicked, replied, bounced). They are kept in step_stats
// per version and step, with no owner; a manual email merely completed leaves the same history row as one
// marked sent, so `sent` cannot be recounted per seller from rows. Opens and replies could (signal_step_firsts
// by the history row's owner), but that join measured 230–440 ms on SQLite and 310–390 ms on PostgreSQL
// (which scans every history row of every sequence: enrollment_steps has no sequence index) for 100,000
// enrollments of two history rows each, and rates without their `sent` would mislead.
import { END_REASONS, ENROLLMENT_STATUSES, type EndReason, zeroCounts } from '../../domain/enrollment.js';
import type { EngineDeps } from '../deps.js';
import { NotFoundError } from '../errors.js';
import { liveSequence } from './stored-sequence.js';

export interface SellerStatsRow {
  ownerId: string;
  /** The user's name (the id if the user cannot be read). */
  name: string;
  /** False for a user who has been disabled since: their figures stay. */
  activeUser: boolean;
  /** Every enrollment the seller has or had on the sequence, whatever its status. */
  enrolled: number;
  active: number;
  paused: number;
  completed: number;
  disconnected: number;
  error: number;
  endReasons: Record<EndReason, number>;
}

export interface SellerStatsView {
  /** The version these figures are of, or null for all versions together. */
  version: number | null;
  /** One row per seller with at least one enrollment, by name then id. */
  sellers: SellerStatsRow[];
}

export interface SellerStatsOptions {
  /** Only this version's enrollments; a version the sequence does not have is a 404. */
  version?: number | undefined;
  /** Only this seller's row (a salesperson sees their own). */
  ownerId?: string | undefined;
}

function emptyRow(ownerId: string): SellerStatsRow {
  return {
    ownerId,
    name: ownerId,
    activeUser: true,
    enrolled: 0,
    ...zeroCounts(ENROLLMENT_STATUSES),
    endReasons: zeroCounts(END_REASONS),
  };
}

export async function getSellerStats(
  deps: EngineDeps,
  id: string,
  options: SellerStatsOptions = {},
): Promise<SellerStatsView> {
  const sequence = await liveSequence(deps.store, id);
  const { version, ownerId } = options;
  if (version !== undefined) {
    const versions = await deps.store.sequences.listVersions(sequence.id);
    if (!versions.some((v) => v.version === version))
      throw new NotFoundError(`The sequence has no version ${version}.`);
  }
  const counts = await deps.store.sequenceLifecycle.countEnrollmentsBySeller(sequence.id, {
    version,
    ownerId,
  });

  const rows = new Map<string, SellerStatsRow>();
  for (const { ownerId: owner, status, endReason, count } of counts) {
    let row = rows.get(owner);
    if (row === undefined) {
      row = emptyRow(owner);
      rows.set(owner, row);
    }
    row.enrolled += count;
    row[status] += count;
    if (endReason !== null) row.endReasons[endReason] += count;
  }
  for (const user of await deps.store.users.getMany([...rows.keys()])) {
    const row = rows.get(user.id);
    if (row === undefined) continue;
    row.name = user.name;
    row.activeUser = !user.disabled;
  }
  const sellers = [...rows.values()].sort((a, b) =>
    a.name !== b.name
      ? a.name < b.name
        ? -1
        : 1
      : a.ownerId < b.ownerId
        ? -1
        : a.ownerId > b.ownerId
          ? 1
          : 0,
  );
  return { version: version ?? null, sellers };
}
