// Enrollments and their steps: the minimal statements (create, read, end). The engine's hot-path
// statements (claim due, batch transitions, work list) live beside this in their own files.
import type { EnrollmentRepository, EnrollmentStatus } from '../../engine/ports/store.js';
import { toJson } from '../codec.js';
import { decodeCursor, idColumn, keyset, pageLimit, toPage } from '../cursor.js';
import { type RepositoryContext, selectByIds } from './context.js';
import { toEnrollment, toEnrollmentStep } from './enrollment-rows.js';
import { listSequenceEnrollments } from './sequence-enrollments.js';

/** One record's enrollments, newest first, by id. */
const RECORD_ENROLLMENTS = keyset('record-enrollments', [idColumn('enr')]);

const RUNNING: EnrollmentStatus[] = ['active', 'paused'];

export function createEnrollmentRepository(context: RepositoryContext): EnrollmentRepository {
  const { db, sql } = context;
  return {
    async create(enrollment) {
      // enrollments_one_running_key rejects a second running enrollment in the same slot.
      const row = await db
        .insertInto('enrollments')
        .values({
          id: enrollment.id,
          sequence_id: enrollment.sequenceId,
          sequence_version: enrollment.sequenceVersion,
          record_id: enrollment.recordId,
          owner_id: enrollment.ownerId,
          status: 'active',
          end_reason: null,
          current_step_id: enrollment.currentStepId ?? null,
          due_at: enrollment.dueAt ?? null,
          state: toJson(enrollment.state),
          lease_until: null,
          lease_owner: null,
          started_at: enrollment.startedAt,
          ended_at: null,
          exclusive_slot: enrollment.exclusivity === 'record' ? '' : enrollment.sequenceId,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toEnrollment(row);
    },

    async get(id) {
      const row = await db.selectFrom('enrollments').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toEnrollment(row);
    },

    async listRunningForRecord(recordId) {
      // enrollments_one_running_key (record_id prefix; only running rows are in it).
      const rows = await db
        .selectFrom('enrollments')
        .selectAll()
        .where('record_id', '=', recordId)
        .where('exclusive_slot', 'is not', null)
        .orderBy('id')
        .execute();
      return rows.map(toEnrollment);
    },

    async latestByRecord(recordIds) {
      // enrollments_one_running_key (record_id prefix; since 0016 it holds ended enrollments too).
      const rows = await selectByIds([...new Set(recordIds)], (chunk) =>
        db
          .selectFrom('enrollments')
          .select(['record_id', (eb) => eb.fn.max('id').as('id')])
          .where((eb) => sql.inIds(eb.ref('record_id'), chunk))
          .groupBy('record_id')
          .execute(),
      );
      return rows.map((row) => ({ recordId: row.record_id, enrollmentId: row.id }));
    },

    async listByRecord(recordId, options) {
      const limit = pageLimit(options);
      const keys = RECORD_ENROLLMENTS.of(recordId);
      const before = decodeCursor(options, keys);
      // enrollments_one_running_key (record_id prefix; since 0016 it holds ended enrollments too), the
      // few rows of one record sorted by id.
      let query = db
        .selectFrom('enrollments')
        .selectAll()
        .where('record_id', '=', recordId)
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (before !== null) query = query.where('id', '<', before[0]);
      const rows = await query.execute();
      return toPage(rows, limit, toEnrollment, keys, (row) => [row.id]);
    },

    // sequence-enrollments.ts: by status (enrollments_sequence_status_idx), newest first, or by record name.
    listBySequence: (sequenceId, options) => listSequenceEnrollments(context, sequenceId, options),

    async end(id, end) {
      const result = await db
        .updateTable('enrollments')
        .set((eb) => ({
          status: end.status,
          end_reason: end.endReason,
          ended_at: end.endedAt,
          due_at: null,
          lease_until: null,
          lease_owner: null,
          exclusive_slot: null,
          version: eb(eb.ref('version'), '+', 1),
        }))
        .where('id', '=', id)
        .where('status', 'in', RUNNING)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async createStep(step) {
      const row = await db
        .insertInto('enrollment_steps')
        .values({
          id: step.id,
          enrollment_id: step.enrollmentId,
          step_id: step.stepId,
          type: step.type,
          state: step.state,
          owner_id: step.ownerId,
          record_id: step.recordId,
          sequence_id: step.sequenceId,
          proposed_due_at: step.proposedDueAt ?? null,
          due_at: step.dueAt ?? null,
          opened_at: step.openedAt ?? null,
          completed_at: step.completedAt ?? null,
          outcome: step.outcome ?? null,
          notes: step.notes ?? null,
          actor_id: step.actorId ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toEnrollmentStep(row);
    },

    async listSteps(enrollmentId) {
      // enrollment_steps_enrollment_idx
      const rows = await db
        .selectFrom('enrollment_steps')
        .selectAll()
        .where('enrollment_id', '=', enrollmentId)
        .orderBy('id')
        .execute();
      return rows.map(toEnrollmentStep);
    },
  };
}
