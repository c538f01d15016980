// What the engine's statements spell differently per dialect (kysely's pattern: a small interface,
// one implementation per dialect folder). The statements themselves are in engine-repository.ts.
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export type ParamType = 'text' | 'int' | 'bigint' | 'json';

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
  /** A JSON object column merged with a JSON patch text (null values remove keys). */
  mergeJson(column: string, patch: string): string;
  claimDue(
    db: Kysely<Database>,
    now: number,
    limit: number,
    leaseOwner: string,
    leaseUntil: number,
  ): Promise<EngineEnrollmentRow[]>;
  /** Sent inside a commit that made work due soon; null when the dialect has no NOTIFY. */
  readonly notifyWork: string | null;
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
