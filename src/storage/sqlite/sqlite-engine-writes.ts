// The engine commit's writes on SQLite: each table one cached prepared statement, run once per row in a
// synchronous loop inside the commit's IMMEDIATE transaction (sqlite-driver.ts `eachRow`).
// Tried, 100,000-record connect on a loaded 2-core machine (load 8–15, so ±30 %): multi-row
// `INSERT … VALUES (…), (…)` texts of 400 rows (before) ~1.2 s for enrollments and ~0.7 s for history;
// this per-row loop 1.1 s and 1.1 s of SQLite time — even in SQLite, but it builds no 5,200-value
// parameter arrays and texts, which is where the connect's JS time and garbage went. Burn-down with the
// page-cache and checkpoint settings of sqlite-driver.ts: 13.7k → 16.1k steps per CPU-second. The fence
// is a per-row `UPDATE … WHERE id = ? AND version = ?` (enrollments pkey), its `changes` saying whether it held.
import type { Kysely } from 'kysely';
import type { EngineWrites, FenceRow, FenceScope } from '../engine/engine-sql.js';
import type { Database } from '../schema.js';
import { eachRow } from './sqlite-driver.js';

// SQLite rewrites an index entry whenever its column is in the SET list, whatever the value, so each
// fence scope names only what it changes: `state` touches no index, `move` only enrollments_due_idx,
// `full` all three. Measured on the 100,000-enrollment API world, 39,000 fact updates in 50 commits:
// 1.8 s with the full SET list, 0.7 s state-only.
const FENCE_FULL = `UPDATE enrollments
   SET status = ?, end_reason = ?, current_step_id = ?, due_at = ?, state = ?, ended_at = ?,
       exclusive_slot = CASE WHEN ? IN ('active', 'paused') THEN exclusive_slot ELSE NULL END,
       lease_until = NULL, lease_owner = NULL, version = version + 1
 WHERE id = ? AND version = ?`;

const FENCE_MOVE = `UPDATE enrollments
   SET current_step_id = ?, due_at = ?, state = ?, lease_until = NULL, lease_owner = NULL, version = version + 1
 WHERE id = ? AND version = ?`;

const FENCE_STATE = `UPDATE enrollments
   SET state = ?, lease_until = NULL, lease_owner = NULL, version = version + 1
 WHERE id = ? AND version = ?`;

function fenceArgs(r: FenceRow): unknown[] {
  switch (r.scope) {
    case 'full':
      return [
        r.status,
        r.endReason,
        r.currentStepId,
        r.dueAt,
        r.state,
        r.endedAt,
        r.status,
        r.id,
        r.expected,
      ];
    case 'move':
      return [r.currentStepId, r.dueAt, r.state, r.id, r.expected];
    case 'state':
      return [r.state, r.id, r.expected];
  }
}

const FENCES: Record<FenceScope, string> = { full: FENCE_FULL, move: FENCE_MOVE, state: FENCE_STATE };

const INSERT_ENROLLMENT = `INSERT INTO enrollments (id, sequence_id, sequence_version, record_id, owner_id, status,
  end_reason, current_step_id, due_at, state, started_at, ended_at, exclusive_slot)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;

// No ON CONFLICT: the id is (enrollment, seq), and a second insert would be a bug the fence missed.
const INSERT_STEP = `INSERT INTO enrollment_steps (id, enrollment_id, step_id, type, state, owner_id, record_id,
  sequence_id, proposed_due_at, due_at, opened_at, completed_at, outcome, notes, actor_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

// enrollment_steps pkey. One statement per set of columns a patch writes (a patch's null fields keep
// their value): as with the fence, naming due_at or state in the SET list would rewrite the row's
// scheduled and work-list index entries even when unchanged.
const PATCH_COLUMNS = [
  'state',
  'due_at',
  'opened_at',
  'completed_at',
  'outcome',
  'notes',
  'actor_id',
  'snoozed_at',
] as const;
const patchTexts = new Map<number, string>();

function patchText(mask: number): string {
  let text = patchTexts.get(mask);
  if (text === undefined) {
    const set = PATCH_COLUMNS.filter((_, i) => (mask & (1 << i)) !== 0).map((c) => `${c} = ?`);
    text = `UPDATE enrollment_steps SET ${set.join(', ')} WHERE id = ?`;
    patchTexts.set(mask, text);
  }
  return text;
}

// outbox_idempotency_key_key: a retried step never queues a second message.
const INSERT_OUTBOX = `INSERT INTO outbox (id, idempotency_key, kind, payload, status, available_at, created_at)
VALUES (?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT DO NOTHING`;

// outbox_idempotency_key_key; a row already handed to SMTP (sending, sent, send_unknown) stays.
const DROP_OUTBOX = `UPDATE outbox SET status = 'dropped' WHERE idempotency_key = ? AND status IN ('pending', 'held')`;

// outbox_idempotency_key_key. A row the sender already claimed (`sending`) or sent is left alone.
const HOLD_OUTBOX = `UPDATE outbox SET status = 'held' WHERE idempotency_key = ? AND status = 'pending'`;
// A released row holds no mailbox slot (outbox.reschedule): the key of one never handed to SMTP is cleared.
const RELEASE_OUTBOX = `UPDATE outbox SET status = 'pending', available_at = ?,
  mailbox_key = CASE WHEN message_key_hash IS NULL THEN NULL ELSE mailbox_key END
 WHERE idempotency_key = ? AND status = 'held'`;

// records pkey; json_patch removes keys whose patch value is null (RFC 7396).
const MERGE_FIELDS = `UPDATE records SET fields = json_patch(fields, ?), updated_at = ? WHERE id = ?`;

// step_stats pkey.
const UPSERT_STAT = `INSERT INTO step_stats (sequence_id, version, step_id, counter, value) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (sequence_id, version, step_id, counter) DO UPDATE SET value = step_stats.value + excluded.value`;

const INSERT_AUDIT = `INSERT INTO audit_log (id, at, actor_id, action, subject_type, subject_id, data)
VALUES (?, ?, ?, ?, ?, ?, ?)`;

async function each(db: Kysely<Database>, text: string, rows: unknown[][]): Promise<number[]> {
  if (rows.length === 0) return [];
  return (await db.executeQuery<number>(eachRow(text, rows))).rows;
}

async function landed(
  db: Kysely<Database>,
  text: string,
  ids: string[],
  rows: unknown[][],
): Promise<Set<string>> {
  const changes = await each(db, text, rows);
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i++) if (changes[i] === 1) out.add(ids[i] as string);
  return out;
}

export const sqliteEngineWrites: EngineWrites = {
  async fence(db, rows) {
    const out = new Set<string>();
    for (const scope of ['full', 'move', 'state'] as const) {
      const some = rows.filter((r) => r.scope === scope);
      if (some.length === 0) continue;
      const done = await landed(
        db,
        FENCES[scope],
        some.map((r) => r.id),
        some.map(fenceArgs),
      );
      for (const id of done) out.add(id);
    }
    return out;
  },

  insertEnrollments: (db, rows) =>
    landed(
      db,
      INSERT_ENROLLMENT,
      rows.map((r) => r.id),
      rows.map((r) => [
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
    ),

  async insertSteps(db, rows) {
    await each(
      db,
      INSERT_STEP,
      rows.map((s) => [
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
    const byMask = new Map<number, unknown[][]>();
    for (const p of rows) {
      const values = [
        p.state,
        p.dueAt,
        p.openedAt,
        p.completedAt,
        p.outcome,
        p.notes,
        p.actorId,
        p.snoozedAt,
      ];
      let mask = 0;
      const args: unknown[] = [];
      values.forEach((v, i) => {
        if (v === null) return;
        mask |= 1 << i;
        args.push(v);
      });
      if (mask === 0) continue;
      args.push(p.id);
      const list = byMask.get(mask);
      if (list === undefined) byMask.set(mask, [args]);
      else list.push(args);
    }
    for (const [mask, list] of byMask) await each(db, patchText(mask), list);
  },

  async insertOutbox(db, rows) {
    await each(
      db,
      INSERT_OUTBOX,
      rows.map((o) => [o.id, o.idempotencyKey, o.kind, o.payload, o.availableAt, o.createdAt]),
    );
  },

  async dropOutbox(db, keys) {
    await each(
      db,
      DROP_OUTBOX,
      keys.map((k) => [k]),
    );
  },

  async holdOutbox(db, keys) {
    await each(
      db,
      HOLD_OUTBOX,
      keys.map((k) => [k]),
    );
  },

  async releaseOutbox(db, rows) {
    await each(
      db,
      RELEASE_OUTBOX,
      rows.map((r) => [r.availableAt, r.idempotencyKey]),
    );
  },

  async mergeFields(db, rows) {
    await each(
      db,
      MERGE_FIELDS,
      rows.map((f) => [f.patch, f.at, f.recordId]),
    );
  },

  async upsertStats(db, rows) {
    await each(
      db,
      UPSERT_STAT,
      rows.map((d) => [d.sequenceId, d.version, d.stepId, d.counter, d.by]),
    );
  },

  async insertAudit(db, rows) {
    await each(
      db,
      INSERT_AUDIT,
      rows.map((a) => [
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
