// What the engine's statements spell differently per dialect (kysely's pattern: a small interface,
// one implementation per dialect folder). The statements themselves are in engine-repository.ts.
import { CompiledQuery, type Kysely } from 'kysely';
import type {
  AuditEntry,
  OutboxRelease,
  StartBatch,
  StartMember,
  StartStep,
  StatDelta,
  StepHistoryInsert,
  StepHistoryPatch,
} from '../../engine/ports/store.js';
import { deletionCount, RECORD_DELETIONS_KEY } from '../repositories/record-deletions.js';
import type { Database } from '../schema.js';

export type ParamType = 'text' | 'int' | 'bigint' | 'json' | 'texts';

/** The columns the engine reads of an enrollment row. */
export interface EngineEnrollmentRow {
  id: string;
  sequence_id: string;
  sequence_version: number;
  record_id: string;
  owner_id: string;
  status: string;
  end_reason: string | null;
  current_step_id: string | null;
  due_at: number | null;
  state: string;
  version: number;
  started_at: number;
}

export const ENGINE_ENROLLMENT_COLUMNS =
  'id, sequence_id, sequence_version, record_id, owner_id, status, end_reason, current_step_id, due_at, state, version, started_at';

export interface EngineSql {
  /** The bind placeholder of the `n`th parameter (1-based). */
  param(n: number, type: ParamType): string;
  /**
   * `column` is one of `ids`, as ONE bound parameter whatever the count (no chunks of IN lists, so one
   * round trip on PostgreSQL for a 100,000-record connect): `= ANY($n::text[])` on PostgreSQL,
   * `IN (SELECT value FROM json_each(?))` on SQLite. Both probe the column's index once per id.
   */
  inIds(p: Params, column: string, ids: readonly string[]): string;
  claimDue(
    db: Kysely<Database>,
    now: number,
    limit: number,
    leaseOwner: string,
    leaseUntil: number,
  ): Promise<EngineEnrollmentRow[]>;
  /** Sent inside a commit that made work due soon; null when the dialect has no NOTIFY. */
  readonly notifyWork: string | null;
  /** `status, active_version, deleted_at` of sequence `?`/`$1`, share-locked until the transaction ends. */
  readonly sequenceGuard: string;
  /** `value` of settings row `?`/`$1` (the record deletions stamp), share-locked until the transaction ends. */
  readonly recordDeletionsGuard: string;
  /** The commit's set-based writes (one file per dialect: `<db>-engine-writes.ts`). */
  readonly writes: EngineWrites;
  /**
   * connect's bulk start made from the shapes in SQL (connect-writes.ts: `unnest` on PostgreSQL, rows
   * staged in temp tables on SQLite).
   */
  readonly startWrites: StartWrites;
}

/** The enrollment and history rows of a StartBatch, joined in SQL from its members and shapes. */
export interface StartWrites {
  /**
   * The ids inserted (enrollments_one_running_key refuses the others: ON CONFLICT DO NOTHING), or
   * `'all'` when every member's enrollment landed.
   */
  insertEnrollments(db: Kysely<Database>, batch: StartBatch): Promise<ReadonlySet<string> | 'all'>;
  /** The shapes' history rows of `members` (those whose enrollment landed). */
  insertSteps(db: Kysely<Database>, batch: StartBatch, members: readonly StartMember[]): Promise<void>;
  /** The shapes' outbox rows of `members` (called last: SQLite empties its staging then). */
  insertOutbox(db: Kysely<Database>, batch: StartBatch, members: readonly StartMember[]): Promise<void>;
}

/**
 * A shape's history row template as the start writes bind it: `shape` (its index as the dialect numbers
 * shapes), then the row's own columns in the order of enrollment_steps after id, enrollment, owner, record.
 */
export function startStepRow(shape: number, t: StartStep): unknown[] {
  return [
    shape,
    t.idSuffix,
    t.stepId,
    t.type,
    t.state,
    t.sequenceId,
    t.proposedDueAt,
    t.dueAt,
    t.openedAt,
    t.completedAt,
    t.outcome,
    t.notes,
    t.actorId,
  ];
}

/** A fenced enrollment update: lands only when the row is still at `expected`. */
/**
 * Which columns a fenced update changes, so a dialect can leave untouched indexes alone: `state` (only
 * the state text: a signal's fact, a snooze of the same step), `move` (current step and due time too, the
 * status unchanged), `full` (status, end reason, exclusive slot: the enrollment ended, paused or resumed).
 */
export type FenceScope = 'state' | 'move' | 'full';

export interface FenceRow {
  id: string;
  expected: number;
  scope: FenceScope;
  status: string;
  endReason: string | null;
  currentStepId: string | null;
  dueAt: number | null;
  /** The compact state (enrollment-state-codec.ts) as JSON text. */
  state: string;
  endedAt: number | null;
}

export interface EnrollmentInsertRow {
  id: string;
  sequenceId: string;
  sequenceVersion: number;
  recordId: string;
  ownerId: string;
  status: string;
  endReason: string | null;
  currentStepId: string | null;
  dueAt: number | null;
  state: string;
  startedAt: number;
  endedAt: number | null;
  exclusiveSlot: string | null;
}

export interface OutboxRow {
  id: string;
  idempotencyKey: string;
  kind: string;
  /** JSON text. */
  payload: string;
  availableAt: number;
  createdAt: number;
}

/** One record's field writes of a commit merged into one JSON patch (null values remove keys). */
export interface FieldMerge {
  recordId: string;
  patch: string;
  at: number;
}

/**
 * What a commit writes, table by table, inside the caller's transaction. Each takes every row of the
 * commit at once (no chunking by the caller) and is one statement per table on PostgreSQL (unnest of
 * arrays) or one cached prepared statement run per row on SQLite.
 */
export interface EngineWrites {
  /** The ids whose fence held (updated). */
  fence(db: Kysely<Database>, rows: readonly FenceRow[]): Promise<Set<string>>;
  /** The ids inserted (enrollments_one_running_key refuses the others: ON CONFLICT DO NOTHING). */
  insertEnrollments(db: Kysely<Database>, rows: readonly EnrollmentInsertRow[]): Promise<Set<string>>;
  insertSteps(db: Kysely<Database>, rows: readonly StepHistoryInsert[]): Promise<void>;
  patchSteps(db: Kysely<Database>, rows: readonly StepHistoryPatch[]): Promise<void>;
  insertOutbox(db: Kysely<Database>, rows: readonly OutboxRow[]): Promise<void>;
  /** `pending` or `held` rows become `dropped`. */
  dropOutbox(db: Kysely<Database>, idempotencyKeys: readonly string[]): Promise<void>;
  /** `pending` rows become `held` (a paused enrollment's email). */
  holdOutbox(db: Kysely<Database>, idempotencyKeys: readonly string[]): Promise<void>;
  /** `held` rows become `pending` again, due at their `availableAt`. */
  releaseOutbox(db: Kysely<Database>, rows: readonly OutboxRelease[]): Promise<void>;
  /** At most one row per record. */
  mergeFields(db: Kysely<Database>, rows: readonly FieldMerge[]): Promise<void>;
  /** One row per key, in key order (concurrent workers lock counters in the same order). */
  upsertStats(db: Kysely<Database>, rows: readonly StatDelta[]): Promise<void>;
  insertAudit(db: Kysely<Database>, rows: readonly AuditEntry[]): Promise<void>;
}

/** Collects bind values and hands out their placeholders. */
export class Params {
  readonly values: unknown[] = [];
  constructor(private readonly sql: EngineSql) {}

  add(value: unknown, type: ParamType = 'text'): string {
    this.values.push(value);
    return this.sql.param(this.values.length, type);
  }
}

/** The channel workers LISTEN on. */
export const WORK_CHANNEL = 'stepwise_work';

/** Runs one raw statement and returns its rows. */
export async function runSql<R>(
  db: Kysely<Database>,
  text: string,
  params: readonly unknown[],
): Promise<R[]> {
  return (await db.executeQuery<R>(CompiledQuery.raw(text, params as unknown[]))).rows;
}

/**
 * Whether the sequence is still live and active on `version`, its row share-locked until the transaction
 * ends (engine commits and bulk starts write nothing otherwise: see CommitOptions.sequenceLive).
 */
export async function sequenceIsLive(
  trx: Kysely<Database>,
  engineSql: EngineSql,
  live: { sequenceId: string; version: number },
): Promise<boolean> {
  const [sequence] = await runSql<{
    status: string;
    active_version: number | null;
    deleted_at: number | null;
  }>(trx, engineSql.sequenceGuard, [live.sequenceId]);
  return (
    sequence !== undefined &&
    sequence.deleted_at === null &&
    sequence.status !== 'inactive' &&
    sequence.active_version === live.version
  );
}

/**
 * Whether a record was deleted since the deletion stamp was `asOf`, the stamp's row share-locked until the
 * transaction ends (see CommitOptions.recordsLive). One row read: the usual answer is no.
 */
export async function recordsDeletedSince(
  trx: Kysely<Database>,
  engineSql: EngineSql,
  asOf: number,
): Promise<boolean> {
  const [stamp] = await runSql<{ value: string }>(trx, engineSql.recordDeletionsGuard, [
    RECORD_DELETIONS_KEY,
  ]);
  return stamp === undefined || deletionCount(stamp.value) !== asOf;
}

/**
 * `items` split by whether their record is deleted (records pkey, one query): those kept, and the
 * enrollment ids of those left out. An item without a record (`recordOf` null) is kept.
 */
export async function withoutDeletedRecords<T extends { enrollmentId: string }>(
  trx: Kysely<Database>,
  engineSql: EngineSql,
  items: readonly T[],
  recordOf: (item: T) => string | null,
): Promise<{ kept: T[]; gone: string[] }> {
  const p = new Params(engineSql);
  const recordIds = items.flatMap((item) => recordOf(item) ?? []);
  const rows =
    recordIds.length === 0
      ? []
      : await runSql<{ id: string }>(
          trx,
          `SELECT id FROM records WHERE ${engineSql.inIds(p, 'id', recordIds)} AND deleted_at IS NOT NULL`,
          p.values,
        );
  const deleted = new Set(rows.map((row) => row.id));
  const kept: T[] = [];
  const gone: string[] = [];
  for (const item of items) {
    const recordId = recordOf(item);
    if (recordId !== null && deleted.has(recordId)) gone.push(item.enrollmentId);
    else kept.push(item);
  }
  return { kept, gone };
}
