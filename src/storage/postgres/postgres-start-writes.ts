// connect's bulk start on PostgreSQL (storage/engine/connect-writes.ts): the enrollment and history rows
// are joined in SQL from the members (id, record, owner, shape) and the few shapes, instead of sending
// 13 + 15 arrays of 100,000 values that pg spells out as text and PostgreSQL parses back.
// Measured on the 1,000,000-enrollment API world, 100,000 records (+ one wait history row each), loaded
// 2-core machine (load 3–6), both statements in one transaction: 13 + 15 arrays 7.1–8.5 s with 2.1–2.5 s
// of Node CPU; this join 5.0–5.4 s with 0.4–0.7 s. What is left is PostgreSQL's: rows, 4 + 2 indexes and
// foreign-key checks, three per enrollment and one per history row (EXPLAIN ANALYZE: 0.65–1.15 s per
// 100,000 rows for each). The outbox rows of an email-first start likewise (session 6, `bench:api --db
// postgres --only connect`, load 2.5–3.8): 8.57 → 6.96 s median, server CPU 2.2–3.7 → 1.1–1.6 s.
// Session 7 (a slower machine: the same connect took 10.2 s): migration 0011 dropped the four foreign keys,
// and the outbox insert lost its ON CONFLICT: 10.23 → 5.49–6.65 s median of 3 (statements: enrollments
// 3.06 → 1.1–1.4 s, history 1.10 → 0.6–0.8 s; the outbox's 1.35–1.58 s, three indexes and the jsonb
// payload, is now the largest; the two reads 0.5–0.75 s). Three interleaved pairs of invocations, 3 runs
// each, with the statements logged: 7.37 / 8.44 / 9.95 → 5.34 / 5.18 / 6.11 s median; PostgreSQL's
// statements 5.8–8.0 → 3.6–4.6 s per run; the server's CPU ~2.0 → ~1.7 s (also no RETURNING of every id).
// With a CHECKPOINT before each run (the bench's `settle`): 7.58, 7.78 → 4.72, 4.68 s.
import { CompiledQuery, type Kysely } from 'kysely';
import { isEnded } from '../../domain/enrollment.js';
import type { StartBatch, StartMember } from '../../engine/ports/store.js';
import { type StartWrites, startStepRow } from '../engine/engine-sql.js';
import { encodeState } from '../engine/enrollment-state-codec.js';
import type { Database } from '../schema.js';

// enrollments_one_running_key is the only arbiter: the ids are new, and a clash of one would be a bug to
// fail on, not a record to call enrolled (naming it also spares a primary-key probe per row). The planner
// hashes the shapes (the smaller side, it sees the arrays' lengths) and probes with the members, so rows
// come in the members' order (ids drawn in time order: the primary key's inserts stay at the b-tree's
// right edge). No ORDER BY: the order only helps, and a sort of 100,000 rows spills past the default
// work_mem (~120 ms). The answer is the members that did NOT land (usually none), not RETURNING every id:
// 100,000 rows for pg to parse into objects (~0.1 s of the server's CPU and their garbage).
const INSERT_ENROLLMENTS = `WITH landed AS (
INSERT INTO enrollments (id, sequence_id, sequence_version, record_id, owner_id, status,
  end_reason, current_step_id, due_at, state, started_at, ended_at, exclusive_slot)
SELECT m.id, $5::text, $6::integer, m.record_id, m.owner_id, s.status, s.end_reason, s.current_step_id, s.due_at, s.state::jsonb,
       $7::bigint, s.ended_at, s.exclusive_slot
  FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[]) AS m (id, record_id, owner_id, shape)
  JOIN unnest($8::text[], $9::text[], $10::text[], $11::bigint[], $12::text[], $13::bigint[], $14::text[])
       WITH ORDINALITY AS s (status, end_reason, current_step_id, due_at, state, ended_at, exclusive_slot, shape)
    ON s.shape = m.shape
ON CONFLICT (record_id, exclusive_slot) WHERE exclusive_slot IS NOT NULL DO NOTHING
RETURNING id)
SELECT m.id FROM unnest($1::text[]) AS m (id) WHERE NOT EXISTS (SELECT 1 FROM landed l WHERE l.id = m.id)`;

// No ON CONFLICT: the id is (enrollment, seq) of an enrollment inserted by this transaction.
const INSERT_STEPS = `INSERT INTO enrollment_steps (id, enrollment_id, step_id, type, state, owner_id, record_id,
  sequence_id, proposed_due_at, due_at, opened_at, completed_at, outcome, notes, actor_id)
SELECT m.id || t.id_suffix, m.id, t.step_id, t.type, t.state, m.owner_id, m.record_id, t.sequence_id,
       t.proposed_due_at, t.due_at, t.opened_at, t.completed_at, t.outcome, t.notes, t.actor_id
  FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[]) AS m (id, record_id, owner_id, shape)
  JOIN unnest($5::integer[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::bigint[],
              $13::bigint[], $14::bigint[], $15::text[], $16::text[], $17::text[])
       AS t (shape, id_suffix, step_id, type, state, sequence_id, proposed_due_at, due_at, opened_at, completed_at,
             outcome, notes, actor_id)
    ON t.shape = m.shape`;

// One row per member and email of its shape; the member's ids are merged into the shape's payload in SQL
// (jsonb keeps no key order), so Node builds no payload text per member. No ON CONFLICT, as for the
// history rows: the idempotency key is (enrollment, seq) of an enrollment inserted by this transaction, and
// a speculative insert costs ~40 % more here (1.11 vs 0.78 s per 100,000 rows, EXPLAIN ANALYZE, session 7).
const INSERT_OUTBOX = `INSERT INTO outbox (id, idempotency_key, kind, payload, status, available_at, created_at)
SELECT m.outbox_id, m.id || e.key_suffix, e.kind,
       e.payload::jsonb || jsonb_build_object('enrollmentId', m.id, 'recordId', m.record_id, 'ownerId', m.owner_id),
       'pending', e.available_at, e.created_at
  FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::integer[], $6::text[])
       AS m (id, record_id, owner_id, shape, email, outbox_id)
  JOIN unnest($7::integer[], $8::integer[], $9::text[], $10::text[], $11::text[], $12::bigint[], $13::bigint[])
       AS e (shape, email, key_suffix, kind, payload, available_at, created_at)
    ON e.shape = m.shape AND e.email = m.email`;

/** The members' columns; shapes are numbered from 1 (WITH ORDINALITY's count). */
function memberColumns(members: readonly StartMember[]): unknown[][] {
  const n = members.length;
  const ids = new Array<string>(n);
  const records = new Array<string>(n);
  const owners = new Array<string>(n);
  const shapes = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const m = members[i] as StartMember;
    ids[i] = m.enrollmentId;
    records[i] = m.recordId;
    owners[i] = m.ownerId;
    shapes[i] = m.shape + 1;
  }
  return [ids, records, owners, shapes];
}

async function run<R>(db: Kysely<Database>, text: string, parameters: unknown[]): Promise<R[]> {
  return (await db.executeQuery<R>(CompiledQuery.raw(text, parameters))).rows;
}

export const postgresStartWrites: StartWrites = {
  async insertEnrollments(db, batch) {
    if (batch.members.length === 0) return new Set();
    const shapes: unknown[][] = [[], [], [], [], [], [], []];
    for (const shape of batch.shapes) {
      const c = encodeState(shape.state);
      const row = [
        c.status,
        c.end_reason,
        c.current_step_id,
        c.due_at,
        c.state,
        shape.endedAt,
        isEnded(shape.state) ? null : batch.exclusiveSlot,
      ];
      for (let i = 0; i < row.length; i++) (shapes[i] as unknown[]).push(row[i]);
    }
    const refused = await run<{ id: string }>(db, INSERT_ENROLLMENTS, [
      ...memberColumns(batch.members),
      batch.sequenceId,
      batch.version,
      batch.startedAt,
      ...shapes,
    ]);
    if (refused.length === 0) return 'all';
    const out = new Set(batch.members.map((m) => m.enrollmentId));
    for (const row of refused) out.delete(row.id);
    return out;
  },

  async insertSteps(db, batch: StartBatch, members) {
    const steps: unknown[][] = Array.from({ length: 13 }, () => []);
    batch.shapes.forEach((shape, index) => {
      for (const t of shape.steps) {
        // Shapes numbered from 1, as WITH ORDINALITY counts.
        const row = startStepRow(index + 1, t);
        for (let i = 0; i < row.length; i++) (steps[i] as unknown[]).push(row[i]);
      }
    });
    if (members.length === 0 || (steps[0] as unknown[]).length === 0) return;
    await run(db, INSERT_STEPS, [...memberColumns(members), ...steps]);
  },

  async insertOutbox(db, batch, members) {
    const emails: unknown[][] = Array.from({ length: 7 }, () => []);
    batch.shapes.forEach((shape, index) => {
      shape.emails.forEach((e, i) => {
        const row = [index, i, e.keySuffix, e.kind, JSON.stringify(e.payload), e.availableAt, e.createdAt];
        for (let c = 0; c < row.length; c++) (emails[c] as unknown[]).push(row[c]);
      });
    });
    if ((emails[0] as unknown[]).length === 0) return;
    const m: unknown[][] = Array.from({ length: 6 }, () => []);
    for (const member of members)
      member.outboxIds.forEach((outboxId, i) => {
        const row = [member.enrollmentId, member.recordId, member.ownerId, member.shape, i, outboxId];
        for (let c = 0; c < row.length; c++) (m[c] as unknown[]).push(row[c]);
      });
    if ((m[0] as unknown[]).length === 0) return;
    await run(db, INSERT_OUTBOX, [...m, ...emails]);
  },
};
