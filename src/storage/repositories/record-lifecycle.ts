// A record's owner change, with its running enrollments, in one transaction.
import type { RecordLifecycleRepository } from '../../engine/ports/store.js';
import type { RepositoryContext } from './context.js';

export function createRecordLifecycleRepository({
  atomically,
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
        // Running enrollments (enrollments_one_running_key's prefix). The version bump fences out a
        // transition loaded with the old owner: it re-reads, so steps it enters go to the new one.
        const rows = await trx
          .updateTable('enrollments')
          .set((eb) => ({ owner_id: ownerId, version: eb('version', '+', 1) }))
          .where('record_id', '=', recordId)
          .where('exclusive_slot', 'is not', null)
          .returning('id')
          .execute();
        return { enrollmentIds: rows.map((row) => row.id).sort() };
      });
    },
  };
}
