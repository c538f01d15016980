// connect's bulk path in the store: many new enrollments built from a few shared start shapes
// (src/engine/connect-bulk.ts). One transaction, as `engine.commit`: the sequence guard, the
// enrollment rows (enrollments_one_running_key refuses a running record: ON CONFLICT DO NOTHING),
// then the history, outbox, field and counter rows of the members that landed, through the dialect's
// commit writes (`<db>-engine-writes.ts`). Rows are made straight from the shapes: no per-record commit.
// Where the dialect joins the enrollment and history rows from members and shapes in SQL
// (`EngineSql.startWrites`: both dialects today), they are not built here at all.
import type { Kysely } from 'kysely';
import { isEnded } from '../../domain/enrollment.js';
import type {
  CommitResult,
  EnrollmentStartRepository,
  StartBatch,
  StartMember,
  StartShape,
  StatDelta,
  StepHistoryInsert,
} from '../../engine/ports/store.js';
import type { RepositoryContext } from '../repositories/context.js';
import type { Database } from '../schema.js';
import {
  type EngineSql,
  type EnrollmentInsertRow,
  type OutboxRow,
  runSql,
  sequenceIsLive,
} from './engine-sql.js';
import { encodeState } from './enrollment-state-codec.js';

function enrollmentRows(batch: StartBatch): EnrollmentInsertRow[] {
  const columns = batch.shapes.map((shape) => ({
    c: encodeState(shape.state),
    slot: isEnded(shape.state) ? null : batch.exclusiveSlot,
    endedAt: shape.endedAt,
  }));
  return batch.members.map((m) => {
    const { c, slot, endedAt } = columns[m.shape] as (typeof columns)[number];
    return {
      id: m.enrollmentId,
      sequenceId: batch.sequenceId,
      sequenceVersion: batch.version,
      recordId: m.recordId,
      ownerId: m.ownerId,
      status: c.status,
      endReason: c.end_reason,
      currentStepId: c.current_step_id,
      dueAt: c.due_at,
      state: c.state,
      startedAt: batch.startedAt,
      endedAt,
      exclusiveSlot: slot,
    };
  });
}

/** The writes of the members in `landed` (`'all'`: every one), one call per table, as `engine.commit` makes them. */
async function writeLanded(
  trx: Kysely<Database>,
  sql: EngineSql,
  batch: StartBatch,
  landed: ReadonlySet<string> | 'all',
): Promise<void> {
  // Built here only when the dialect does not join them from the shapes in SQL (sql.startWrites).
  const steps: StepHistoryInsert[] | null = sql.startWrites === undefined ? [] : null;
  // null: every member landed.
  const some = landed === 'all' || landed.size === batch.members.length ? null : landed;
  const members: StartMember[] = some === null ? batch.members : [];
  const outbox: OutboxRow[] | null = sql.startWrites?.insertOutbox === undefined ? [] : null;
  const fields: { recordId: string; patch: string; at: number }[] = [];
  const counts: number[] = batch.shapes.map(() => 0);
  const patches = batch.shapes.map((shape) =>
    shape.fields.length === 0
      ? null
      : JSON.stringify(Object.fromEntries(shape.fields.map((f) => [f.field, f.value]))),
  );
  for (const m of batch.members) {
    if (some !== null && !some.has(m.enrollmentId)) continue;
    const shape = batch.shapes[m.shape] as StartShape;
    counts[m.shape] = (counts[m.shape] as number) + 1;
    if (steps === null) {
      if (some !== null) members.push(m);
    } else
      for (const t of shape.steps) {
        // Every field spelled out: one object shape for all rows (no spread of 100,000 templates).
        steps.push({
          id: m.enrollmentId + t.idSuffix,
          enrollmentId: m.enrollmentId,
          stepId: t.stepId,
          type: t.type,
          state: t.state,
          ownerId: m.ownerId,
          recordId: m.recordId,
          sequenceId: t.sequenceId,
          proposedDueAt: t.proposedDueAt,
          dueAt: t.dueAt,
          openedAt: t.openedAt,
          completedAt: t.completedAt,
          outcome: t.outcome,
          notes: t.notes,
          actorId: t.actorId,
        });
      }
    if (outbox !== null)
      for (let i = 0; i < shape.emails.length; i++) {
        const e = shape.emails[i] as StartShape['emails'][number];
        outbox.push({
          id: m.outboxIds[i] as string,
          idempotencyKey: m.enrollmentId + e.keySuffix,
          kind: e.kind,
          // The shape's payload keeps its key order: the member's ids overwrite its own in place.
          payload: JSON.stringify({
            ...e.payload,
            enrollmentId: m.enrollmentId,
            recordId: m.recordId,
            ownerId: m.ownerId,
          }),
          availableAt: e.availableAt,
          createdAt: e.createdAt,
        });
      }
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
  if (steps !== null) await sql.writes.insertSteps(trx, steps);
  else await sql.startWrites?.insertSteps(trx, batch, members);
  if (outbox !== null) await sql.writes.insertOutbox(trx, outbox);
  else await sql.startWrites?.insertOutbox?.(trx, batch, members);
  await sql.writes.mergeFields(trx, fields);
  // In key order, as engine.commit: concurrent writers take the counters' row locks alike.
  await sql.writes.upsertStats(
    trx,
    [...stats.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d),
  );
}

export function createEnrollmentStartRepository(
  context: RepositoryContext,
  sql: EngineSql,
): EnrollmentStartRepository {
  return {
    startMany(batch, options): Promise<CommitResult> {
      return context.atomically(async (trx) => {
        if (options.sequenceLive !== undefined && !(await sequenceIsLive(trx, sql, options.sequenceLive)))
          return { written: [], stale: [], alreadyEnrolled: [], sequenceNotLive: true };
        const landed =
          sql.startWrites === undefined
            ? await sql.writes.insertEnrollments(trx, enrollmentRows(batch))
            : await sql.startWrites.insertEnrollments(trx, batch);
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
        return { written, stale: [], alreadyEnrolled };
      });
    },
  };
}
