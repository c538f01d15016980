// History rows as seller actions and signals need them: by id, or each enrollment's latest sent email,
// joined with the enrollment for its sequence version (step_stats is kept per version).
import type { Kysely, Selectable } from 'kysely';
import type { StepType } from '../../domain/definition.js';
import type { EnrollmentStepState, StepInstance, StepInstanceRepository } from '../../engine/ports/store.js';
import type { Database, EnrollmentStepsTable } from '../schema.js';
import { type RepositoryContext, selectByIds } from './context.js';

const EMAIL_TYPES = ['email', 'automated_email'];

type Row = Selectable<EnrollmentStepsTable> & { sequence_version: number };

function toStepInstance(row: Row): StepInstance {
  return {
    id: row.id,
    enrollmentId: row.enrollment_id,
    stepId: row.step_id,
    type: row.type as StepType,
    state: row.state as EnrollmentStepState,
    ownerId: row.owner_id,
    recordId: row.record_id,
    sequenceId: row.sequence_id,
    sequenceVersion: row.sequence_version,
    proposedDueAt: row.proposed_due_at,
    dueAt: row.due_at,
    openedAt: row.opened_at,
    completedAt: row.completed_at,
    outcome: row.outcome,
    notes: row.notes,
    actorId: row.actor_id,
  };
}

function withVersion(db: Kysely<Database>) {
  return db
    .selectFrom('enrollment_steps as s')
    .innerJoin('enrollments as e', 'e.id', 's.enrollment_id')
    .selectAll('s')
    .select('e.sequence_version');
}

export function createStepInstanceRepository({ db, sql }: RepositoryContext): StepInstanceRepository {
  return {
    async getMany(ids) {
      // enrollment_steps pkey, then enrollments pkey; one statement text whatever the count.
      if (ids.length === 0) return [];
      const rows = await withVersion(db)
        .where((eb) => sql.inIds(eb.ref('s.id'), [...new Set(ids)]))
        .execute();
      return rows.map(toStepInstance);
    },

    async latestSentEmails(enrollmentIds) {
      // enrollment_steps_enrollment_idx: an enrollment has a few dozen rows at most. Row ids sort in
      // the order the steps happened (stepRowId), so the greatest id is the latest email.
      const rows = await selectByIds(enrollmentIds, (chunk) =>
        withVersion(db)
          .where('s.id', 'in', (eb) =>
            eb
              .selectFrom('enrollment_steps')
              .select((f) => f.fn.max('id').as('id'))
              .where((eb) => sql.inIds(eb.ref('enrollment_id'), chunk))
              .where('type', 'in', EMAIL_TYPES)
              .where('state', '=', 'completed')
              .groupBy('enrollment_id'),
          )
          .execute(),
      );
      return rows.map(toStepInstance);
    },
  };
}
