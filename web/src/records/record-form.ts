// The record form's fields → the body of POST /api/records or PATCH /api/records/{id}: trimmed, an
// emptied field cleared (null) on an edit and left out on a new record, the owner only when it changes.
// Custom fields (`fields`, what email templates read as `{{ record.fields.title }}` and field conditions
// test) are rows of key, kind and value: a PATCH merges `fields` (a key sent as null is removed), so an
// edit sends only the keys added, changed or removed.
import type { CrmRecord, RecordInput } from '../api/types.js';

export type FieldKind = 'text' | 'number' | 'boolean';

export interface CustomFieldRow {
  /** Stable across renames, for React's list keys. */
  rowId: number;
  key: string;
  kind: FieldKind;
  /** As typed; a yes/no field holds 'true' or 'false'. */
  value: string;
}

export interface RecordFormValues {
  name: string;
  email: string;
  phone: string;
  company: string;
  linkedinUrl: string;
  timezone: string;
  /** '' keeps the current owner (a new record: the caller). */
  ownerId: string;
  fields: CustomFieldRow[];
}

/** As the API takes a field key (record-input.ts MAX_FIELD_KEY). */
export const MAX_FIELD_KEY = 100;
export const MAX_FIELDS = 200;

const OPTIONAL = ['email', 'phone', 'company', 'linkedinUrl', 'timezone'] as const;

let nextRowId = 1;

export function newFieldRow(kind: FieldKind = 'text'): CustomFieldRow {
  return { rowId: nextRowId++, key: '', kind, value: kind === 'boolean' ? 'true' : '' };
}

function rowOf(key: string, value: unknown): CustomFieldRow {
  if (typeof value === 'number') return { ...newFieldRow('number'), key, value: String(value) };
  if (typeof value === 'boolean') return { ...newFieldRow('boolean'), key, value: String(value) };
  return { ...newFieldRow('text'), key, value: value === null || value === undefined ? '' : String(value) };
}

export function formValuesOf(record: CrmRecord | undefined): RecordFormValues {
  return {
    name: record?.name ?? '',
    email: record?.email ?? '',
    phone: record?.phone ?? '',
    company: record?.company ?? '',
    linkedinUrl: record?.linkedinUrl ?? '',
    timezone: record?.timezone ?? '',
    ownerId: record?.ownerId ?? '',
    // By name, as the Details tab shows them (the stores keep different key orders).
    fields: Object.entries(record?.fields ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => rowOf(key, value)),
  };
}

/** A row's value as stored, or undefined when the text is not one of its kind; an empty text row is null. */
function storedValue(row: CustomFieldRow): string | number | boolean | null | undefined {
  const text = row.value.trim();
  if (row.kind === 'boolean') return row.value === 'true';
  if (text === '') return null;
  if (row.kind === 'number') {
    const number = Number(text.replace(/[\s_]/g, ''));
    return Number.isFinite(number) ? number : undefined;
  }
  return text;
}

/** What is wrong with each custom field row (by rowId), in the words the form shows beside it. */
export function fieldProblems(rows: readonly CustomFieldRow[]): Map<number, string> {
  const problems = new Map<number, string>();
  const seen = new Set<string>();
  for (const row of rows) {
    const key = row.key.trim();
    if (key === '') {
      if (row.value.trim() !== '' && row.kind !== 'boolean')
        problems.set(row.rowId, 'Give the field a name.');
      continue;
    }
    if (key.length > MAX_FIELD_KEY) problems.set(row.rowId, `At most ${MAX_FIELD_KEY} characters.`);
    else if (seen.has(key)) problems.set(row.rowId, `“${key}” is already a field of this record.`);
    else if (storedValue(row) === undefined) problems.set(row.rowId, 'Not a number.');
    seen.add(key);
  }
  if (seen.size > MAX_FIELDS) {
    const last = rows.at(-1);
    if (last !== undefined) problems.set(last.rowId, `At most ${MAX_FIELDS} fields.`);
  }
  return problems;
}

/** The `fields` to send: all named rows for a new record; on an edit, only what changed. */
function fieldsBody(rows: readonly CustomFieldRow[], editing: CrmRecord | undefined): RecordInput['fields'] {
  const out: Record<string, string | number | boolean | null> = {};
  const kept = new Set<string>();
  for (const row of rows) {
    const key = row.key.trim();
    const value = storedValue(row);
    if (key === '' || value === undefined) continue;
    kept.add(key);
    if (editing === undefined) {
      if (value !== null) out[key] = value;
    } else if ((editing.fields?.[key] ?? null) !== value) out[key] = value;
  }
  for (const key of Object.keys(editing?.fields ?? {})) if (!kept.has(key)) out[key] = null;
  return Object.keys(out).length === 0 ? undefined : out;
}

export function recordBody(values: RecordFormValues, editing: CrmRecord | undefined): RecordInput {
  const body: RecordInput = { name: values.name.trim() };
  for (const key of OPTIONAL) {
    const value = values[key].trim();
    if (value !== '') body[key] = value;
    else if (editing !== undefined && (editing[key] ?? null) !== null) body[key] = null;
  }
  if (values.ownerId !== '' && values.ownerId !== editing?.ownerId) body.ownerId = values.ownerId;
  const fields = fieldsBody(values.fields, editing);
  if (fields !== undefined) body.fields = fields;
  return body;
}
