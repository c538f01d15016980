// What the foreign keys PostgreSQL's 0011 dropped used to guarantee: no enrollment without its record,
// owner or sequence version, and no history row without its enrollment. Only the engine writes these
// rows; dialects.ts runs this check after every PostgreSQL test that passed, so a write path that breaks
// the rule fails the test that exercised it. SQLite keeps the foreign keys and refuses such a row itself.
import type pg from 'pg';

/** Each kind of dangling engine row: what points at what. */
export const ENGINE_ORPHAN_CHECKS = {
  'enrollment without its record': `SELECT count(*) FROM {s}.enrollments e
     WHERE NOT EXISTS (SELECT 1 FROM {s}.records r WHERE r.id = e.record_id)`,
  'enrollment without its owner': `SELECT count(*) FROM {s}.enrollments e
     WHERE NOT EXISTS (SELECT 1 FROM {s}.users u WHERE u.id = e.owner_id)`,
  'enrollment without its sequence version': `SELECT count(*) FROM {s}.enrollments e
     WHERE NOT EXISTS (SELECT 1 FROM {s}.sequence_versions v
                        WHERE v.sequence_id = e.sequence_id AND v.version = e.sequence_version)`,
  'history row without its enrollment': `SELECT count(*) FROM {s}.enrollment_steps h
     WHERE NOT EXISTS (SELECT 1 FROM {s}.enrollments e WHERE e.id = h.enrollment_id)`,
} as const;

/** The dangling rows of each kind in a PostgreSQL schema; only the kinds that have some. */
export async function engineOrphans(pool: pg.Pool, schema: string): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  const tables = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM information_schema.tables
      WHERE table_schema = $1 AND table_name IN ('enrollments', 'enrollment_steps')`,
    [schema],
  );
  if (Number(tables.rows[0]?.n) < 2) return found; // a test that left the schema unmigrated
  for (const [kind, text] of Object.entries(ENGINE_ORPHAN_CHECKS)) {
    const { rows } = await pool.query<{ count: string }>(text.replaceAll('{s}', schema));
    const count = Number(rows[0]?.count);
    if (count > 0) found[kind] = count;
  }
  return found;
}
