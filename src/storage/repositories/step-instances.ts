// History rows as seller actions and signals need them: by id, or each enrollment's latest sent email,
// with the sequence version their enrollment runs (step_stats is kept per version).
//
// The version comes from sequence_versions when the sequence has exactly one (every enrollment of it
// then runs that one: an enrollment's version exists, a foreign key on SQLite, on PostgreSQL the engine's
// rule that every test checks (migration 0011); a history row's sequence_id is its
// enrollment's), and from the enrollment row only otherwise: the join read two more cold pages per row
// (enrollments autoindex, then the row). POST /api/signals on a copy of the 1,000,000-enrollment API
// world (bench/api's 100 batches of 1,000, 2 connections, 6–7 interleaved runs each, load 1–1.8): the
// lookup ~10 → ~7 µs per signal without the join, ~4.5 µs with only the columns a signal needs
// (signalSteps: `s.*` made 16-property rows); server CPU per batch 36.1 → 33.6 ms (median), its main
// thread 29.4 → 25.9 ms. On PostgreSQL (1,000,000 rows, 800 ids) the statement 3.6 → 2.6 ms.
// All three reads then take the versions once per sequence after the rows (versionsOf) instead of by a
// subquery per row: for the signal intake's two, in-process, 8 concurrent batches, ~5.7 → ~3.6 µs and
// ~1.4 → ~0.8 µs per signal.
import type { Selectable } from 'kysely';
import type { StepType } from '../../domain/definition.js';
import type { SignalStep, StepInstance, StepInstanceRepository } from '../../engine/ports/store.js';
import type { EnrollmentStepsTable } from '../schema.js';
import { type RepositoryContext, selectByIds } from './context.js';
import { toEnrollmentStep } from './enrollment-rows.js';

const EMAIL_TYPES = ['email', 'automated_email'];

type Row = Selectable<EnrollmentStepsTable> & { sequence_version: number };

function toStepInstance(row: Row): StepInstance {
  return { ...toEnrollmentStep(row), sequenceVersion: row.sequence_version };
}

const SIGNAL_COLUMNS = [
  's.id',
  's.enrollment_id',
  's.step_id',
  's.type',
  's.record_id',
  's.sequence_id',
] as const;

type SignalRow = Pick<
  Row,
  'id' | 'enrollment_id' | 'step_id' | 'type' | 'record_id' | 'sequence_id' | 'sequence_version'
>;

export function createStepInstanceRepository({ db, sql }: RepositoryContext): StepInstanceRepository {
  /**
   * The version each row's enrollment runs: its sequence's only version (sequence_versions pkey, one
   * statement for the few sequences), else the enrollment's own (enrollments pkey). Read after the rows:
   * a sequence that has one version now had one when they were read.
   */
  async function versionsOf(
    rows: readonly { enrollment_id: string; sequence_id: string }[],
  ): Promise<(row: { enrollment_id: string; sequence_id: string }) => number | undefined> {
    const only = new Map<string, number>();
    const sequenceIds = [...new Set(rows.map((r) => r.sequence_id))];
    if (sequenceIds.length > 0)
      for (const v of await db
        .selectFrom('sequence_versions')
        .select(['sequence_id', (f) => f.fn.max('version').as('version')])
        .where((eb) => sql.inIds(eb.ref('sequence_id'), sequenceIds))
        .groupBy('sequence_id')
        .having((f) => f.fn.countAll(), '=', 1)
        .execute())
        only.set(v.sequence_id, Number(v.version));
    const others = [...new Set(rows.filter((r) => !only.has(r.sequence_id)).map((r) => r.enrollment_id))];
    const own = new Map<string, number>();
    if (others.length > 0)
      for (const e of await db
        .selectFrom('enrollments')
        .select(['id', 'sequence_version'])
        .where((eb) => sql.inIds(eb.ref('id'), others))
        .execute())
        own.set(e.id, Number(e.sequence_version));
    return (row) => only.get(row.sequence_id) ?? own.get(row.enrollment_id);
  }

  async function withVersions(rows: readonly Omit<SignalRow, 'sequence_version'>[]): Promise<SignalStep[]> {
    const versions = await versionsOf(rows);
    const out: SignalStep[] = [];
    for (const row of rows) {
      const version = versions(row);
      // Always found: a history row's enrollment exists, and so does its version (foreign keys on SQLite;
      // on PostgreSQL the engine's rule, checked after every test: test-support/engine-integrity.ts).
      if (version === undefined) continue;
      out.push({
        id: row.id,
        enrollmentId: row.enrollment_id,
        stepId: row.step_id,
        type: row.type as StepType,
        recordId: row.record_id,
        sequenceId: row.sequence_id,
        sequenceVersion: version,
      });
    }
    return out;
  }

  return {
    async getMany(ids) {
      // enrollment_steps pkey; one statement text whatever the count.
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('enrollment_steps as s')
        .selectAll('s')
        .where((eb) => sql.inIds(eb.ref('s.id'), [...new Set(ids)]))
        .execute();
      const versions = await versionsOf(rows);
      return rows.flatMap((row) => {
        const version = versions(row);
        return version === undefined ? [] : [toStepInstance({ ...row, sequence_version: version })];
      });
    },

    async signalSteps(ids) {
      // enrollment_steps pkey; one statement text whatever the count. The versions are read per sequence
      // afterwards (versionsOf), not by a subquery per row.
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('enrollment_steps as s')
        .select(SIGNAL_COLUMNS)
        .where((eb) => sql.inIds(eb.ref('s.id'), [...new Set(ids)]))
        .execute();
      return withVersions(rows);
    },

    async latestSentEmails(enrollmentIds) {
      // enrollment_steps_enrollment_idx: an enrollment has a few dozen rows at most. Row ids sort in
      // the order the steps happened (stepRowId), so the greatest id is the latest email.
      const rows = await selectByIds(enrollmentIds, (chunk) =>
        db
          .selectFrom('enrollment_steps as s')
          .select(SIGNAL_COLUMNS)
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
      return withVersions(rows);
    },
  };
}
