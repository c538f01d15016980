// The record form's text fields → the body of POST /api/records or PATCH /api/records/{id}: trimmed, an
// emptied field cleared (null) on an edit and left out on a new record, the owner only when it changes.
import type { CrmRecord, RecordInput } from '../api/types.js';

export interface RecordFormValues {
  name: string;
  email: string;
  phone: string;
  company: string;
  timezone: string;
  /** '' keeps the current owner (a new record: the caller). */
  ownerId: string;
}

const OPTIONAL = ['email', 'phone', 'company', 'timezone'] as const;

export function formValuesOf(record: CrmRecord | undefined): RecordFormValues {
  return {
    name: record?.name ?? '',
    email: record?.email ?? '',
    phone: record?.phone ?? '',
    company: record?.company ?? '',
    timezone: record?.timezone ?? '',
    ownerId: record?.ownerId ?? '',
  };
}

export function recordBody(values: RecordFormValues, editing: CrmRecord | undefined): RecordInput {
  const body: RecordInput = { name: values.name.trim() };
  for (const key of OPTIONAL) {
    const value = values[key].trim();
    if (value !== '') body[key] = value;
    else if (editing !== undefined && (editing[key] ?? null) !== null) body[key] = null;
  }
  if (values.ownerId !== '' && values.ownerId !== editing?.ownerId) body.ownerId = values.ownerId;
  return body;
}
