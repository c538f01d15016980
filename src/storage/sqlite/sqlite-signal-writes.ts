// The signal intake's writes on SQLite: one cached prepared statement per table, run once per row
// inside the intake's IMMEDIATE transaction (sqlite-driver.ts `eachRow`); each row's change count says
// whether it landed (ON CONFLICT DO NOTHING: a repeated dedupe key, or a step already counted).
// Tried (2026-11-24, 1,000-row transactions on a copy of the 1,000,000-enrollment API world, alternating
// batches): one `INSERT … SELECT value ->> 0, … FROM json_each(?) … RETURNING` per table is slower here,
// signals 4.4–5.1 → 10.1–12.7 ms per 1,000 rows (jsonb_each without RETURNING 7.4–8.2; INSERT OR
// IGNORE, which needs no statement journal, no better), firsts 1.7–2.0 → 2.3–2.5 ms: nine `->>` per row
// cost more than a bound run(). WITHOUT ROWID signals: no measurable difference. signals_record_at_idx
// (a random key) was ~1.5 µs of the insert and ~2 µs of the COMMIT per signal; 0010 dropped it once the
// facts came from signal_step_firsts (repositories/signals.ts).
import type { Kysely } from 'kysely';
import type { SignalWrites } from '../repositories/signal-writes.js';
import type { Database } from '../schema.js';
import { eachRow } from './sqlite-driver.js';

const INSERT_SIGNAL = `INSERT INTO signals (id, dedupe_key, type, record_id, enrollment_id, message_key, step_id, at, data)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;

const INSERT_FIRST = `INSERT INTO signal_step_firsts (step_row_id, counter, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`;

// signal_step_firsts pkey.
const LOWER_FIRST = `UPDATE signal_step_firsts SET at = ? WHERE step_row_id = ? AND counter = ? AND at > ?`;

async function landed(db: Kysely<Database>, text: string, rows: unknown[][]): Promise<boolean[]> {
  if (rows.length === 0) return [];
  return (await db.executeQuery<number>(eachRow(text, rows))).rows.map((changes) => changes > 0);
}

export const sqliteSignalWrites: SignalWrites = {
  insertSignals: (db, rows) =>
    landed(
      db,
      INSERT_SIGNAL,
      rows.map((r) => [
        r.id,
        r.dedupeKey,
        r.type,
        r.recordId,
        r.enrollmentId,
        r.messageKey,
        r.stepId,
        r.at,
        r.data,
      ]),
    ),
  insertFirsts: (db, rows) =>
    landed(
      db,
      INSERT_FIRST,
      rows.map((r) => [r.stepRowId, r.counter, r.at]),
    ),
  async lowerFirsts(db, rows) {
    await landed(
      db,
      LOWER_FIRST,
      rows.map((r) => [r.at, r.stepRowId, r.counter, r.at]),
    );
  },
};
