// A sequence's connected records (GET /api/sequences/{id}/enrollments): one status or all, a seller's own,
// found by the record's name or email, in one of three orders, a keyset page at a time. No new index:
// one on enrollments would cost every connect of 100,000 records another b-tree insert per enrollment
// (see 0016_enrollments_by_record.sql), and each order below is served by enrollments_sequence_status_idx
// (sequence_id, status, id) or measured fine without one (docs/benchmarks.md, "Connected records").
import { createHash } from 'node:crypto';
import { type ExpressionBuilder, sql } from 'kysely';
import {
  ENROLLMENT_STATUSES,
  type Enrollment,
  type EnrollmentListOptions,
  type EnrollmentStatus,
  type Page,
} from '../../engine/ports/store.js';
import { containsPattern } from '../codec.js';
import { decodeCursor, idColumn, keyset, oneOfColumn, pageLimit, textColumnUpTo, toPage } from '../cursor.js';
import type { Database } from '../schema.js';
import type { RepositoryContext } from './context.js';
import { toEnrollment } from './enrollment-rows.js';

type EnrollmentScope = ExpressionBuilder<Database & { e: Database['enrollments'] }, 'e'>;

/** One sequence's enrollments by (status, id): the default order, without a search. */
const BY_STATUS = keyset('sequence-enrollments', [oneOfColumn(ENROLLMENT_STATUSES), idColumn('enr')]);
/** Newest connected first, by id. */
const NEWEST = keyset('sequence-enrollments-newest', [idColumn('enr')]);
/** By the record's name (at most 500 characters, record-columns.ts), then id. */
const BY_NAME = keyset('sequence-enrollments-name', [textColumnUpTo(500), idColumn('enr')]);

/**
 * A search's cursors name it too (a digest of its text): a cursor handed out for one search is refused
 * (invalid_cursor) for another instead of skipping rows silently. Each order has its own list name.
 */
function searchKey(q: string | undefined): string {
  if (q === undefined) return '';
  return `:${createHash('sha256').update(q).digest('base64url').slice(0, 16)}`;
}

export async function listSequenceEnrollments(
  { db, sql: dialectSql }: RepositoryContext,
  sequenceId: string,
  options: EnrollmentListOptions = {},
): Promise<Page<Enrollment>> {
  const limit = pageLimit(options);
  const sort = options.sort ?? 'status';
  const q = options.q === '' ? undefined : options.q;
  const pattern = q === undefined ? null : containsPattern(q);
  const parent = `${sequenceId}${searchKey(q)}`;

  /** The record's name or email holds `q` (records.ts `list` tests name, email and company the same way). */
  const found = (eb: EnrollmentScope, like: string) =>
    eb.exists(
      eb
        .selectFrom('records as r')
        .select(sql.lit(1).as('one'))
        .whereRef('r.id', '=', 'e.record_id')
        .where((r) =>
          r.or([
            dialectSql.likeInsensitive(r.ref('r.name'), like),
            dialectSql.likeInsensitive(r.ref('r.email'), like),
          ]),
        ),
    );

  /** The sequence's enrollments (of one status, of one owner, found by `q`), not yet ordered. */
  const scope = (status: EnrollmentStatus | undefined) => {
    let query = db.selectFrom('enrollments as e').selectAll('e').where('e.sequence_id', '=', sequenceId);
    if (status !== undefined) query = query.where('e.status', '=', status);
    // A seller's view: the same walk, rows of other owners stepped over.
    if (options.ownerId !== undefined) query = query.where('e.owner_id', '=', options.ownerId);
    if (pattern !== null) query = query.where((eb) => found(eb, pattern));
    return query;
  };

  switch (sort) {
    case 'status': {
      // enrollments_sequence_status_idx, walked in (status, id) order: one status, or all grouped by status;
      // a search tests each walked row's record by primary key and stops at a full page.
      const keys = BY_STATUS.of(parent);
      const after = decodeCursor(options, keys);
      let query = scope(options.status)
        .orderBy('e.status')
        .orderBy('e.id')
        .limit(limit + 1);
      if (after !== null)
        query = query.where((eb) => eb(eb.refTuple('e.status', 'e.id'), '>', eb.tuple(after[0], after[1])));
      const rows = await query.execute();
      return toPage(rows, limit, toEnrollment, keys, (row) => [row.status as EnrollmentStatus, row.id]);
    }
    case 'newest': {
      // Newest connected first (ids are time-ordered). enrollments_sequence_status_idx serves one status
      // walked backwards; for all of them, one such walk per status, each stopped at a page, and the few
      // rows merged: the index gives (status, id) order, never id order across statuses.
      const keys = NEWEST.of(parent);
      const after = decodeCursor(options, keys);
      const branch = (status: EnrollmentStatus) => {
        let query = scope(status)
          .orderBy('e.id', 'desc')
          .limit(limit + 1);
        if (after !== null) query = query.where('e.id', '<', after[0]);
        return query;
      };
      const statuses = options.status === undefined ? ENROLLMENT_STATUSES : [options.status];
      const [first, ...others] = statuses.map((status, i) =>
        db.selectFrom(branch(status).as(`s${i}`)).selectAll(),
      );
      if (first === undefined) return { items: [], nextCursor: null };
      const merged = others.reduce((union, next) => union.unionAll(next), first);
      const rows = await db
        .selectFrom(merged.as('u'))
        .selectAll()
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, toEnrollment, keys, (row) => [row.id]);
    }
    case 'name': {
      // The record's name A–Z (byte order, as the records list; PostgreSQL's records.name is COLLATE "C"),
      // then connection order. No index holds an enrollment's record name: the sequence's rows are read by
      // enrollments_sequence_status_idx, joined to their records by primary key and the top page sorted;
      // 100,000 connected records measured in docs/benchmarks.md. A search narrows the rows first.
      const keys = BY_NAME.of(parent);
      const after = decodeCursor(options, keys);
      let query = db
        .selectFrom('enrollments as e')
        .innerJoin('records as r', 'r.id', 'e.record_id')
        .selectAll('e')
        .select('r.name as record_name')
        .where('e.sequence_id', '=', sequenceId)
        .orderBy('r.name')
        .orderBy('e.id')
        .limit(limit + 1);
      if (options.status !== undefined) query = query.where('e.status', '=', options.status);
      if (options.ownerId !== undefined) query = query.where('e.owner_id', '=', options.ownerId);
      if (pattern !== null)
        query = query.where((eb) =>
          eb.or([
            dialectSql.likeInsensitive(eb.ref('r.name'), pattern),
            dialectSql.likeInsensitive(eb.ref('r.email'), pattern),
          ]),
        );
      if (after !== null)
        query = query.where((eb) => eb(eb.refTuple('r.name', 'e.id'), '>', eb.tuple(after[0], after[1])));
      const rows = await query.execute();
      return toPage(rows, limit, toEnrollment, keys, (row) => [row.record_name, row.id]);
    }
    default: {
      const unknown: never = sort;
      throw new Error(`No such order of connected records: ${String(unknown)}`);
    }
  }
}
