// The engine's hot-path statements, written once for both dialects over raw SQL (constant text per
// row count, so SQLite's statement cache and PostgreSQL's parser see few shapes) with the dialect's
// placeholders. A commit is set-based: fence every update first, insert new enrollments, then write the
// history, outbox, field, stats and audit rows of the commits that landed only.
import { CompiledQuery, type Kysely } from 'kysely';
import type { EntityType } from '../../domain/definition.js';
import { isEnded } from '../../domain/enrollment.js';
import type {
  CommitResult,
  EngineEnrollment,
  EngineRecord,
  EngineRepository,
  EnrollmentCommit,
  RecordFields,
  RunningSlot,
  StatDelta,
} from '../../engine/ports/store.js';
import type { RepositoryContext } from '../repositories/context.js';
import type { Database } from '../schema.js';
import {
  ENGINE_ENROLLMENT_COLUMNS,
  type EngineEnrollmentRow,
  type EngineSql,
  Params,
  WORK_CHANNEL,
} from './engine-sql.js';
import { decodeState, encodeState } from './enrollment-state-codec.js';

/** Rows per multi-row statement: under both dialects' parameter limits, and short enough to parse fast. */
const CHUNK = 400;
const RUNNING = `('active', 'paused')`;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

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

async function run<R>(db: Kysely<Database>, text: string, params: readonly unknown[]): Promise<R[]> {
  return (await db.executeQuery<R>(CompiledQuery.raw(text, params as unknown[]))).rows;
}

export function createEngineRepository(
  context: RepositoryContext,
  engineSql: EngineSql,
  listen: ((channel: string, onNotify: () => void) => Promise<() => Promise<void>>) | null,
): EngineRepository {
  const { db } = context;

  /** Fenced update (enrollments pkey): only rows still at the expected version change. */
  async function fence(trx: Kysely<Database>, commits: EnrollmentCommit[]): Promise<Set<string>> {
    const landed = new Set<string>();
    for (const chunk of chunks(commits)) {
      const p = new Params(engineSql);
      const values = chunk.map((commit) => {
        if (commit.target.type !== 'update') throw new Error('fence() takes updates only');
        const row = commit.target.row;
        const c = encodeState(row.state);
        return `(${p.add(row.id)}, ${p.add(row.expectedVersion, 'int')}, ${p.add(c.status)}, ${p.add(c.end_reason)}, ${p.add(c.current_step_id)}, ${p.add(c.due_at, 'bigint')}, ${p.add(c.state, 'json')}, ${p.add(row.endedAt, 'bigint')})`;
      });
      const rows = await run<{ id: string }>(
        trx,
        `WITH v (id, expected, status, end_reason, current_step_id, due_at, state, ended_at) AS (VALUES ${values.join(', ')})
         UPDATE enrollments
            SET status = v.status, end_reason = v.end_reason, current_step_id = v.current_step_id,
                due_at = v.due_at, state = v.state, ended_at = v.ended_at,
                exclusive_slot = CASE WHEN v.status IN ${RUNNING} THEN enrollments.exclusive_slot ELSE NULL END,
                lease_until = NULL, lease_owner = NULL, version = enrollments.version + 1
           FROM v
          WHERE enrollments.id = v.id AND enrollments.version = v.expected
         RETURNING enrollments.id`,
        p.values,
      );
      for (const row of rows) landed.add(row.id);
    }
    return landed;
  }

  /** New enrollments; enrollments_one_running_key is the arbiter (ON CONFLICT DO NOTHING). */
  async function insertEnrollments(trx: Kysely<Database>, commits: EnrollmentCommit[]): Promise<Set<string>> {
    const landed = new Set<string>();
    for (const chunk of chunks(commits)) {
      const p = new Params(engineSql);
      const values = chunk.map((commit) => {
        if (commit.target.type !== 'insert') throw new Error('insertEnrollments() takes inserts only');
        const row = commit.target.row;
        const c = encodeState(row.state);
        const slot = isEnded(row.state) ? null : row.exclusiveSlot;
        return `(${p.add(row.id)}, ${p.add(row.sequenceId)}, ${p.add(row.sequenceVersion, 'int')}, ${p.add(row.recordId)}, ${p.add(row.ownerId)}, ${p.add(c.status)}, ${p.add(c.end_reason)}, ${p.add(c.current_step_id)}, ${p.add(c.due_at, 'bigint')}, ${p.add(c.state, 'json')}, ${p.add(row.startedAt, 'bigint')}, ${p.add(row.endedAt, 'bigint')}, ${p.add(slot)})`;
      });
      const rows = await run<{ id: string }>(
        trx,
        `INSERT INTO enrollments (id, sequence_id, sequence_version, record_id, owner_id, status, end_reason,
                                  current_step_id, due_at, state, started_at, ended_at, exclusive_slot)
         VALUES ${values.join(', ')}
         ON CONFLICT DO NOTHING
         RETURNING id`,
        p.values,
      );
      for (const row of rows) landed.add(row.id);
    }
    return landed;
  }

  async function writeRows(trx: Kysely<Database>, landed: EnrollmentCommit[]): Promise<void> {
    const steps = landed.flatMap((c) => c.steps);
    for (const chunk of chunks(steps)) {
      const p = new Params(engineSql);
      const values = chunk.map(
        (s) =>
          `(${p.add(s.id)}, ${p.add(s.enrollmentId)}, ${p.add(s.stepId)}, ${p.add(s.type)}, ${p.add(s.state)}, ${p.add(s.ownerId)}, ${p.add(s.recordId)}, ${p.add(s.sequenceId)}, ${p.add(s.proposedDueAt, 'bigint')}, ${p.add(s.dueAt, 'bigint')}, ${p.add(s.openedAt, 'bigint')}, ${p.add(s.completedAt, 'bigint')}, ${p.add(s.outcome)}, ${p.add(s.notes)}, ${p.add(s.actorId)})`,
      );
      // No ON CONFLICT: the id is (enrollment, seq), and a second insert would be a bug the fence missed.
      await run(
        trx,
        `INSERT INTO enrollment_steps (id, enrollment_id, step_id, type, state, owner_id, record_id, sequence_id,
                                       proposed_due_at, due_at, opened_at, completed_at, outcome, notes, actor_id)
         VALUES ${values.join(', ')}`,
        p.values,
      );
    }

    const patches = landed.flatMap((c) => c.stepPatches);
    for (const chunk of chunks(patches)) {
      const p = new Params(engineSql);
      const values = chunk.map(
        (s) =>
          `(${p.add(s.id)}, ${p.add(s.state)}, ${p.add(s.dueAt, 'bigint')}, ${p.add(s.openedAt, 'bigint')}, ${p.add(s.completedAt, 'bigint')}, ${p.add(s.outcome)}, ${p.add(s.notes)}, ${p.add(s.actorId)})`,
      );
      // enrollment_steps pkey.
      await run(
        trx,
        `WITH v (id, state, due_at, opened_at, completed_at, outcome, notes, actor_id) AS (VALUES ${values.join(', ')})
         UPDATE enrollment_steps
            SET state = COALESCE(v.state, enrollment_steps.state),
                due_at = COALESCE(v.due_at, enrollment_steps.due_at),
                opened_at = COALESCE(v.opened_at, enrollment_steps.opened_at),
                completed_at = COALESCE(v.completed_at, enrollment_steps.completed_at),
                outcome = COALESCE(v.outcome, enrollment_steps.outcome),
                notes = COALESCE(v.notes, enrollment_steps.notes),
                actor_id = COALESCE(v.actor_id, enrollment_steps.actor_id)
           FROM v
          WHERE enrollment_steps.id = v.id`,
        p.values,
      );
    }

    const outbox = landed.flatMap((c) => c.outbox);
    for (const chunk of chunks(outbox)) {
      const p = new Params(engineSql);
      const values = chunk.map(
        (o) =>
          `(${p.add(o.id)}, ${p.add(o.idempotencyKey)}, ${p.add(o.kind)}, ${p.add(JSON.stringify(o.payload), 'json')}, 'pending', ${p.add(o.availableAt, 'bigint')}, ${p.add(o.createdAt, 'bigint')})`,
      );
      // outbox_idempotency_key_key: a retried step never queues a second message.
      await run(
        trx,
        `INSERT INTO outbox (id, idempotency_key, kind, payload, status, available_at, created_at)
         VALUES ${values.join(', ')}
         ON CONFLICT DO NOTHING`,
        p.values,
      );
    }

    const drops = landed.flatMap((c) => c.outboxDrops);
    for (const chunk of chunks(drops)) {
      const p = new Params(engineSql);
      const keys = chunk.map((key) => p.add(key));
      // outbox_idempotency_key_key; a row already handed to SMTP (sending, sent, send_unknown) stays.
      await run(
        trx,
        `UPDATE outbox SET status = 'dropped' WHERE idempotency_key IN (${keys.join(', ')}) AND status = 'pending'`,
        p.values,
      );
    }

    // Field updates are rare (update_field steps): one statement each, records pkey.
    for (const commit of landed) {
      for (const f of commit.fields) {
        const p = new Params(engineSql);
        const patch = p.add(JSON.stringify({ [f.field]: f.value }), 'json');
        const at = p.add(f.at, 'bigint');
        const id = p.add(f.recordId);
        await run(
          trx,
          `UPDATE records SET fields = ${engineSql.mergeJson('fields', patch)}, updated_at = ${at} WHERE id = ${id}`,
          p.values,
        );
      }
    }

    await upsertStats(
      trx,
      landed.flatMap((c) => c.stats),
    );

    const audit = landed.flatMap((c) => c.audit);
    for (const chunk of chunks(audit)) {
      const p = new Params(engineSql);
      const values = chunk.map(
        (a) =>
          `(${p.add(a.id)}, ${p.add(a.at, 'bigint')}, ${p.add(a.actorId)}, ${p.add(a.action)}, ${p.add(a.subjectType)}, ${p.add(a.subjectId)}, ${p.add(a.data === null ? null : JSON.stringify(a.data), 'json')})`,
      );
      await run(
        trx,
        `INSERT INTO audit_log (id, at, actor_id, action, subject_type, subject_id, data) VALUES ${values.join(', ')}`,
        p.values,
      );
    }
  }

  /**
   * One row per (sequence, version, step, counter) and batch, in key order: concurrent workers take the
   * counters' row locks in the same order, so they queue rather than deadlock (step_stats pkey).
   */
  async function upsertStats(trx: Kysely<Database>, deltas: StatDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    const sums = new Map<string, StatDelta>();
    for (const d of deltas) {
      const key = `${d.sequenceId}\u0000${d.version}\u0000${d.stepId}\u0000${d.counter}`;
      const seen = sums.get(key);
      if (seen === undefined) sums.set(key, { ...d });
      else seen.by += d.by;
    }
    const sorted = [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
    for (const chunk of chunks(sorted)) {
      const p = new Params(engineSql);
      const values = chunk.map(
        (d) =>
          `(${p.add(d.sequenceId)}, ${p.add(d.version, 'int')}, ${p.add(d.stepId)}, ${p.add(d.counter)}, ${p.add(d.by, 'bigint')})`,
      );
      await run(
        trx,
        `INSERT INTO step_stats (sequence_id, version, step_id, counter, value) VALUES ${values.join(', ')}
         ON CONFLICT (sequence_id, version, step_id, counter) DO UPDATE SET value = step_stats.value + excluded.value`,
        p.values,
      );
    }
  }

  return {
    async claimDue(now, limit, leaseOwner, leaseUntil) {
      const rows = await engineSql.claimDue(db, now, limit, leaseOwner, leaseUntil);
      return rows.map(toEngineEnrollment);
    },

    async nextDueAt() {
      // enrollments_due_idx: MIN over a partial index is one descent.
      const rows = await run<{ due_at: number | null }>(
        db,
        `SELECT MIN(due_at) AS due_at FROM enrollments WHERE status = 'active' AND due_at IS NOT NULL`,
        [],
      );
      const value = rows[0]?.due_at;
      return value === undefined || value === null ? null : Number(value);
    },

    async load(ids) {
      const out: EngineEnrollment[] = [];
      for (const chunk of chunks([...new Set(ids)], 1000)) {
        const p = new Params(engineSql);
        const list = chunk.map((id) => p.add(id));
        const rows = await run<EngineEnrollmentRow>(
          db,
          `SELECT ${ENGINE_ENROLLMENT_COLUMNS} FROM enrollments WHERE id IN (${list.join(', ')})`,
          p.values,
        );
        for (const row of rows) out.push(toEngineEnrollment(row));
      }
      return out;
    },

    async loadRecords(ids, withFields) {
      const out: EngineRecord[] = [];
      for (const chunk of chunks([...new Set(ids)], 1000)) {
        const p = new Params(engineSql);
        const list = chunk.map((id) => p.add(id));
        const rows = await run<{
          id: string;
          type: string;
          owner_id: string;
          timezone: string | null;
          fields?: string;
        }>(
          db,
          `SELECT id, type, owner_id, timezone${withFields ? ', fields' : ''} FROM records
            WHERE id IN (${list.join(', ')}) AND deleted_at IS NULL`,
          p.values,
        );
        for (const row of rows) {
          out.push({
            id: row.id,
            type: row.type as EntityType,
            ownerId: row.owner_id,
            timezone: row.timezone,
            fields: row.fields === undefined ? null : (JSON.parse(row.fields) as RecordFields),
          });
        }
      }
      return out;
    },

    async runningSlots(recordIds) {
      const out: RunningSlot[] = [];
      for (const chunk of chunks([...new Set(recordIds)], 1000)) {
        const p = new Params(engineSql);
        const list = chunk.map((id) => p.add(id));
        // enrollments_one_running_key (only running rows are in it).
        const rows = await run<{
          id: string;
          record_id: string;
          sequence_id: string;
          exclusive_slot: string;
        }>(
          db,
          `SELECT id, record_id, sequence_id, exclusive_slot FROM enrollments
            WHERE record_id IN (${list.join(', ')}) AND exclusive_slot IS NOT NULL`,
          p.values,
        );
        for (const row of rows) {
          out.push({
            enrollmentId: row.id,
            recordId: row.record_id,
            sequenceId: row.sequence_id,
            slot: row.exclusive_slot,
          });
        }
      }
      return out;
    },

    async runningIdsOfSequence(sequenceId, afterId, limit) {
      const p = new Params(engineSql);
      const seq = p.add(sequenceId);
      const after = afterId === null ? '' : ` AND id > ${p.add(afterId)}`;
      const lim = p.add(limit, 'int');
      // enrollments_sequence_status_idx (sequence_id, status, id): two ranges, merged by id.
      const rows = await run<{ id: string }>(
        db,
        `SELECT id FROM enrollments WHERE sequence_id = ${seq} AND status IN ${RUNNING}${after} ORDER BY id LIMIT ${lim}`,
        p.values,
      );
      return rows.map((row) => row.id);
    },

    async userStamps(ids) {
      const out: { id: string; updatedAt: number }[] = [];
      for (const chunk of chunks([...new Set(ids)], 1000)) {
        const p = new Params(engineSql);
        const list = chunk.map((id) => p.add(id));
        const rows = await run<{ id: string; updated_at: number }>(
          db,
          `SELECT id, updated_at FROM users WHERE id IN (${list.join(', ')})`,
          p.values,
        );
        for (const row of rows) out.push({ id: row.id, updatedAt: Number(row.updated_at) });
      }
      return out;
    },

    async commit(commits, options): Promise<CommitResult> {
      if (commits.length === 0) return { written: [], stale: [], alreadyEnrolled: [] };
      return context.atomically(async (trx) => {
        const updates = commits
          .filter((c) => c.target.type === 'update')
          .sort((a, b) => (a.enrollmentId < b.enrollmentId ? -1 : 1));
        const fenced = await fence(trx, updates);
        const landed: EnrollmentCommit[] = [];
        const stale: string[] = [];
        const alreadyEnrolled: string[] = [];
        for (const c of updates) {
          if (fenced.has(c.enrollmentId)) landed.push(c);
          else stale.push(c.enrollmentId);
        }
        // Inserts (connect), then the follow-ons of what landed, level by level: an advance frees its
        // slot (the fence above) before the next sequence's enrollment takes it.
        let inserts = commits.filter((c) => c.target.type === 'insert');
        let parents = landed.slice();
        for (let level = 0; level < 16; level++) {
          const next = [...inserts, ...parents.flatMap((c) => c.follow)];
          if (next.length === 0) break;
          const inserted = await insertEnrollments(trx, next);
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
          await run(trx, engineSql.notifyWork, []);
        }
        return { written: landed.map((c) => c.enrollmentId), stale, alreadyEnrolled };
      });
    },

    async stepStats(sequenceId) {
      const p = new Params(engineSql);
      const rows = await run<{ version: number; step_id: string; counter: string; value: number }>(
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
