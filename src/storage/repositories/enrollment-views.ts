// Read models of enrollments: the seller's work list (one statement per page, keyset on (due_at, id)),
// and a record's current steps. Writes happen only through the engine's commit.
import { type Kysely, sql } from 'kysely';
import { type EntityType, MANUAL_ACTIVITY_TYPES, type StepType } from '../../domain/definition.js';
import type { EnrollmentStepState, EnrollmentViewRepository, WorkRow } from '../../engine/ports/store.js';
import { decodeCursor, instantColumn, keyset, pageLimit, stepRowIdColumn, toPage } from '../cursor.js';
import type { Database } from '../schema.js';
import type { RepositoryContext } from './context.js';

/** One owner's work items, by (due_at, history row id). */
const WORKLIST = keyset('worklist', [instantColumn, stepRowIdColumn]);

// Literal predicates (never parameters), so both planners can match the partial indexes' WHERE clauses.
const MANUAL_TYPES = sql.raw(MANUAL_ACTIVITY_TYPES.map((type) => `'${type}'`).join(', '));
/** enrollment_steps_worklist_idx: steps a seller can work now. */
const OPEN = sql<boolean>`s.state = 'open'`;
/** enrollment_steps_scheduled_idx: manual steps that open later (scheduled or snoozed). */
const SCHEDULED = sql<boolean>`s.state = 'waiting' AND s.type IN (${MANUAL_TYPES})`;

interface RawWorkRow {
  id: string;
  enrollment_id: string;
  step_id: string;
  type: string;
  state: string;
  owner_id: string;
  due_at: number | string | null;
  snoozed_at: number | string | null;
  sequence_id: string;
  sequence_version: number;
  sequence_name: string;
  record_id: string;
  record_name: string;
  record_type: string;
  record_email: string | null;
  record_phone: string | null;
  record_linkedin_url: string | null;
  enrollment_status: string;
}

const num = (value: number | string | null): number | null => (value === null ? null : Number(value));

function toWorkRow(row: RawWorkRow): WorkRow {
  return {
    id: row.id,
    enrollmentId: row.enrollment_id,
    stepId: row.step_id,
    type: row.type as StepType,
    state: row.state as EnrollmentStepState,
    ownerId: row.owner_id,
    dueAt: num(row.due_at),
    snoozedAt: num(row.snoozed_at),
    sequenceId: row.sequence_id,
    sequenceVersion: Number(row.sequence_version),
    sequenceName: row.sequence_name,
    enrollmentStatus: row.enrollment_status === 'paused' ? 'paused' : 'active',
    record: {
      id: row.record_id,
      name: row.record_name,
      type: row.record_type as EntityType,
      email: row.record_email,
      phone: row.record_phone,
      linkedinUrl: row.record_linkedin_url,
    },
  };
}

/** History rows joined to their enrollment. */
const stepsOf = (db: Kysely<Database>) =>
  db.selectFrom('enrollment_steps as s').innerJoin('enrollments as e', 'e.id', 's.enrollment_id');

/** The record's columns a work item carries, read through the join by primary key. */
const RECORD_COLUMNS = [
  'r.name as record_name',
  'r.type as record_type',
  'r.email as record_email',
  'r.phone as record_phone',
  'r.linkedin_url as record_linkedin_url',
] as const;

const STEP_COLUMNS = [
  's.id',
  's.enrollment_id',
  's.step_id',
  's.type',
  's.state',
  's.owner_id',
  's.due_at',
  's.snoozed_at',
  's.sequence_id',
  's.record_id',
  'e.sequence_version',
  'e.status as enrollment_status',
] as const;

export function createEnrollmentViewRepository({ db }: RepositoryContext): EnrollmentViewRepository {
  return {
    async worklist(options) {
      const limit = pageLimit(options);
      const keys = WORKLIST.of(options.ownerId);
      const after = decodeCursor(options, keys);
      // One range scan per partial index, each stopping after limit + 1 rows of active enrollments
      // (paused ones keep their open step but can't be worked), merged by (due_at, id); the names are
      // joined by primary key to at most 2 × (limit + 1) rows.
      const part = (state: typeof OPEN) => {
        let q = stepsOf(db)
          .select(STEP_COLUMNS)
          .where('s.owner_id', '=', options.ownerId)
          .where(state)
          .where('e.status', '=', 'active');
        if (options.dueFrom !== null) q = q.where('s.due_at', '>=', options.dueFrom);
        if (options.dueBefore !== null) q = q.where('s.due_at', '<', options.dueBefore);
        if (after !== null) {
          q = q
            .where('s.due_at', '>=', after[0])
            .where((eb) => eb.or([eb('s.due_at', '>', after[0]), eb('s.id', '>', after[1])]));
        }
        return q
          .orderBy('s.due_at')
          .orderBy('s.id')
          .limit(limit + 1);
      };
      const rows = (await db
        .selectFrom(
          db
            .selectFrom(part(OPEN).as('o'))
            .selectAll()
            .unionAll(db.selectFrom(part(SCHEDULED).as('u')).selectAll())
            .as('w'),
        )
        .innerJoin('records as r', 'r.id', 'w.record_id')
        .innerJoin('sequences as q', 'q.id', 'w.sequence_id')
        .selectAll('w')
        .select(['q.name as sequence_name', ...RECORD_COLUMNS])
        .orderBy('w.due_at')
        .orderBy('w.id')
        .limit(limit + 1)
        .execute()) as unknown as RawWorkRow[];
      return toPage(rows, limit, toWorkRow, keys, (row) => [Number(row.due_at), row.id]);
    },

    async currentSteps(recordId) {
      // enrollments_one_running_key finds the running enrollments, enrollment_steps_enrollment_idx their rows.
      const rows = (await stepsOf(db)
        .innerJoin('records as r', 'r.id', 'e.record_id')
        .innerJoin('sequences as q', 'q.id', 'e.sequence_id')
        .select(STEP_COLUMNS)
        .select(['q.name as sequence_name', ...RECORD_COLUMNS])
        .where('e.record_id', '=', recordId)
        .where('e.exclusive_slot', 'is not', null)
        .where('s.state', 'in', ['open', 'waiting'])
        .orderBy('s.due_at')
        .orderBy('s.id')
        .execute()) as unknown as RawWorkRow[];
      return rows.map(toWorkRow);
    },
  };
}
