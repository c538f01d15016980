// Bulk upsert of records by externalId, shared by `POST /api/records/bulk` (JSON) and
// `POST /api/records/import` (CSV): rows the API can judge alone are refused here with their index,
// the rest go to the store in one set-based call, and the answers are merged back in input order.
import { Type } from 'typebox';
import { canonicalTimeZone } from '../../domain/calendar.js';
import type { EngineDeps } from '../../engine/deps.js';
import type { RecordUpsert } from '../../engine/ports/store.js';
import { upsertRecordBatch } from '../../engine/records-upsert.js';
import type { Actor } from '../auth/actor.js';

/** The most rows one bulk upsert or CSV import takes. */
export const MAX_UPSERT_ROWS = 10_000;

export interface RowError {
  index: number;
  code: string;
  message: string;
  /** CSV only: the 1-based data row and the file line where the row ends. */
  row?: number;
  line?: number;
}

export type PreparedRow = { index: number; upsert: RecordUpsert; line?: number } | RowError;

export const UpsertAnswer = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  errors: Type.Array(
    Type.Object({
      index: Type.Integer(),
      code: Type.String(),
      message: Type.String(),
      row: Type.Optional(Type.Integer()),
      line: Type.Optional(Type.Integer()),
    }),
  ),
  items: Type.Array(
    Type.Object({
      index: Type.Integer(),
      id: Type.String(),
      outcome: Type.Union([Type.Literal('created'), Type.Literal('updated')]),
    }),
    { description: 'The id of every row that was written, in input order.' },
  ),
});

export interface UpsertAnswer {
  created: number;
  updated: number;
  errors: RowError[];
  items: { index: number; id: string; outcome: 'created' | 'updated' }[];
}

/** A row's time zone as the platform names it (canonicalTimeZone), or its row error. */
export function rowTimezone<T extends string | null | undefined>(
  index: number,
  timezone: T,
): { zone: T } | { error: RowError } {
  if (timezone === undefined || timezone === null) return { zone: timezone };
  const zone = canonicalTimeZone(timezone);
  if (zone !== null) return { zone: zone as T };
  return { error: { index, code: 'invalid_timezone', message: `"${timezone}" is not an IANA time zone.` } };
}

export async function upsertRecords(
  deps: EngineDeps,
  actor: Actor,
  rows: readonly PreparedRow[],
): Promise<UpsertAnswer> {
  const answer: UpsertAnswer = { created: 0, updated: 0, errors: [], items: [] };
  const accepted: { index: number; upsert: RecordUpsert; line?: number }[] = [];
  for (const row of rows) {
    if ('upsert' in row) accepted.push(row);
    else answer.errors.push(row);
  }
  const results = await upsertRecordBatch(
    deps,
    actor,
    accepted.map((r) => r.upsert),
  );
  results.forEach((result, i) => {
    const source = accepted[i];
    if (source === undefined) return;
    if (result.outcome === 'error') {
      answer.errors.push({
        index: source.index,
        code: result.code,
        message: result.message,
        ...(source.line === undefined ? {} : { row: source.index + 1, line: source.line }),
      });
      return;
    }
    answer[result.outcome] += 1;
    answer.items.push({ index: source.index, id: result.id, outcome: result.outcome });
  });
  answer.errors.sort((a, b) => a.index - b.index);
  answer.items.sort((a, b) => a.index - b.index);
  return answer;
}
