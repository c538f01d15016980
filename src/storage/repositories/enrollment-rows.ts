// Enrollment and enrollment-step rows as the engine reads them: shared by the enrollment repository and
// the per-sequence lists (sequence-enrollments.ts), which it delegates to.
import type { Selectable } from 'kysely';
import type { StepType } from '../../domain/definition.js';
import type {
  EndReason,
  Enrollment,
  EnrollmentStatus,
  EnrollmentStep,
  EnrollmentStepState,
  JsonObject,
} from '../../engine/ports/store.js';
import { fromJson } from '../codec.js';
import type { EnrollmentStepsTable, EnrollmentsTable } from '../schema.js';

export function toEnrollment(row: Selectable<EnrollmentsTable>): Enrollment {
  return {
    id: row.id,
    sequenceId: row.sequence_id,
    sequenceVersion: row.sequence_version,
    recordId: row.record_id,
    ownerId: row.owner_id,
    status: row.status as EnrollmentStatus,
    endReason: row.end_reason as EndReason | null,
    currentStepId: row.current_step_id,
    dueAt: row.due_at,
    state: fromJson<JsonObject>(row.state),
    leaseUntil: row.lease_until,
    leaseOwner: row.lease_owner,
    version: row.version,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

export function toEnrollmentStep(row: Selectable<EnrollmentStepsTable>): EnrollmentStep {
  return {
    id: row.id,
    enrollmentId: row.enrollment_id,
    stepId: row.step_id,
    type: row.type as StepType,
    state: row.state as EnrollmentStepState,
    ownerId: row.owner_id,
    recordId: row.record_id,
    sequenceId: row.sequence_id,
    proposedDueAt: row.proposed_due_at,
    dueAt: row.due_at,
    openedAt: row.opened_at,
    completedAt: row.completed_at,
    outcome: row.outcome,
    notes: row.notes,
    actorId: row.actor_id,
  };
}
