// The engine's hot-path statements over raw SQL (no query builder on the hot path). Reads are written
// once for both dialects with the dialect's placeholders; a commit's writes are the dialect's own
// (`<db>-engine-writes.ts`: unnest arrays on PostgreSQL, a prepared statement per row on SQLite). A
// commit is set-based: fence every update first, insert new enrollments, then write the history,
// outbox, field, stats and audit rows of the commits that landed only, one write per table.
import type { Kysely } from 'kysely';
import { type EntityType, MANUAL_ACTIVITY_TYPES } from '../../domain/definition.js';
import { type EnrollmentState, isEnded } from '../../domain/enrollment.js';
import type {
  AuditEntry,
  CommitOptions,
  CommitResult,
  EngineEnrollment,
  EngineRepository,
  EnrollmentCommit,
  OutboxRelease,
  RecordFields,
  StatDelta,
  StepHistoryInsert,
  StepHistoryPatch,
} from '../../engine/ports/store.js';
import type { RepositoryContext } from '../repositories/context.js';
import { RECORD_DELETIONS_KEY } from '../repositories/record-deletions.js';
import type { Database } from '../schema.js';
import {
  ENGINE_ENROLLMENT_COLUMNS,
  type EngineEnrollmentRow,
  type EngineSql,
  type EnrollmentInsertRow,
  type FenceRow,
  type FenceScope,
  type OutboxRow,
  Params,
  recordsDeletedSince,
  runSql,
  sequenceIsLive,
  WORK_CHANNEL,
  withoutDeletedRecords,
} from './engine-sql.js';
import { decodeState, encodeState, encodeStateOnce } from './enrollment-state-codec.js';
import { splitFieldPatch, writeRecordFields } from './record-field-writes.js';

const RUNNING = `('active', 'paused')`;
/** enrollment_steps_scheduled_idx's predicate, literal so both planners match the partial index. */
const SCHEDULED_MANUAL = `state = 'waiting' AND type IN (${MANUAL_ACTIVITY_TYPES.map((t) => `'${t}'`).join(', ')})`;

function toEngineEnrollment(row: EngineEnrollmentRow): EngineEnrollment {
  return {
    id: row.id,
    sequenceId: row.sequence_id,
    sequenceVersion: row.sequence_version,
    recordId: row.record_id,
    ownerId: row.owner_id,
    state: decodeState(row),
    version: row.version,
    startedAt: row.started_at,
  };
}

function fenceScope(before: EnrollmentState, after: EnrollmentState, endedAt: number | null): FenceScope {
  if (before.status !== after.status || before.endReason !== after.endReason || endedAt !== null)
    return 'full';
  if (before.stepId !== after.stepId || before.dueAt !== after.dueAt) return 'move';
  return 'state';
}

/**
 * What a field condition reads: the custom fields, and the record's own properties under their API names
 * (what an `update_field` step naming one writes: record-field-writes.ts). A property that is empty leaves
 * a custom field of the same name (written by an `update_field` before properties were columns) in view.
 */
function conditionFields(row: {
  fields?: string;
  name?: string;
  email?: string | null;
  phone?: string | null;
  linkedin_url?: string | null;
  company?: string | null;
  timezone: string | null;
}): RecordFields {
  const fields = JSON.parse(row.fields ?? '{}') as Record<string, unknown>;
  const columns: Record<string, string | null | undefined> = {
    name: row.name,
    email: row.email,
    phone: row.phone,
    linkedinUrl: row.linkedin_url,
    company: row.company,
    timezone: row.timezone,
  };
  for (const [field, value] of Object.entries(columns))
    if (value !== null && value !== undefined) fields[field] = value;
  return fields as RecordFields;
}

export function createEngineRepository(
  context: RepositoryContext,
  engineSql: EngineSql,
  listen: ((channel: string, onNotify: () => void) => Promise<() => Promise<void>>) | null,
): EngineRepository {
  const { db } = context;

  const writes = engineSql.writes;

  function fenceRow(commit: EnrollmentCommit): FenceRow {
    if (commit.target.type !== 'update') throw new Error('fence() takes updates only');
    const row = commit.target.row;
    const c = encodeStateOnce(row.state);
    return {
      id: row.id,
      expected: row.expectedVersion,
      scope: fenceScope(row.before, row.state, row.endedAt),
      status: c.status,
      endReason: c.end_reason,
      currentStepId: c.current_step_id,
      dueAt: c.due_at,
      state: c.state,
      endedAt: row.endedAt,
    };
  }

  /** The record of an insert commit (a connect, or an advance's follow-on); null for an update. */
  const insertedRecord = (commit: EnrollmentCommit): string | null =>
    commit.target.type === 'insert' ? commit.target.row.recordId : null;

  function insertRow(commit: EnrollmentCommit): EnrollmentInsertRow {
    if (commit.target.type !== 'insert') throw new Error('insertEnrollments() takes inserts only');
    const row = commit.target.row;
    const c = encodeState(row.state);
    return {
      id: row.id,
      sequenceId: row.sequenceId,
      sequenceVersion: row.sequenceVersion,
      recordId: row.recordId,
      ownerId: row.ownerId,
      status: c.status,
      endReason: c.end_reason,
      currentStepId: c.current_step_id,
      dueAt: c.due_at,
      state: c.state,
      startedAt: row.startedAt,
      endedAt: row.endedAt,
      exclusiveSlot: isEnded(row.state) ? null : row.exclusiveSlot,
    };
  }

  /**
   * The commits but the inserts whose record was deleted since `recordsLive.asOf` (their enrollment ids in
   * `recordsGone`; their follow-ons are the same record's and go with them).
   */
  async function withoutGoneRecords(
    trx: Kysely<Database>,
    commits: readonly EnrollmentCommit[],
    recordsLive: CommitOptions['recordsLive'],
  ): Promise<{ kept: readonly EnrollmentCommit[]; recordsGone: string[] }> {
    if (recordsLive === undefined || !(await recordsDeletedSince(trx, engineSql, recordsLive.asOf)))
      return { kept: commits, recordsGone: [] };
    const { kept, gone } = await withoutDeletedRecords(trx, engineSql, commits, insertedRecord);
    return { kept, recordsGone: gone };
  }

  /**
   * Counter deltas summed per key, in key order: concurrent writers take the counters' row locks in the
   * same order (step_stats pkey), for a commit's rows and for addStats alike.
   */
  function statsInKeyOrder(deltas: readonly StatDelta[]): StatDelta[] {
    const sums = new Map<string, StatDelta>();
    for (const d of deltas) {
      const key = `${d.sequenceId}\u0000${d.version}\u0000${d.stepId}\u0000${d.counter}`;
      const seen = sums.get(key);
      if (seen === undefined) sums.set(key, { ...d });
      else seen.by += d.by;
    }
    return [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
  }

  /** History, outbox, field, counter and audit rows of the commits that landed, one write per table. */
  async function writeRows(trx: Kysely<Database>, landed: EnrollmentCommit[]): Promise<void> {
    const steps: StepHistoryInsert[] = [];
    const patches: StepHistoryPatch[] = [];
    const outbox: OutboxRow[] = [];
    const drops: string[] = [];
    const holds: string[] = [];
    const releases: OutboxRelease[] = [];
    const audit: AuditEntry[] = [];
    // A record's field writes of this commit, merged in order into one patch.
    const fields = new Map<string, { patch: Record<string, unknown>; at: number }>();
    for (const c of landed) {
      for (const s of c.steps) steps.push(s);
      for (const s of c.stepPatches) patches.push(s);
      for (const o of c.outbox)
        outbox.push({
          id: o.id,
          idempotencyKey: o.idempotencyKey,
          kind: o.kind,
          payload: JSON.stringify(o.payload),
          availableAt: o.availableAt,
          createdAt: o.createdAt,
        });
      for (const k of c.outboxDrops) drops.push(k);
      for (const k of c.outboxHolds) holds.push(k);
      for (const r of c.outboxReleases) releases.push(r);
      for (const a of c.audit) audit.push(a);
      for (const f of c.fields) {
        const seen = fields.get(f.recordId);
        if (seen === undefined) fields.set(f.recordId, { patch: { [f.field]: f.value }, at: f.at });
        else {
          seen.patch[f.field] = f.value;
          seen.at = Math.max(seen.at, f.at);
        }
      }
    }
    await writes.insertSteps(trx, steps);
    await writes.patchSteps(trx, patches);
    await writes.insertOutbox(trx, outbox);
    await writes.dropOutbox(trx, drops);
    await writes.holdOutbox(trx, holds);
    await writes.releaseOutbox(trx, releases);
    await writeRecordFields(
      trx,
      engineSql,
      [...fields].map(([recordId, f]) => ({ recordId, patch: splitFieldPatch(f.patch), at: f.at })),
    );
    await writes.upsertStats(trx, statsInKeyOrder(landed.flatMap((c) => c.stats)));
    await writes.insertAudit(trx, audit);
  }

  return {
    async addStats(deltas) {
      await writes.upsertStats(db, statsInKeyOrder(deltas));
    },

    async claimDue(now, limit, leaseOwner, leaseUntil) {
      const rows = await engineSql.claimDue(db, now, limit, leaseOwner, leaseUntil);
      return rows.map(toEngineEnrollment);
    },

    async nextDueAt() {
      // enrollments_due_idx: MIN over a partial index is one descent.
      const rows = await runSql<{ due_at: number | null }>(
        db,
        `SELECT MIN(due_at) AS due_at FROM enrollments WHERE status = 'active' AND due_at IS NOT NULL`,
        [],
      );
      const value = rows[0]?.due_at;
      return value === undefined || value === null ? null : Number(value);
    },

    async load(ids) {
      if (ids.length === 0) return [];
      const p = new Params(engineSql);
      const rows = await runSql<EngineEnrollmentRow>(
        db,
        `SELECT ${ENGINE_ENROLLMENT_COLUMNS} FROM enrollments WHERE ${engineSql.inIds(p, 'id', [...new Set(ids)])}`,
        p.values,
      );
      return rows.map(toEngineEnrollment);
    },

    async loadRecords(ids, withFields) {
      if (ids.length === 0) return [];
      // records pkey, one statement for any number of ids (engineSql.inIds). Not deduplicated: IN matches
      // a row once however often its id is listed (a Set of connect's 100,000 ids cost ~10 ms).
      const p = new Params(engineSql);
      const rows = await runSql<{
        id: string;
        type: string;
        owner_id: string;
        timezone: string | null;
        fields?: string;
        name?: string;
        email?: string | null;
        phone?: string | null;
        linkedin_url?: string | null;
        company?: string | null;
      }>(
        db,
        `SELECT id, type, owner_id, timezone${withFields ? ', fields, name, email, phone, linkedin_url, company' : ''} FROM records
          WHERE ${engineSql.inIds(p, 'id', ids)} AND deleted_at IS NULL`,
        p.values,
      );
      return rows.map((row) => ({
        id: row.id,
        type: row.type as EntityType,
        ownerId: row.owner_id,
        timezone: row.timezone,
        fields: row.fields === undefined ? null : conditionFields(row),
      }));
    },

    async runningSlots(recordIds) {
      if (recordIds.length === 0) return [];
      const p = new Params(engineSql);
      // enrollments_one_running_key (only running rows are in it). Ids not deduplicated, as loadRecords.
      const rows = await runSql<{
        id: string;
        record_id: string;
        sequence_id: string;
        exclusive_slot: string;
      }>(
        db,
        `SELECT id, record_id, sequence_id, exclusive_slot FROM enrollments
          WHERE ${engineSql.inIds(p, 'record_id', recordIds)} AND exclusive_slot IS NOT NULL`,
        p.values,
      );
      return rows.map((row) => ({
        enrollmentId: row.id,
        recordId: row.record_id,
        sequenceId: row.sequence_id,
        slot: row.exclusive_slot,
      }));
    },

    async runningIdsOfSequence(sequenceId, afterId, limit) {
      const p = new Params(engineSql);
      const seq = p.add(sequenceId);
      const after = afterId === null ? '' : ` AND id > ${p.add(afterId)}`;
      const lim = p.add(limit, 'int');
      // enrollments_sequence_status_idx (sequence_id, status, id): two ranges, merged by id.
      const rows = await runSql<{ id: string }>(
        db,
        `SELECT id FROM enrollments WHERE sequence_id = ${seq} AND status IN ${RUNNING}${after} ORDER BY id LIMIT ${lim}`,
        p.values,
      );
      return rows.map((row) => row.id);
    },

    async userStamps(ids) {
      if (ids.length === 0) return [];
      // users pkey; one statement text for any number of ids (engineSql.inIds).
      const p = new Params(engineSql);
      const rows = await runSql<{ id: string; updated_at: number }>(
        db,
        `SELECT id, updated_at FROM users WHERE ${engineSql.inIds(p, 'id', [...new Set(ids)])}`,
        p.values,
      );
      return rows.map((row) => ({ id: row.id, updatedAt: Number(row.updated_at) }));
    },

    async scheduledStepEnrollments(ownerId, after) {
      const p = new Params(engineSql);
      // enrollment_steps_scheduled_idx (owner_id, due_at, id): one range, its partial predicate literal.
      // Not DISTINCT in SQL: PostgreSQL would then sort by enrollment and may take another index.
      const rows = await runSql<{ enrollment_id: string }>(
        db,
        `SELECT enrollment_id FROM enrollment_steps
          WHERE owner_id = ${p.add(ownerId)} AND ${SCHEDULED_MANUAL} AND due_at > ${p.add(after, 'bigint')}`,
        p.values,
      );
      return [...new Set(rows.map((row) => row.enrollment_id))];
    },

    async commit(commits, options): Promise<CommitResult> {
      if (commits.length === 0) return { written: [], stale: [], alreadyEnrolled: [] };
      return context.atomically(async (trx) => {
        if (
          options.sequenceLive !== undefined &&
          !(await sequenceIsLive(trx, engineSql, options.sequenceLive))
        )
          return { written: [], stale: [], alreadyEnrolled: [], sequenceNotLive: true };
        const { kept, recordsGone } = await withoutGoneRecords(trx, commits, options.recordsLive);
        const updates = kept
          .filter((c) => c.target.type === 'update')
          .sort((a, b) => (a.enrollmentId < b.enrollmentId ? -1 : 1));
        const fenced = await writes.fence(trx, updates.map(fenceRow));
        const landed: EnrollmentCommit[] = [];
        const stale: string[] = [];
        const alreadyEnrolled: string[] = [];
        for (const c of updates) {
          if (fenced.has(c.enrollmentId)) landed.push(c);
          else stale.push(c.enrollmentId);
        }
        // Inserts (connect), then the follow-ons of what landed, level by level: an advance frees its
        // slot (the fence above) before the next sequence's enrollment takes it.
        let inserts = kept.filter((c) => c.target.type === 'insert');
        let parents = landed.slice();
        let deletionsLocked = false;
        for (let level = 0; level < 16; level++) {
          let follow = parents.flatMap((c) => c.follow);
          if (follow.length > 0) {
            // An advance starts its record's next enrollment from a record read before this transaction.
            // With the record deletions stamp share-locked (record-deletions.ts), a deletion that committed
            // meanwhile is seen here and a later one waits for this commit, so its "end the record's
            // running enrollments" sees the new one: never a running enrollment on a deleted record.
            if (!deletionsLocked) {
              await runSql(trx, engineSql.recordDeletionsGuard, [RECORD_DELETIONS_KEY]);
              deletionsLocked = true;
            }
            const { kept: live, gone } = await withoutDeletedRecords(trx, engineSql, follow, insertedRecord);
            follow = live;
            recordsGone.push(...gone);
          }
          const next = [...inserts, ...follow];
          if (next.length === 0) break;
          const inserted = await writes.insertEnrollments(trx, next.map(insertRow));
          parents = [];
          for (const c of next) {
            if (inserted.has(c.enrollmentId)) {
              landed.push(c);
              parents.push(c);
            } else alreadyEnrolled.push(c.enrollmentId);
          }
          inserts = [];
        }
        await writeRows(trx, landed);
        if (options.notify && engineSql.notifyWork !== null && landed.length > 0) {
          await runSql(trx, engineSql.notifyWork, []);
        }
        return { written: landed.map((c) => c.enrollmentId), stale, alreadyEnrolled, recordsGone };
      });
    },

    async stepStats(sequenceId) {
      const p = new Params(engineSql);
      const rows = await runSql<{ version: number; step_id: string; counter: string; value: number }>(
        db,
        `SELECT version, step_id, counter, value FROM step_stats WHERE sequence_id = ${p.add(sequenceId)}
          ORDER BY version, step_id, counter`,
        p.values,
      );
      return rows.map((r) => ({
        version: r.version,
        stepId: r.step_id,
        counter: r.counter,
        value: Number(r.value),
      }));
    },

    async listenForWork(onWork) {
      if (listen === null) return null;
      return listen(WORK_CHANNEL, onWork);
    },
  };
}
