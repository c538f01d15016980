// connect's bulk path in the store: many new enrollments built from a few shared start shapes
// (src/engine/connect-bulk.ts). One transaction, as `engine.commit`: the sequence guard, the record
// deletions guard (members whose record was deleted since connect read it are dropped), the enrollment
// rows (enrollments_one_running_key refuses a running record: ON CONFLICT DO NOTHING), then the history,
// outbox, field and counter rows of the members that landed. The enrollment, history and outbox rows
// are joined in SQL from the members and the few shapes by the dialect's start writes
// (`EngineSql.startWrites`: `<db>-start-writes.ts`), never built here row by row; fields and counters go
// through the commit writes (`<db>-engine-writes.ts`). No per-record commit.
import type { Kysely } from 'kysely';
import type {
  CommitOptions,
  CommitResult,
  EnrollmentStartRepository,
  StartBatch,
  StartMember,
  StatDelta,
} from '../../engine/ports/store.js';
import type { RepositoryContext } from '../repositories/context.js';
import type { Database } from '../schema.js';
import {
  type EngineSql,
  recordsDeletedSince,
  runSql,
  sequenceIsLive,
  withoutDeletedRecords,
} from './engine-sql.js';
import { type RecordFieldPatch, splitFieldPatch, writeRecordFields } from './record-field-writes.js';

/** The writes of the members in `landed` (`'all'`: every one), one call per table, as `engine.commit` makes them. */
async function writeLanded(
  trx: Kysely<Database>,
  sql: EngineSql,
  batch: StartBatch,
  landed: ReadonlySet<string> | 'all',
): Promise<void> {
  // null: every member landed.
  const some = landed === 'all' || landed.size === batch.members.length ? null : landed;
  const members: StartMember[] = some === null ? batch.members : [];
  const fields: { recordId: string; patch: RecordFieldPatch; at: number }[] = [];
  const counts: number[] = batch.shapes.map(() => 0);
  const patches = batch.shapes.map((shape) =>
    shape.fields.length === 0
      ? null
      : splitFieldPatch(Object.fromEntries(shape.fields.map((f) => [f.field, f.value]))),
  );
  for (const m of batch.members) {
    if (some !== null && !some.has(m.enrollmentId)) continue;
    counts[m.shape] = (counts[m.shape] as number) + 1;
    if (some !== null) members.push(m);
    const patch = patches[m.shape];
    if (patch !== null && patch !== undefined)
      fields.push({ recordId: m.recordId, patch, at: batch.startedAt });
  }
  const stats = new Map<string, StatDelta>();
  batch.shapes.forEach((shape, i) => {
    const count = counts[i] as number;
    if (count === 0) return;
    for (const d of shape.stats) {
      const key = `${d.sequenceId}\u0000${d.version}\u0000${d.stepId}\u0000${d.counter}`;
      const seen = stats.get(key);
      if (seen === undefined) stats.set(key, { ...d, by: d.by * count });
      else seen.by += d.by * count;
    }
  });
  await sql.startWrites.insertSteps(trx, batch, members);
  await sql.startWrites.insertOutbox(trx, batch, members);
  await writeRecordFields(trx, sql, fields);
  // In key order, as engine.commit: concurrent writers take the counters' row locks alike.
  await sql.writes.upsertStats(
    trx,
    [...stats.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d),
  );
}

/**
 * `batch` without the members whose record was deleted since `recordsLive.asOf` (their enrollment ids in
 * `recordsGone`): a new batch object, which every later write of the transaction must be given (SQLite's
 * staging is keyed by it).
 */
async function withoutGoneRecords(
  trx: Kysely<Database>,
  sql: EngineSql,
  batch: StartBatch,
  recordsLive: CommitOptions['recordsLive'],
): Promise<{ batch: StartBatch; recordsGone: string[] }> {
  if (recordsLive === undefined || !(await recordsDeletedSince(trx, sql, recordsLive.asOf)))
    return { batch, recordsGone: [] };
  const { kept, gone } = await withoutDeletedRecords(trx, sql, batch.members, (m) => m.recordId);
  return gone.length === 0
    ? { batch, recordsGone: [] }
    : { batch: { ...batch, members: kept }, recordsGone: gone };
}

export function createEnrollmentStartRepository(
  context: RepositoryContext,
  sql: EngineSql,
): EnrollmentStartRepository {
  return {
    startMany(given, options): Promise<CommitResult> {
      return context.atomically(async (trx) => {
        if (options.sequenceLive !== undefined && !(await sequenceIsLive(trx, sql, options.sequenceLive)))
          return { written: [], stale: [], alreadyEnrolled: [], sequenceNotLive: true };
        const { batch, recordsGone } = await withoutGoneRecords(trx, sql, given, options.recordsLive);
        const landed = await sql.startWrites.insertEnrollments(trx, batch);
        const alreadyEnrolled: string[] = [];
        let written: string[];
        if (landed === 'all') written = batch.members.map((m) => m.enrollmentId);
        else {
          written = [];
          for (const { enrollmentId: id } of batch.members)
            (landed.has(id) ? written : alreadyEnrolled).push(id);
        }
        await writeLanded(trx, sql, batch, landed);
        if (options.notify && sql.notifyWork !== null && written.length > 0)
          await runSql(trx, sql.notifyWork, []);
        return { written, stale: [], alreadyEnrolled, recordsGone };
      });
    },
  };
}
