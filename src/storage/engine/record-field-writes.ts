// What `update_field` steps write to a record, in the engine's commit: custom fields merged into `fields`
// (the dialect's `mergeFields`), the record's own properties (domain/record-columns.ts: name, email, phone,
// linkedinUrl, company, timezone) into their columns, stored as PATCH /api/records stores them. Column
// writes are rare (a step that names a property), so they are one plain UPDATE per record, not batched.
import type { Kysely, Updateable } from 'kysely';
import {
  isRecordColumnField,
  type RecordColumnField,
  recordColumnValue,
} from '../../domain/record-columns.js';
import type { Database, RecordsTable } from '../schema.js';
import type { EngineSql, FieldMerge } from './engine-sql.js';

const COLUMN_OF: Record<RecordColumnField, keyof RecordsTable> = {
  name: 'name',
  email: 'email',
  phone: 'phone',
  linkedinUrl: 'linkedin_url',
  company: 'company',
  timezone: 'timezone',
};

/** One record's field writes of a commit, merged in order. */
export interface RecordFieldPatch {
  /** Custom fields as a JSON object, or null when there are none. */
  fields: string | null;
  columns: Updateable<RecordsTable> | null;
}

/**
 * Splits a patch into custom fields and columns. A value a column can't take is not written: activation
 * refuses it (`invalid_field_value`), so only a version activated before that check can hold one.
 */
export function splitFieldPatch(patch: Readonly<Record<string, unknown>>): RecordFieldPatch {
  const custom: Record<string, unknown> = {};
  const columns: Record<string, string | null> = {};
  let anyCustom = false;
  let anyColumn = false;
  for (const [field, value] of Object.entries(patch)) {
    if (!isRecordColumnField(field)) {
      custom[field] = value;
      anyCustom = true;
      continue;
    }
    const column = recordColumnValue(field, value as string | number | boolean | null);
    if (!column.ok) continue;
    columns[COLUMN_OF[field]] = column.value;
    anyColumn = true;
  }
  return {
    fields: anyCustom ? JSON.stringify(custom) : null,
    columns: anyColumn ? (columns as Updateable<RecordsTable>) : null,
  };
}

export async function writeRecordFields(
  trx: Kysely<Database>,
  sql: EngineSql,
  writes: readonly { recordId: string; patch: RecordFieldPatch; at: number }[],
): Promise<void> {
  const merges: FieldMerge[] = [];
  for (const w of writes)
    if (w.patch.fields !== null) merges.push({ recordId: w.recordId, patch: w.patch.fields, at: w.at });
  await sql.writes.mergeFields(trx, merges);
  for (const w of writes) {
    if (w.patch.columns === null) continue;
    // records pkey.
    await trx
      .updateTable('records')
      .set({ ...w.patch.columns, updated_at: w.at })
      .where('id', '=', w.recordId)
      .execute();
  }
}
