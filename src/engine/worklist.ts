// The seller's work list (api.md "Work list"): open and scheduled manual steps of one owner, by due time,
// with "today" in the owner's time zone. One statement per page; step names come from the cached definitions.
import { DateTime } from 'luxon';
import type { StepType } from '../domain/definition.js';
import type { EngineDeps } from './deps.js';
import { definitionKey, engineCache } from './engine-cache.js';
import { BadRequestError, ForbiddenError } from './errors.js';
import type { EnrollmentStepState, Page, WorkRecord, WorkRow } from './ports/store.js';
import type { ActingUser } from './sequences/stored-sequence.js';

export const WORKLIST_WHEN = ['overdue', 'today', 'upcoming', 'all'] as const;
/**
 * - `overdue`: due before today began (owner's zone); `today`: due today; `upcoming`: due from tomorrow on;
 * - `all`: every open or scheduled step. The three first are disjoint and together make `all`.
 */
export type WorklistWhen = (typeof WORKLIST_WHEN)[number];

export interface WorkItem {
  /** The enrollment step (history row) id that /api/enrollment-steps/{id} takes. */
  id: string;
  enrollmentId: string;
  /** The record, with its email, phone and LinkedIn profile (joined in the same statement). */
  record: WorkRecord;
  sequence: { id: string; name: string };
  step: {
    id: string;
    type: StepType;
    name: string | null;
    description: string | null;
    templateId: string | null;
  };
  dueAt: number | null;
  state: EnrollmentStepState;
  /** When a seller last snoozed the step, or null: `waiting` with it, the step opens at dueAt, the seller's time. */
  snoozedAt: number | null;
  /** `paused`: the step can't be worked until the enrollment resumes (only a record's up next shows these). */
  enrollmentStatus: 'active' | 'paused';
}

export interface WorklistQuery {
  when: WorklistWhen;
  /** Managers: whose work list (default their own). A salesperson may name only themselves. */
  ownerId?: string | undefined;
  limit: number;
  cursor: string | null;
}

/** Rows as work items: each step's name, description and template from its sequence version's definition. */
export async function toWorkItems(deps: EngineDeps, rows: readonly WorkRow[]): Promise<WorkItem[]> {
  const definitions = await engineCache(deps.store).definitions(
    deps.store,
    rows.map((row) => ({ sequenceId: row.sequenceId, version: row.sequenceVersion })),
  );
  return rows.map((row) => {
    const definition = definitions.get(definitionKey(row.sequenceId, row.sequenceVersion))?.definition;
    const step = definition?.steps.find((s) => s.id === row.stepId);
    return {
      id: row.id,
      enrollmentId: row.enrollmentId,
      record: row.record,
      sequence: { id: row.sequenceId, name: row.sequenceName },
      step: {
        id: row.stepId,
        type: row.type,
        name: step?.name ?? null,
        description: step?.description ?? null,
        templateId: step !== undefined && 'templateId' in step ? (step.templateId ?? null) : null,
      },
      dueAt: row.dueAt,
      state: row.state,
      snoozedAt: row.snoozedAt,
      enrollmentStatus: row.enrollmentStatus,
    };
  });
}

export async function listWorklist(
  deps: EngineDeps,
  actor: ActingUser,
  query: WorklistQuery,
): Promise<Page<WorkItem>> {
  const ownerId = query.ownerId ?? actor.id;
  if (actor.role === 'salesperson' && ownerId !== actor.id)
    throw new ForbiddenError('A salesperson sees only their own work list.');
  // Another user's list: they must exist, whatever `when` (an unknown id is a mistake, not an empty list).
  const owner = ownerId === actor.id ? null : await deps.store.users.get(ownerId);
  if (ownerId !== actor.id && owner === null)
    throw new BadRequestError('No such owner.', [
      { code: 'owner_not_found', path: '/ownerId', message: 'No user has this id.' },
    ]);
  let dueFrom: number | null = null;
  let dueBefore: number | null = null;
  if (query.when !== 'all') {
    const zone = owner?.timezone ?? (await deps.store.users.get(actor.id))?.timezone ?? 'UTC';
    const now = DateTime.fromMillis(deps.clock.now(), { zone });
    const startOfToday = now.startOf('day').toMillis();
    // Tomorrow's own start, not today's start plus a day: where a day's midnight does not exist (DST at
    // 00:00: Santiago, Havana, Beirut) today starts at 01:00, and tomorrow still starts at 00:00.
    const startOfTomorrow = now.plus({ days: 1 }).startOf('day').toMillis();
    if (query.when === 'overdue') dueBefore = startOfToday;
    else if (query.when === 'today') {
      dueFrom = startOfToday;
      dueBefore = startOfTomorrow;
    } else dueFrom = startOfTomorrow;
  }
  const page = await deps.store.enrollmentViews.worklist({
    ownerId,
    dueFrom,
    dueBefore,
    limit: query.limit,
    cursor: query.cursor,
  });
  return { items: await toWorkItems(deps, page.items), nextCursor: page.nextCursor };
}
