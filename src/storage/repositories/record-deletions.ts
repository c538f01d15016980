// The record deletions stamp: a settings row (seeded by migration 0012) counting record deletions. Every
// soft delete moves it on in its own transaction; connect reads it before it reads the records and again,
// share-locked, in its write transaction (engine-sql.ts `recordsDeletedSince`), so a deletion racing a
// connect is seen by one side or the other, without locking the connected records themselves.
import type { Kysely } from 'kysely';
import { fromJson, toJson } from '../codec.js';
import type { Database } from '../schema.js';

export const RECORD_DELETIONS_KEY = 'records:deletions';

/** The stamp's value as stored (JSON text of the count). */
export function deletionCount(value: string): number {
  return fromJson<number>(value);
}

export async function recordDeletionStamp(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', RECORD_DELETIONS_KEY)
    .executeTakeFirstOrThrow();
  return deletionCount(row.value);
}

/**
 * Moves the stamp on; inside the deletion's transaction, before the record's row is written. Locks as
 * sequence-lifecycle.ts `lockStatusChanges` does: the no-op write holds the row lock until commit
 * (PostgreSQL; SQLite's IMMEDIATE transaction already holds the write lock), so a second deletion waits
 * here and then reads what the first wrote (never the same count twice), and a connect holding the row
 * `FOR SHARE` makes the deletion wait for its enrollments to commit. The stamp before the record: a
 * connect locks the stamp and then may write its records' fields, so the reverse order could deadlock.
 */
export async function bumpRecordDeletions(trx: Kysely<Database>): Promise<void> {
  const locked = await trx
    .updateTable('settings')
    .set((eb) => ({ value: eb.ref('value') }))
    .where('key', '=', RECORD_DELETIONS_KEY)
    .returning('value')
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('settings')
    .set({ value: toJson(deletionCount(locked.value) + 1) })
    .where('key', '=', RECORD_DELETIONS_KEY)
    .execute();
}
