// Bulk upsert of records by externalId (api.md: `POST /api/records/bulk` and the CSV import). The store
// writes every row in one transaction; an update that names another owner gives the record's running
// enrollments and their unfinished steps to that owner in the same transaction, as a single owner change
// does (record-lifecycle.ts), their scheduled steps placed in that owner's calendar (owner-calendar.ts),
// and each such change is audited as `record.owner_changed` like one.
import type { EngineDeps } from './deps.js';
import { withOwnerCalendar } from './owner-calendar.js';
import type { RecordUpsert, RecordUpsertResult } from './ports/store.js';
import { auditOwnerChange, recordFieldsChanged, recordTimezoneChanged } from './record-lifecycle.js';
import type { EngineActor } from './seller-actions.js';

/** One result per row, in input order. Who may upsert, and which owners a row may name, is the caller's check. */
export async function upsertRecordBatch(
  deps: EngineDeps,
  actor: EngineActor,
  rows: readonly RecordUpsert[],
): Promise<RecordUpsertResult[]> {
  if (rows.length === 0) return [];
  const now = deps.clock.now();
  const results = await withOwnerCalendar(
    deps,
    (tx) => tx.records.upsertMany(rows, now),
    (written) =>
      written.flatMap((r) =>
        r.outcome === 'updated' && r.ownerChange !== undefined ? r.ownerChange.enrollmentIds : [],
      ),
  );
  for (const result of results) {
    if (result.outcome !== 'updated' || result.ownerChange === undefined) continue;
    await auditOwnerChange(deps, actor, now, result.id, result.ownerChange);
  }
  // Updated records whose row carried fields: a waiting condition may now hold.
  await recordFieldsChanged(
    deps,
    results.flatMap((result, i) =>
      result.outcome === 'updated' && rows[i]?.fields !== undefined ? [result.id] : [],
    ),
  );
  // Updated records whose row carried a time zone: a waiting email is placed again in it.
  await recordTimezoneChanged(
    deps,
    results.flatMap((result, i) =>
      result.outcome === 'updated' && rows[i]?.timezone !== undefined ? [result.id] : [],
    ),
  );
  return results;
}
