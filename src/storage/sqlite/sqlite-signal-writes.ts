// The signal intake's writes on SQLite: one cached prepared statement per table, run once per row
// inside the intake's IMMEDIATE transaction (sqlite-driver.ts `eachRow`); each row's change count says
// whether it landed (ON CONFLICT DO NOTHING: a repeated dedupe key, or a step already counted).
import type { Kysely } from 'kysely';
import type { SignalWrites } from '../repositories/signal-writes.js';
import type { Database } from '../schema.js';
import { eachRow } from './sqlite-driver.js';

const INSERT_SIGNAL = `INSERT INTO signals (id, dedupe_key, type, record_id, enrollment_id, message_key, step_id, at, data)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;

const INSERT_FIRST = `INSERT INTO signal_step_firsts (step_row_id, counter, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`;

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
};
