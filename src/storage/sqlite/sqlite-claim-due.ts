// Claims due enrollments on SQLite: one UPDATE … RETURNING inside BEGIN IMMEDIATE (SQLite has one
// writer, so there is nothing to skip). Index: enrollments_due_idx (due_at) WHERE status = 'active'
// AND due_at IS NOT NULL — the predicate is repeated so the planner can use the partial index.
// Leased rows stay in the index and are stepped over (lease_until filter); they are few (in-flight
// batches). Not done: a SELECT then an UPDATE … WHERE id IN (…) — one statement does both here.
import { CompiledQuery, type Kysely } from 'kysely';
import { ENGINE_ENROLLMENT_COLUMNS, type EngineEnrollmentRow } from '../engine/engine-sql.js';
import type { Database } from '../schema.js';

const CLAIM_DUE = `
UPDATE enrollments
   SET lease_until = ?, lease_owner = ?
 WHERE id IN (SELECT id FROM enrollments
               WHERE status = 'active' AND due_at IS NOT NULL AND due_at <= ?
                 AND (lease_until IS NULL OR lease_until < ?)
               ORDER BY due_at
               LIMIT ?)
RETURNING ${ENGINE_ENROLLMENT_COLUMNS}`;

export async function sqliteClaimDue(
  db: Kysely<Database>,
  now: number,
  limit: number,
  leaseOwner: string,
  leaseUntil: number,
): Promise<EngineEnrollmentRow[]> {
  return db.transaction().execute(async (trx) => {
    const result = await trx.executeQuery<EngineEnrollmentRow>(
      CompiledQuery.raw(CLAIM_DUE, [leaseUntil, leaseOwner, now, now, limit]),
    );
    return result.rows;
  });
}
