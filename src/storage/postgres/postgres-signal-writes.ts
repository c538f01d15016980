// The signal intake's writes on PostgreSQL: one statement per table over `unnest` of typed arrays (one
// round trip whatever the batch, a statement text that never changes); RETURNING names the rows that
// landed (ON CONFLICT DO NOTHING: a repeated dedupe key, or a step already counted).
import { CompiledQuery } from 'kysely';
import type { SignalWrites } from '../repositories/signal-writes.js';

const INSERT_SIGNALS = `INSERT INTO signals (id, dedupe_key, type, record_id, enrollment_id, message_key, step_id, at, data)
SELECT v.id, v.dedupe_key, v.type, v.record_id, v.enrollment_id, v.message_key, v.step_id, v.at, v.data::jsonb
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[])
    AS v (id, dedupe_key, type, record_id, enrollment_id, message_key, step_id, at, data)
ON CONFLICT DO NOTHING
RETURNING id`;

const INSERT_FIRSTS = `INSERT INTO signal_step_firsts (step_row_id, counter, at)
SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
ON CONFLICT DO NOTHING
RETURNING step_row_id, counter`;

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
    const ids = new Set(out.map((row) => row.id));
    return rows.map((r) => ids.has(r.id));
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
    const keys = new Set(out.map((row) => `${row.step_row_id}\u0000${row.counter}`));
    return rows.map((r) => keys.has(`${r.stepRowId}\u0000${r.counter}`));
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
