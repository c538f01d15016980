// connect's bulk start on SQLite (storage/engine/connect-writes.ts): the enrollment, history and outbox rows
// are joined in SQL from the members and the few shapes, as on PostgreSQL, instead of a prepared statement
// run per row (enrollments 775 → 550 ms, history rows 628 → 373 ms when that came in). The members (one
// JSON text of [id, record, owner, shape, outbox ids] arrays) and the shapes are staged once in temp
// tables, and the three inserts read plain columns: reading the members through json_each in each
// statement cost ~12 ms per 100,000 rows for every `->>`, some 16 per member across the three. Measured on
// the 1,000,000-enrollment API world, 100,000 records, an email first, in-process on a copy: history rows
// ~450 → ~330 ms, outbox rows ~430 → ~310 ms (the payload spliced, not json_set), enrollments ~620 ms
// either way (staging ~120 ms included, RETURNING dropped); the whole connect ~2.25 → ~1.95 s.
import { CompiledQuery, type Kysely } from 'kysely';
import { isEnded } from '../../domain/enrollment.js';
import type { JsonObject, StartBatch, StartMember } from '../../engine/ports/store.js';
import { type StartWrites, startStepRow } from '../engine/engine-sql.js';
import { encodeState } from '../engine/enrollment-state-codec.js';
import type { Database } from '../schema.js';

// Staging: this connection's temp tables, created on first use and emptied before and after each batch
// (a rollback empties them too). The shapes' rows are keyed by shape: with a table of members as the outer
// loop SQLite builds no automatic index on a CTE of shapes and scans them all per member. Columns are
// untyped, so values keep the type `->>` gave them until the real tables' affinities apply.
const CREATE_STAGING = [
  `CREATE TEMP TABLE IF NOT EXISTS start_members (enrollment_id, record_id, owner_id, shape INTEGER, outbox_ids)`,
  `CREATE TEMP TABLE IF NOT EXISTS start_shapes (shape INTEGER PRIMARY KEY, status, end_reason, current_step_id,
    due_at, state, ended_at, exclusive_slot)`,
  `CREATE TEMP TABLE IF NOT EXISTS start_steps (shape INTEGER, n INTEGER, id_suffix, step_id, type, state,
    sequence_id, proposed_due_at, due_at, opened_at, completed_at, outcome, notes, actor_id,
    PRIMARY KEY (shape, n)) WITHOUT ROWID`,
  `CREATE TEMP TABLE IF NOT EXISTS start_emails (shape INTEGER, email INTEGER, key_suffix, kind, available_at,
    created_at, p0, a, p1, b, p2, c, p3, PRIMARY KEY (shape, email)) WITHOUT ROWID`,
];

const EMPTY_STAGING = ['start_members', 'start_shapes', 'start_steps', 'start_emails'].map(
  (table) => `DELETE FROM temp.${table}`,
);

// Rowids in the members' order: the inserts below scan them in it.
const STAGE_MEMBERS = `INSERT INTO temp.start_members (enrollment_id, record_id, owner_id, shape, outbox_ids)
SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value -> 4 FROM json_each(?)`;

const STAGE_SHAPES = `INSERT INTO temp.start_shapes (shape, status, end_reason, current_step_id, due_at, state,
  ended_at, exclusive_slot)
SELECT key, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6
  FROM json_each(?)`;

const STAGE_STEPS = `INSERT INTO temp.start_steps (shape, n, id_suffix, step_id, type, state, sequence_id,
  proposed_due_at, due_at, opened_at, completed_at, outcome, notes, actor_id)
SELECT value ->> 0, key, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6,
       value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11, value ->> 12
  FROM json_each(?)`;

const STAGE_EMAILS = `INSERT INTO temp.start_emails (shape, email, key_suffix, kind, available_at, created_at,
  p0, a, p1, b, p2, c, p3)
SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6,
       value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11, value ->> 12
  FROM json_each(?)`;

// enrollments_one_running_key is the arbiter. CROSS JOIN keeps the members as the outer loop, so rows
// are inserted in the members' order (ids drawn in time order: the primary key's inserts stay at the
// b-tree's right edge); each probes its shape by primary key. Tried: one statement per shape with its
// values bound (no join), ~1.2 µs less per row with one shape, but a connect has a shape per owner
// situation (1,000 on the bench world), and inserting shape by shape scatters the ids: 100,000 records
// 2.2 → 4.4 s. `WHERE true`: SQLite's parser needs it before ON CONFLICT after a SELECT.
const INSERT_ENROLLMENTS = `INSERT INTO enrollments (id, sequence_id, sequence_version, record_id, owner_id, status,
  end_reason, current_step_id, due_at, state, started_at, ended_at, exclusive_slot)
SELECT m.enrollment_id, ?, ?, m.record_id, m.owner_id, s.status, s.end_reason, s.current_step_id,
       s.due_at, s.state, ?, s.ended_at, s.exclusive_slot
  FROM temp.start_members AS m CROSS JOIN temp.start_shapes AS s ON s.shape = m.shape
 WHERE true
ON CONFLICT DO NOTHING`;

// Only when some member did not land: the staged members become those that did (enrollments pkey; the
// ids are this batch's own, so an existing row is one this statement inserted).
const UNSTAGE_REFUSED = `DELETE FROM temp.start_members AS m
 WHERE NOT EXISTS (SELECT 1 FROM enrollments AS e WHERE e.id = m.enrollment_id)`;
const STAGED_IDS = `SELECT enrollment_id AS id FROM temp.start_members`;

// No ON CONFLICT: the id is (enrollment, seq) of an enrollment inserted by this transaction.
const INSERT_STEPS = `INSERT INTO enrollment_steps (id, enrollment_id, step_id, type, state, owner_id, record_id,
  sequence_id, proposed_due_at, due_at, opened_at, completed_at, outcome, notes, actor_id)
SELECT m.enrollment_id || t.id_suffix, m.enrollment_id, t.step_id, t.type, t.state, m.owner_id, m.record_id,
       t.sequence_id, t.proposed_due_at, t.due_at, t.opened_at, t.completed_at, t.outcome, t.notes, t.actor_id
  FROM temp.start_members AS m CROSS JOIN temp.start_steps AS t ON t.shape = m.shape`;

/** A member's id that a payload template column names (payloadTemplate), as JSON.stringify writes it. */
const quotedId = (column: string) =>
  `json_quote(CASE ${column} WHEN 0 THEN m.enrollment_id WHEN 1 THEN m.record_id ELSE m.owner_id END)`;

// outbox_idempotency_key_key: a retried start never queues a second message. The payload is the
// shape's text with the member's ids spliced in (payloadTemplate; json_quote writes a string as
// JSON.stringify does), so the bytes are the per-record path's; json_set over the shape's payload
// parsed and wrote ~250 bytes per row again (~60 ms per 100,000). One outbox id per email of the shape.
const INSERT_OUTBOX = `INSERT INTO outbox (id, idempotency_key, kind, payload, status, available_at, created_at)
SELECT m.outbox_ids ->> t.email, m.enrollment_id || t.key_suffix, t.kind,
       t.p0 || ${quotedId('t.a')} || t.p1 || ${quotedId('t.b')} || t.p2 || ${quotedId('t.c')} || t.p3,
       'pending', t.available_at, t.created_at
  FROM temp.start_members AS m CROSS JOIN temp.start_emails AS t ON t.shape = m.shape
 WHERE true
ON CONFLICT DO NOTHING`;

/**
 * The payload's JSON text as the per-record path writes it (`{ ...payload, enrollmentId, recordId,
 * ownerId }`), cut around the three ids: `[text, id, text, id, text, id, text]`, an id being 0 for the
 * enrollment's, 1 for the record's, 2 for the owner's.
 */
function payloadTemplate(payload: JsonObject): (string | number)[] {
  // A mark the payload's text does not contain: its only occurrences are the three ids put in its place.
  let n = 0;
  const text = JSON.stringify(payload);
  while (text.includes(`@${n}:`)) n++;
  const marked = JSON.stringify({
    ...payload,
    enrollmentId: `@${n}:0`,
    recordId: `@${n}:1`,
    ownerId: `@${n}:2`,
  });
  return marked.split(new RegExp(`"@${n}:([012])"`)).map((part, i) => (i % 2 === 1 ? Number(part) : part));
}

/** The members as one JSON text of `[enrollment id, record id, owner id, shape index, outbox ids]`. */
function membersJson(members: readonly StartMember[]): string {
  const rows = new Array<(string | number | string[])[]>(members.length);
  for (let i = 0; i < members.length; i++) {
    const m = members[i] as StartMember;
    rows[i] = [m.enrollmentId, m.recordId, m.ownerId, m.shape, m.outboxIds];
  }
  return JSON.stringify(rows);
}

async function run<R>(db: Kysely<Database>, text: string, parameters: unknown[]): Promise<R[]> {
  return (await db.executeQuery<R>(CompiledQuery.raw(text, parameters))).rows;
}

async function emptyStaging(db: Kysely<Database>): Promise<void> {
  for (const text of EMPTY_STAGING) await run(db, text, []);
}

/** The batch's members and shapes into the temp tables. */
async function stage(db: Kysely<Database>, batch: StartBatch): Promise<void> {
  for (const text of CREATE_STAGING) await run(db, text, []);
  await emptyStaging(db);
  const shapes: unknown[][] = [];
  const steps: unknown[][] = [];
  const emails: unknown[][] = [];
  batch.shapes.forEach((shape, index) => {
    const c = encodeState(shape.state);
    const slot = isEnded(shape.state) ? null : batch.exclusiveSlot;
    shapes.push([c.status, c.end_reason, c.current_step_id, c.due_at, c.state, shape.endedAt, slot]);
    for (const t of shape.steps) steps.push(startStepRow(index, t));
    shape.emails.forEach((e, i) => {
      emails.push([index, i, e.keySuffix, e.kind, e.availableAt, e.createdAt, ...payloadTemplate(e.payload)]);
    });
  });
  await run(db, STAGE_MEMBERS, [membersJson(batch.members)]);
  await run(db, STAGE_SHAPES, [JSON.stringify(shapes)]);
  if (steps.length > 0) await run(db, STAGE_STEPS, [JSON.stringify(steps)]);
  if (emails.length > 0) await run(db, STAGE_EMAILS, [JSON.stringify(emails)]);
}

// How many members are staged for a batch (those whose enrollment landed, after insertEnrollments).
const staged = new WeakMap<StartBatch, number>();

/** insertSteps and insertOutbox write the staged members: `members` must be those (the ones that landed). */
function checkStaged(batch: StartBatch, members: readonly StartMember[]): void {
  if ((staged.get(batch) ?? 0) !== members.length)
    throw new Error('sqliteStartWrites: the members given are not the ones insertEnrollments staged');
}

export const sqliteStartWrites: StartWrites = {
  async insertEnrollments(db, batch) {
    if (batch.members.length === 0) return new Set();
    await stage(db, batch);
    // No RETURNING: 100,000 rows of `{ id }` and a Set of them cost ~90 ms; `changes` tells when every
    // member landed, the usual case.
    const { numAffectedRows } = await db.executeQuery(
      CompiledQuery.raw(INSERT_ENROLLMENTS, [batch.sequenceId, batch.version, batch.startedAt]),
    );
    if (Number(numAffectedRows) === batch.members.length) {
      staged.set(batch, batch.members.length);
      return 'all';
    }
    await run(db, UNSTAGE_REFUSED, []);
    const landed = new Set((await run<{ id: string }>(db, STAGED_IDS, [])).map((row) => row.id));
    staged.set(batch, landed.size);
    return landed;
  },

  async insertSteps(db, batch, members) {
    checkStaged(batch, members);
    if (members.length > 0) await run(db, INSERT_STEPS, []);
  },

  // The last of the three: it empties the staging.
  async insertOutbox(db, batch, members) {
    checkStaged(batch, members);
    if (members.length > 0) await run(db, INSERT_OUTBOX, []);
    if (staged.delete(batch)) await emptyStaging(db);
  },
};
