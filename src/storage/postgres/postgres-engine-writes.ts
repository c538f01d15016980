// The engine commit's writes on PostgreSQL: each table one statement over `unnest` of typed arrays, so
// a batch of any size is one round trip per table and the statement text never changes (the parser and
// planner see one shape; no per-chunk VALUES lists of 400 × 8 `$n::type` placeholders).
// Tried (bench/engine burn-down, batch 1,000, 1 worker process, loaded 2-core machine): VALUES lists
// in chunks of 400 plus one UPDATE per field write 1,918 steps/s (N = 20,000, load ~10); unnest per
// table (this file) 5,253 steps/s (N = 100,000, load ~7). Not tried yet: one data-modifying CTE for
// all post-fence writes (fewer round trips), named prepared statements (Kysely's pg driver sends none).
// Not done here: locking order. The fence's rows are the caller's claimed (leased) rows, so two
// workers never fence the same row; a seller's action racing a worker is serialised by the row lock
// and loses (or wins) on the version.
import { CompiledQuery, type Kysely } from 'kysely';
import type { EngineWrites } from '../engine/engine-sql.js';
import type { Database } from '../schema.js';

// enrollments pkey, fenced on version.
const FENCE = `UPDATE enrollments AS e
   SET status = v.status, end_reason = v.end_reason, current_step_id = v.current_step_id, due_at = v.due_at,
       state = v.state::jsonb, ended_at = v.ended_at,
       exclusive_slot = CASE WHEN v.status IN ('active', 'paused') THEN e.exclusive_slot ELSE NULL END,
       lease_until = NULL, lease_owner = NULL, version = e.version + 1
  FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::bigint[])
       AS v (id, expected, status, end_reason, current_step_id, due_at, state, ended_at)
 WHERE e.id = v.id AND e.version = v.expected
RETURNING e.id`;

// enrollments_one_running_key is the arbiter.
const INSERT_ENROLLMENTS = `INSERT INTO enrollments (id, sequence_id, sequence_version, record_id, owner_id, status,
  end_reason, current_step_id, due_at, state, started_at, ended_at, exclusive_slot)
SELECT v.id, v.sequence_id, v.sequence_version, v.record_id, v.owner_id, v.status, v.end_reason, v.current_step_id,
       v.due_at, v.state::jsonb, v.started_at, v.ended_at, v.exclusive_slot
  FROM unnest($1::text[], $2::text[], $3::integer[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
              $9::bigint[], $10::text[], $11::bigint[], $12::bigint[], $13::text[])
       AS v (id, sequence_id, sequence_version, record_id, owner_id, status, end_reason, current_step_id, due_at,
             state, started_at, ended_at, exclusive_slot)
ON CONFLICT DO NOTHING
RETURNING id`;

// No ON CONFLICT: the id is (enrollment, seq), and a second insert would be a bug the fence missed.
const INSERT_STEPS = `INSERT INTO enrollment_steps (id, enrollment_id, step_id, type, state, owner_id, record_id,
  sequence_id, proposed_due_at, due_at, opened_at, completed_at, outcome, notes, actor_id)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::text[], $14::text[], $15::text[])`;

// enrollment_steps pkey.
const PATCH_STEPS = `UPDATE enrollment_steps AS s
   SET state = COALESCE(v.state, s.state), due_at = COALESCE(v.due_at, s.due_at),
       opened_at = COALESCE(v.opened_at, s.opened_at), completed_at = COALESCE(v.completed_at, s.completed_at),
       outcome = COALESCE(v.outcome, s.outcome), notes = COALESCE(v.notes, s.notes),
       actor_id = COALESCE(v.actor_id, s.actor_id), snoozed_at = COALESCE(v.snoozed_at, s.snoozed_at)
  FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[],
              $9::bigint[])
       AS v (id, state, due_at, opened_at, completed_at, outcome, notes, actor_id, snoozed_at)
 WHERE s.id = v.id`;

// outbox_idempotency_key_key: a retried step never queues a second message.
const INSERT_OUTBOX = `INSERT INTO outbox (id, idempotency_key, kind, payload, status, available_at, created_at)
SELECT v.id, v.key, v.kind, v.payload::jsonb, 'pending', v.available_at, v.created_at
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
       AS v (id, key, kind, payload, available_at, created_at)
ON CONFLICT DO NOTHING`;

// outbox_idempotency_key_key; a row already handed to SMTP (sending, sent, send_unknown) stays.
const DROP_OUTBOX = `UPDATE outbox SET status = 'dropped' WHERE idempotency_key = ANY($1::text[]) AND status IN ('pending', 'held')`;

// outbox_idempotency_key_key. A row the sender already claimed (`sending`) or sent is left alone.
const HOLD_OUTBOX = `UPDATE outbox SET status = 'held' WHERE idempotency_key = ANY($1::text[]) AND status = 'pending'`;
// A released row holds no mailbox slot (outbox.reschedule): the key of one never handed to SMTP is cleared.
const RELEASE_OUTBOX = `UPDATE outbox AS o SET status = 'pending', available_at = v.available_at,
       mailbox_key = CASE WHEN o.message_key_hash IS NULL THEN NULL ELSE o.mailbox_key END
  FROM unnest($1::text[], $2::bigint[]) AS v (idempotency_key, available_at)
 WHERE o.idempotency_key = v.idempotency_key AND o.status = 'held'`;

// records pkey; one row per record (the caller merged a record's writes), null values remove keys.
const MERGE_FIELDS = `UPDATE records AS r
   SET fields = jsonb_strip_nulls(r.fields || v.patch::jsonb), updated_at = v.at
  FROM unnest($1::text[], $2::text[], $3::bigint[]) AS v (id, patch, at)
 WHERE r.id = v.id`;

// step_stats pkey; WITH ORDINALITY keeps the caller's key order, so workers lock counters alike.
const UPSERT_STATS = `INSERT INTO step_stats (sequence_id, version, step_id, counter, value)
SELECT v.sequence_id, v.version, v.step_id, v.counter, v.value
  FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::bigint[]) WITH ORDINALITY
       AS v (sequence_id, version, step_id, counter, value, n)
 ORDER BY v.n
ON CONFLICT (sequence_id, version, step_id, counter) DO UPDATE SET value = step_stats.value + excluded.value`;

const INSERT_AUDIT = `INSERT INTO audit_log (id, at, actor_id, action, subject_type, subject_id, data)
SELECT v.id, v.at, v.actor_id, v.action, v.subject_type, v.subject_id, v.data::jsonb
  FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
       AS v (id, at, actor_id, action, subject_type, subject_id, data)`;

async function run<R>(db: Kysely<Database>, text: string, columns: unknown[][]): Promise<R[]> {
  return (await db.executeQuery<R>(CompiledQuery.raw(text, columns))).rows;
}

/** Column arrays of `rows`: `pick` gives one row's values in column order. */
function columns<T>(rows: readonly T[], width: number, pick: (row: T) => unknown[]): unknown[][] {
  const out: unknown[][] = Array.from({ length: width }, () => new Array(rows.length));
  for (let i = 0; i < rows.length; i++) {
    const values = pick(rows[i] as T);
    for (let c = 0; c < width; c++) (out[c] as unknown[])[i] = values[c];
  }
  return out;
}

async function ids(db: Kysely<Database>, text: string, cols: unknown[][]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const row of await run<{ id: string }>(db, text, cols)) out.add(row.id);
  return out;
}

export const postgresEngineWrites: EngineWrites = {
  async fence(db, rows) {
    if (rows.length === 0) return new Set();
    return ids(
      db,
      FENCE,
      columns(rows, 8, (r) => [
        r.id,
        r.expected,
        r.status,
        r.endReason,
        r.currentStepId,
        r.dueAt,
        r.state,
        r.endedAt,
      ]),
    );
  },

  async insertEnrollments(db, rows) {
    if (rows.length === 0) return new Set();
    return ids(
      db,
      INSERT_ENROLLMENTS,
      columns(rows, 13, (r) => [
        r.id,
        r.sequenceId,
        r.sequenceVersion,
        r.recordId,
        r.ownerId,
        r.status,
        r.endReason,
        r.currentStepId,
        r.dueAt,
        r.state,
        r.startedAt,
        r.endedAt,
        r.exclusiveSlot,
      ]),
    );
  },

  async insertSteps(db, rows) {
    if (rows.length === 0) return;
    await run(
      db,
      INSERT_STEPS,
      columns(rows, 15, (s) => [
        s.id,
        s.enrollmentId,
        s.stepId,
        s.type,
        s.state,
        s.ownerId,
        s.recordId,
        s.sequenceId,
        s.proposedDueAt,
        s.dueAt,
        s.openedAt,
        s.completedAt,
        s.outcome,
        s.notes,
        s.actorId,
      ]),
    );
  },

  async patchSteps(db, rows) {
    if (rows.length === 0) return;
    await run(
      db,
      PATCH_STEPS,
      columns(rows, 9, (s) => [
        s.id,
        s.state,
        s.dueAt,
        s.openedAt,
        s.completedAt,
        s.outcome,
        s.notes,
        s.actorId,
        s.snoozedAt,
      ]),
    );
  },

  async insertOutbox(db, rows) {
    if (rows.length === 0) return;
    await run(
      db,
      INSERT_OUTBOX,
      columns(rows, 6, (o) => [o.id, o.idempotencyKey, o.kind, o.payload, o.availableAt, o.createdAt]),
    );
  },

  async dropOutbox(db, keys) {
    if (keys.length === 0) return;
    await run(db, DROP_OUTBOX, [[...keys]]);
  },

  async holdOutbox(db, keys) {
    if (keys.length === 0) return;
    await run(db, HOLD_OUTBOX, [[...keys]]);
  },

  async releaseOutbox(db, rows) {
    if (rows.length === 0) return;
    await run(
      db,
      RELEASE_OUTBOX,
      columns(rows, 2, (r) => [r.idempotencyKey, r.availableAt]),
    );
  },

  async mergeFields(db, rows) {
    if (rows.length === 0) return;
    await run(
      db,
      MERGE_FIELDS,
      columns(rows, 3, (f) => [f.recordId, f.patch, f.at]),
    );
  },

  async upsertStats(db, rows) {
    if (rows.length === 0) return;
    await run(
      db,
      UPSERT_STATS,
      columns(rows, 5, (d) => [d.sequenceId, d.version, d.stepId, d.counter, d.by]),
    );
  },

  async insertAudit(db, rows) {
    if (rows.length === 0) return;
    await run(
      db,
      INSERT_AUDIT,
      columns(rows, 7, (a) => [
        a.id,
        a.at,
        a.actorId,
        a.action,
        a.subjectType,
        a.subjectId,
        a.data === null ? null : JSON.stringify(a.data),
      ]),
    );
  },
};
