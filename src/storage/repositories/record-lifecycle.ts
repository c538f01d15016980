// A record's owner change, with its running enrollments and their unfinished steps, in one transaction.
// `moveRunningWork` is the one owner-change write every path runs inside its own transaction: this
// repository's changeOwner (PATCH), a records update that names an owner, and the bulk upsert / CSV import.
import type { Kysely } from 'kysely';
import type { RecordLifecycleRepository } from '../../engine/ports/store.js';
import type { DialectSql } from '../dialect.js';
import type { Database } from '../schema.js';
import type { RepositoryContext } from './context.js';

/**
 * The step rows that are still work: `open` (in the work list) and `waiting` (a wait, a manual step
 * scheduled for later, or a snoozed one). Finished rows (`completed`, `skipped`, `cancelled`, `failed`)
 * keep the owner they had when they finished: they are the history of who had the step, nothing acts on
 * them any more (a seller's step actions are checked against the record's current owner), and rewriting
 * them would lose that history.
 */
const UNFINISHED_STEP_STATES = ['open', 'waiting'] as const;

/**
 * Gives the running enrollments of `recordIds` and their unfinished step rows to `ownerId`. Call it in
 * the transaction that sets the records' owner. Returns the enrollments whose owner changed.
 *
 * The enrollments' version bump fences out a transition loaded with the old owner: it re-reads, so the
 * steps it enters go to the new one. Steps keep their due times here: the engine then places the ones
 * the previous owner's calendar placed in the new owner's, in the same transaction (the returned ids;
 * src/engine/owner-calendar.ts), as only it runs transitions.
 * enrollments_one_running_key (record_id prefix) finds the running enrollments,
 * enrollment_steps_enrollment_idx their step rows.
 */
export async function moveRunningWork(
  db: Kysely<Database>,
  dialectSql: DialectSql,
  recordIds: readonly string[],
  ownerId: string,
): Promise<{ enrollmentId: string; recordId: string }[]> {
  const ids = [...new Set(recordIds)];
  if (ids.length === 0) return [];
  const moved = await db
    .updateTable('enrollments')
    .set((eb) => ({ owner_id: ownerId, version: eb('version', '+', 1) }))
    .where((eb) => dialectSql.inIds(eb.ref('record_id'), ids))
    .where('exclusive_slot', 'is not', null)
    .where('owner_id', '<>', ownerId)
    .returning(['id', 'record_id'])
    .execute();
  // All running enrollments of the records, not only those just moved: steps an earlier owner change
  // left behind (before steps followed their record) go to the owner too.
  await db
    .updateTable('enrollment_steps')
    .set({ owner_id: ownerId })
    .where('enrollment_id', 'in', (eb) =>
      eb
        .selectFrom('enrollments')
        .select('id')
        .where((inner) => dialectSql.inIds(inner.ref('record_id'), ids))
        .where('exclusive_slot', 'is not', null),
    )
    .where('state', 'in', UNFINISHED_STEP_STATES)
    .where('owner_id', '<>', ownerId)
    .execute();
  return moved
    .map((row) => ({ enrollmentId: row.id, recordId: row.record_id }))
    .sort((a, b) => (a.enrollmentId < b.enrollmentId ? -1 : a.enrollmentId > b.enrollmentId ? 1 : 0));
}

export function createRecordLifecycleRepository({
  atomically,
  sql,
}: RepositoryContext): RecordLifecycleRepository {
  return {
    changeOwner(recordId, ownerId, at) {
      return atomically(async (trx) => {
        const record = await trx
          .updateTable('records')
          .set({ owner_id: ownerId, updated_at: at })
          .where('id', '=', recordId)
          .where('deleted_at', 'is', null)
          .returning('id')
          .executeTakeFirst();
        if (record === undefined) return null;
        const moved = await moveRunningWork(trx, sql, [recordId], ownerId);
        return { enrollmentIds: moved.map((m) => m.enrollmentId) };
      });
    },
  };
}
