// Claims due enrollments on PostgreSQL: several workers side by side, each skipping rows another
// worker's claim has locked (FOR UPDATE SKIP LOCKED) and rows whose lease has not expired yet.
// Index: enrollments_due_idx (due_at) WHERE status = 'active' AND due_at IS NOT NULL, walked in
// due_at order; the LIMIT stops the walk. No version bump here: the commit's fence (version) is what
// makes a worker that lost its lease change nothing; the lease only keeps workers off each other's rows.
import { CompiledQuery, type Kysely } from 'kysely';
import { ENGINE_ENROLLMENT_COLUMNS, type EngineEnrollmentRow } from '../engine/engine-sql.js';
import type { Database } from '../schema.js';

// RETURNING has no order: the claimed rows come back sorted by (due_at, id), so enrollments due at the
// same instant are worked (and their emails queued) in the order they were created, as on SQLite (its
// walk of the due index). Unsorted, 8 records connected together sent in a different order each run.
const CLAIM_DUE = `
WITH claimed AS (
UPDATE enrollments
   SET lease_until = $1, lease_owner = $2
 WHERE id IN (SELECT id FROM enrollments
               WHERE status = 'active' AND due_at IS NOT NULL AND due_at <= $3
                 AND (lease_until IS NULL OR lease_until < $3)
               ORDER BY due_at
               LIMIT $4
               FOR UPDATE SKIP LOCKED)
RETURNING ${ENGINE_ENROLLMENT_COLUMNS})
SELECT * FROM claimed ORDER BY due_at, id`;

export async function postgresClaimDue(
  db: Kysely<Database>,
  now: number,
  limit: number,
  leaseOwner: string,
  leaseUntil: number,
): Promise<EngineEnrollmentRow[]> {
  const result = await db.executeQuery<EngineEnrollmentRow>(
    CompiledQuery.raw(CLAIM_DUE, [leaseUntil, leaseOwner, now, limit]),
  );
  return result.rows;
}
