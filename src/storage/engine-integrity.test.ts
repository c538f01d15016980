// PostgreSQL's 0011 dropped the foreign keys of the engine's rows; test-support/engine-integrity.ts checks
// after every PostgreSQL test that no engine row points at nothing. These tests show that the check finds
// each kind of dangling row, and that SQLite, which keeps its foreign keys, refuses them.
import { sql } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { openPostgresDialect } from './postgres/postgres-dialect.js';
import { openSqliteDialect } from './sqlite/sqlite-dialect.js';
import { forEachDialect } from './test-support/dialects.js';
import { ENGINE_ORPHAN_CHECKS, engineOrphans } from './test-support/engine-integrity.js';
import { aRecord, aSequence, aUser, T0 } from './test-support/fixtures.js';

// An enrollment row (ended, so enrollments_one_running_key lets several of one record in) and a history
// row, each pointing at what the test names, missing or not.
const enrollmentRow = (id: string, recordId: string, ownerId: string, sequenceId: string, version: number) =>
  sql`INSERT INTO enrollments (id, sequence_id, sequence_version, record_id, owner_id, status, end_reason, started_at, ended_at)
      VALUES (${id}, ${sequenceId}, ${version}, ${recordId}, ${ownerId}, 'completed', 'completed', ${T0}, ${T0})`;
const historyRow = (id: string, enrollmentId: string) =>
  sql`INSERT INTO enrollment_steps (id, enrollment_id, step_id, type, state, owner_id, record_id, sequence_id)
      VALUES (${id}, ${enrollmentId}, 'e1', 'email', 'waiting', 'usr_x', 'rec_x', 'seq_x')`;

forEachDialect('engine rows without foreign keys', (t) => {
  it('each dangling enrollment or history row is found (PostgreSQL) or refused (SQLite)', async () => {
    const store = t.store();
    const owner = await store.users.create(aUser());
    const record = await store.records.create(aRecord(owner.id));
    const sequence = await store.sequences.create(aSequence(owner.id));
    const { url, options } = t.database();
    const dialect =
      t.dialect === 'sqlite'
        ? openSqliteDialect(url, { busyTimeoutMs: 1000 })
        : openPostgresDialect(url, { schema: options.schema ?? null, maxConnections: 1 });
    const dangling = [
      enrollmentRow('enr_1', 'rec_missing', owner.id, sequence.id, 1),
      enrollmentRow('enr_2', record.id, 'usr_missing', sequence.id, 1),
      enrollmentRow('enr_3', record.id, owner.id, sequence.id, 99),
      historyRow('enr_missing:0', 'enr_missing'),
    ];
    try {
      if (t.dialect === 'sqlite') {
        for (const row of dangling)
          await expect(row.execute(dialect.db)).rejects.toMatchObject({ reason: 'missing_reference' });
        return;
      }
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      try {
        // A well-formed row is not counted.
        await enrollmentRow('enr_ok', record.id, owner.id, sequence.id, 1).execute(dialect.db);
        await historyRow('enr_ok:0', 'enr_ok').execute(dialect.db);
        expect(await engineOrphans(pool, t.database().location)).toEqual({});
        for (const row of dangling) await row.execute(dialect.db);
        expect(await engineOrphans(pool, t.database().location)).toEqual(
          Object.fromEntries(Object.keys(ENGINE_ORPHAN_CHECKS).map((kind) => [kind, 1])),
        );
      } finally {
        // Leave the schema clean: the check after this test would fail it.
        await sql`DELETE FROM enrollment_steps`.execute(dialect.db);
        await sql`DELETE FROM enrollments`.execute(dialect.db);
        await pool.end();
      }
    } finally {
      await dialect.close();
    }
  });
});
