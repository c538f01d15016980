// The record's own properties that an `update_field` step may name: these are written to the record's
// columns (as PATCH /api/records writes them, with its limits), every other name is a custom field in `fields`.
import type { FieldValue } from './definition.js';
import { isEmailAddress, storedEmail } from './email-address.js';
import { canonicalTimeZone } from './zone-offsets.js';

/** How many custom fields (`fields` keys) a record may hold: a POST's, and a PATCH's once merged. */
export const MAX_RECORD_FIELDS = 200;

export const RECORD_COLUMN_FIELDS = ['name', 'email', 'phone', 'linkedinUrl', 'company', 'timezone'] as const;
export type RecordColumnField = (typeof RECORD_COLUMN_FIELDS)[number];

/** The API's limits (api/routes/record-input.ts). */
const MAX_LENGTH: Record<RecordColumnField, number> = {
  name: 500,
  email: 320,
  phone: 100,
  linkedinUrl: 2000,
  company: 500,
  timezone: 100,
};

const COLUMNS: ReadonlySet<string> = new Set(RECORD_COLUMN_FIELDS);

export function isRecordColumnField(field: string): field is RecordColumnField {
  return COLUMNS.has(field);
}

export type RecordColumnValue = { ok: true; value: string | null } | { ok: false; message: string };

/**
 * The value as the column stores it (an address trimmed, a zone as the platform names it, blank as none),
 * or why it can't be stored: not text, too long, not an address or a time zone, or a name left blank.
 */
export function recordColumnValue(field: RecordColumnField, value: FieldValue): RecordColumnValue {
  if (value !== null && typeof value !== 'string')
    return { ok: false, message: `The record's ${field} takes text, not ${typeof value}.` };
  const text = value?.trim() ?? '';
  if (text === '') {
    return field === 'name'
      ? { ok: false, message: "A record's name can't be blank." }
      : { ok: true, value: null };
  }
  if ((value as string).length > MAX_LENGTH[field])
    return { ok: false, message: `The record's ${field} takes at most ${MAX_LENGTH[field]} characters.` };
  switch (field) {
    case 'email':
      return isEmailAddress(text)
        ? { ok: true, value: storedEmail(text) }
        : { ok: false, message: `"${text}" is not an email address.` };
    case 'timezone': {
      const zone = canonicalTimeZone(text);
      return zone === null
        ? { ok: false, message: `"${text}" is not an IANA time zone.` }
        : { ok: true, value: zone };
    }
    case 'name':
    case 'phone':
    case 'linkedinUrl':
    case 'company':
      return { ok: true, value: value as string };
    default:
      field satisfies never;
      return { ok: false, message: 'not a record column' };
  }
}
