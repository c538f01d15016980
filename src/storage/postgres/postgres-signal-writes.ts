// The signal intake's writes on PostgreSQL: one statement per table over `unnest` of typed arrays (one
// round trip whatever the batch, a statement text that never changes). The answer names the rows that did
// NOT land (ON CONFLICT DO NOTHING: a repeated dedupe key, or a step already counted), usually a few,
// rather than RETURNING every row that did: ~1,850 rows per batch of 1,000 signals for pg to parse into
// objects, and their garbage (as the bulk connect's enrollment insert, postgres-start-writes.ts).
// bench:api --db postgres --only signals, 3 interleaved pairs (session 7): 18,143–20,402 → 20,101–20,403
// signals/s, server CPU 29.1–32.9 → 27.3–28.5 ms per batch; with 8 connections (2 pairs) 14,156–16,687 →
// 16,277–16,944/s.
import { CompiledQuery } from 'kysely';
import type { SignalWrites } from '../repositories/signal-writes.js';

// The row ids are ours and unique, so "not landed" is "its id is not among those inserted" (two rows of
// one dedupe key, from two requests joined in one write, land once: the second is refused).
const INSERT_SIGNALS = `WITH landed AS (
INSERT INTO signals (id, dedupe_key, type, record_id, enrollment_id, message_key, step_id, at, data)
SELECT v.id, v.dedupe_key, v.type, v.record_id, v.enrollment_id, v.message_key, v.step_id, v.at, v.data::jsonb
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[])
    AS v (id, dedupe_key, type, record_id, enrollment_id, message_key, step_id, at, data)
ON CONFLICT DO NOTHING
RETURNING id)
SELECT v.id FROM unnest($1::text[]) AS v (id) WHERE NOT EXISTS (SELECT 1 FROM landed l WHERE l.id = v.id)`;

// The rows come once per (step instance, counter) (countFirsts), so a pair names its row.
const INSERT_FIRSTS = `WITH landed AS (
INSERT INTO signal_step_firsts (step_row_id, counter, at)
SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
ON CONFLICT DO NOTHING
RETURNING step_row_id, counter)
SELECT v.step_row_id, v.counter FROM unnest($1::text[], $2::text[]) AS v (step_row_id, counter)
 WHERE NOT EXISTS (SELECT 1 FROM landed l WHERE l.step_row_id = v.step_row_id AND l.counter = v.counter)`;

// signal_step_firsts pkey.
const LOWER_FIRSTS = `UPDATE signal_step_firsts f SET at = v.at
  FROM unnest($1::text[], $2::text[], $3::bigint[]) AS v (step_row_id, counter, at)
 WHERE f.step_row_id = v.step_row_id AND f.counter = v.counter AND f.at > v.at`;

export const postgresSignalWrites: SignalWrites = {
  async insertSignals(db, rows) {
    if (rows.length === 0) return [];
    const { rows: out } = await db.executeQuery<{ id: string }>(
      CompiledQuery.raw(INSERT_SIGNALS, [
        rows.map((r) => r.id),
        rows.map((r) => r.dedupeKey),
        rows.map((r) => r.type),
        rows.map((r) => r.recordId),
        rows.map((r) => r.enrollmentId),
        rows.map((r) => r.messageKey),
        rows.map((r) => r.stepId),
        rows.map((r) => r.at),
        rows.map((r) => r.data),
      ]),
    );
    const refused = new Set(out.map((row) => row.id));
    return rows.map((r) => !refused.has(r.id));
  },
  async insertFirsts(db, rows) {
    if (rows.length === 0) return [];
    const { rows: out } = await db.executeQuery<{ step_row_id: string; counter: string }>(
      CompiledQuery.raw(INSERT_FIRSTS, [
        rows.map((r) => r.stepRowId),
        rows.map((r) => r.counter),
        rows.map((r) => r.at),
      ]),
    );
    const refused = new Set(out.map((row) => `${row.step_row_id}\u0000${row.counter}`));
    return rows.map((r) => !refused.has(`${r.stepRowId}\u0000${r.counter}`));
  },
  async lowerFirsts(db, rows) {
    if (rows.length === 0) return;
    await db.executeQuery(
      CompiledQuery.raw(LOWER_FIRSTS, [
        rows.map((r) => r.stepRowId),
        rows.map((r) => r.counter),
        rows.map((r) => r.at),
      ]),
    );
  },
};
