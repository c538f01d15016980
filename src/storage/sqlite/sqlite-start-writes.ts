// connect's bulk start on SQLite (storage/engine/connect-writes.ts): the enrollment, history and outbox rows
// are joined in SQL from the members (one JSON text of [id, record, owner, shape, ...outbox ids] arrays,
// read by json_each) and the few shapes, as on PostgreSQL, instead of a prepared statement run per row.
// better-sqlite3 binds 13–15 values per row from JavaScript; json_each hands SQLite the same values from
// one parsed text, and no row arrays are built in Node. Measured on the 1,000,000-enrollment API world,
// 100,000 records, quiet machine: enrollments 775 → 550 ms and history rows 628 → 373 ms (a copy of the
// world, in-process); the outbox rows of an email-first start ~0.8 → ~0.5 s; `npm run bench:api -- --only
// connect` (a wait first) 2.87 → 2.21 s median.
import { CompiledQuery, type Kysely } from 'kysely';
import { isEnded } from '../../domain/enrollment.js';
import type { StartBatch, StartMember } from '../../engine/ports/store.js';
import type { StartWrites } from '../engine/engine-sql.js';
import { encodeState } from '../engine/enrollment-state-codec.js';
import type { Database } from '../schema.js';

// enrollments_one_running_key is the arbiter. The shapes are materialised once and probed through the
// automatic index SQLite builds on them; CROSS JOIN keeps the members as the outer loop, so rows are
// inserted in the members' order (ids drawn in time order: the primary key's inserts stay at the
// b-tree's right edge). Tried: one statement per shape with its values bound (no join), ~1.2 µs less per
// row with one shape, but a connect has a shape per owner situation (1,000 on the bench world), and
// inserting shape by shape scatters the ids: 100,000 records 2.2 → 4.4 s. `WHERE true`: SQLite's parser
// needs it before ON CONFLICT after a SELECT.
const INSERT_ENROLLMENTS = `INSERT INTO enrollments (id, sequence_id, sequence_version, record_id, owner_id, status,
  end_reason, current_step_id, due_at, state, started_at, ended_at, exclusive_slot)
WITH s AS MATERIALIZED (
  SELECT key AS shape, value ->> 0 AS status, value ->> 1 AS end_reason, value ->> 2 AS current_step_id,
         value ->> 3 AS due_at, value ->> 4 AS state, value ->> 5 AS ended_at, value ->> 6 AS exclusive_slot
    FROM json_each(?))
SELECT m.value ->> 0, ?, ?, m.value ->> 1, m.value ->> 2, s.status, s.end_reason, s.current_step_id,
       s.due_at, s.state, ?, s.ended_at, s.exclusive_slot
  FROM json_each(?) AS m CROSS JOIN s ON s.shape = m.value ->> 3
 WHERE true
ON CONFLICT DO NOTHING
RETURNING id`;

// No ON CONFLICT: the id is (enrollment, seq) of an enrollment inserted by this transaction.
const INSERT_STEPS = `INSERT INTO enrollment_steps (id, enrollment_id, step_id, type, state, owner_id, record_id,
  sequence_id, proposed_due_at, due_at, opened_at, completed_at, outcome, notes, actor_id)
WITH t AS MATERIALIZED (
  SELECT value ->> 0 AS shape, value ->> 1 AS id_suffix, value ->> 2 AS step_id, value ->> 3 AS type,
         value ->> 4 AS state, value ->> 5 AS sequence_id, value ->> 6 AS proposed_due_at, value ->> 7 AS due_at,
         value ->> 8 AS opened_at, value ->> 9 AS completed_at, value ->> 10 AS outcome, value ->> 11 AS notes,
         value ->> 12 AS actor_id
    FROM json_each(?))
SELECT (m.value ->> 0) || t.id_suffix, m.value ->> 0, t.step_id, t.type, t.state, m.value ->> 2, m.value ->> 1,
       t.sequence_id, t.proposed_due_at, t.due_at, t.opened_at, t.completed_at, t.outcome, t.notes, t.actor_id
  FROM json_each(?) AS m CROSS JOIN t ON t.shape = m.value ->> 3`;

// outbox_idempotency_key_key: a retried start never queues a second message. The member's ids are set
// into the shape's payload (json_set keeps the order of keys it replaces, as the JS spread does); its
// outbox ids follow the four member columns, one per email of the shape.
const INSERT_OUTBOX = `INSERT INTO outbox (id, idempotency_key, kind, payload, status, available_at, created_at)
WITH t AS MATERIALIZED (
  SELECT value ->> 0 AS shape, value ->> 1 AS email, value ->> 2 AS key_suffix, value ->> 3 AS kind,
         value ->> 4 AS payload, value ->> 5 AS available_at, value ->> 6 AS created_at
    FROM json_each(?))
SELECT m.value ->> (4 + t.email), (m.value ->> 0) || t.key_suffix, t.kind,
       json_set(t.payload, '$.enrollmentId', m.value ->> 0, '$.recordId', m.value ->> 1, '$.ownerId', m.value ->> 2),
       'pending', t.available_at, t.created_at
  FROM json_each(?) AS m CROSS JOIN t ON t.shape = m.value ->> 3
 WHERE true
ON CONFLICT DO NOTHING`;

/** The members as one JSON text of `[enrollment id, record id, owner id, shape index, ...outbox ids]`. */
function membersJson(members: readonly StartMember[]): string {
  const rows = new Array<(string | number)[]>(members.length);
  for (let i = 0; i < members.length; i++) {
    const m = members[i] as StartMember;
    rows[i] =
      m.outboxIds.length === 0
        ? [m.enrollmentId, m.recordId, m.ownerId, m.shape]
        : [m.enrollmentId, m.recordId, m.ownerId, m.shape, ...m.outboxIds];
  }
  return JSON.stringify(rows);
}

/** The members' JSON text: the one insertEnrollments made when every member landed. */
function landedJson(batch: StartBatch, members: readonly StartMember[]): string {
  const all = members.length === batch.members.length ? lastMembers.get(batch) : undefined;
  return all ?? membersJson(members);
}

async function run<R>(db: Kysely<Database>, text: string, parameters: unknown[]): Promise<R[]> {
  return (await db.executeQuery<R>(CompiledQuery.raw(text, parameters))).rows;
}

// The members' JSON text of the last insertEnrollments, reused by insertSteps when every member landed.
const lastMembers = new WeakMap<StartBatch, string>();

export const sqliteStartWrites: StartWrites = {
  async insertEnrollments(db, batch) {
    if (batch.members.length === 0) return new Set();
    const shapes = batch.shapes.map((shape) => {
      const c = encodeState(shape.state);
      return [
        c.status,
        c.end_reason,
        c.current_step_id,
        c.due_at,
        c.state,
        shape.endedAt,
        isEnded(shape.state) ? null : batch.exclusiveSlot,
      ];
    });
    const members = membersJson(batch.members);
    lastMembers.set(batch, members);
    // In the order of the text's placeholders.
    const rows = await run<{ id: string }>(db, INSERT_ENROLLMENTS, [
      JSON.stringify(shapes),
      batch.sequenceId,
      batch.version,
      batch.startedAt,
      members,
    ]);
    const out = new Set<string>();
    for (const row of rows) out.add(row.id);
    return out;
  },

  async insertSteps(db, batch, members) {
    const steps: unknown[][] = [];
    batch.shapes.forEach((shape, index) => {
      for (const t of shape.steps)
        steps.push([
          index,
          t.idSuffix,
          t.stepId,
          t.type,
          t.state,
          t.sequenceId,
          t.proposedDueAt,
          t.dueAt,
          t.openedAt,
          t.completedAt,
          t.outcome,
          t.notes,
          t.actorId,
        ]);
    });
    if (members.length === 0 || steps.length === 0) return;
    await run(db, INSERT_STEPS, [JSON.stringify(steps), landedJson(batch, members)]);
  },

  async insertOutbox(db, batch, members) {
    const emails: unknown[][] = [];
    batch.shapes.forEach((shape, index) => {
      shape.emails.forEach((e, i) => {
        emails.push([index, i, e.keySuffix, e.kind, JSON.stringify(e.payload), e.availableAt, e.createdAt]);
      });
    });
    if (members.length === 0 || emails.length === 0) return;
    await run(db, INSERT_OUTBOX, [JSON.stringify(emails), landedJson(batch, members)]);
  },
};
