// A record as the API takes it (POST /api/records, PATCH, a bulk row, a CSV row): one TypeBox schema, so
// every way in has the same limits. A bulk or CSV row is checked here one by one; a bad one is that row's
// error, not a 400 for the whole request.
import { type Static, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { ENTITY_TYPES } from '../../domain/definition.js';
import { isEmailAddress } from '../../domain/email-address.js';
import { MAX_RECORD_FIELDS } from '../../domain/record-columns.js';
import { unstorableText } from '../nul-characters.js';
import { pointerToken } from '../problem.js';
import { NullableText, ScalarValue } from '../schemas.js';

export const EntityTypeSchema = Type.Enum(ENTITY_TYPES);

export const MAX_FIELD_KEY = 100;

// `[\s\S]`: TypeBox's default key pattern `^.*$` does not match a key holding a line break, whose value
// would then go unchecked. `propertyNames` holds the key's own limits (a Record's key schema does not).
const Fields = Type.Record(Type.String({ pattern: '^[\\s\\S]*$' }), ScalarValue, {
  maxProperties: MAX_RECORD_FIELDS,
  propertyNames: { minLength: 1, maxLength: MAX_FIELD_KEY },
});
const Optional = (max: number) => Type.Optional(NullableText({ maxLength: max }));

const RecordInput = {
  // Not blank, as a user's name: a name of spaces shows as none.
  name: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' }),
  email: Optional(320),
  phone: Optional(100),
  linkedinUrl: Optional(2000),
  company: Optional(500),
  timezone: Optional(100),
  ownerId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  externalId: Optional(500),
  fields: Type.Optional(Fields),
};

export const NewRecordBody = Type.Object(
  { type: EntityTypeSchema, ...RecordInput },
  { additionalProperties: false },
);
export type NewRecordBody = Static<typeof NewRecordBody>;

export const RecordPatchBody = Type.Object(
  { ...RecordInput, name: Type.Optional(RecordInput.name) },
  { additionalProperties: false },
);

const newRecordCheck = Compile(NewRecordBody);

/** Why one row is not a record as POST /api/records takes it: where (a JSON Pointer) and what; null when it is. */
export function recordRowProblem(row: unknown): { code: string; path: string; message: string } | null {
  // Bulk and CSV rows skip the whole-body check for NULs and lone surrogates (json-body.ts): each row gets it here.
  const unstorable = unstorableText(row);
  if (unstorable !== null) return unstorable;
  if (!newRecordCheck.Check(row)) {
    const first = newRecordCheck.Errors(row)[0];
    return first === undefined
      ? { code: 'bad_shape', path: '', message: 'is not valid' }
      : shapeProblem(first);
  }
  return emailProblem((row as NewRecordBody).email);
}

type ShapeError = ReturnType<typeof newRecordCheck.Errors>[number];

/**
 * TypeBox's error in the words the API uses for a whole body (problem.ts): an unknown property is reported
 * on the property itself as `schema is false` (its `additionalProperties: false`), a missing one on the row.
 */
function shapeProblem(error: ShapeError): { code: string; path: string; message: string } {
  const at = error.instancePath;
  if (error.keyword === 'boolean' && error.schemaPath.endsWith('/additionalProperties')) {
    const field = at
      .slice(at.lastIndexOf('/') + 1)
      .replaceAll('~1', '/')
      .replaceAll('~0', '~');
    return { code: 'bad_shape', path: at, message: `is not a field of a record (unknown field "${field}")` };
  }
  const missing = (error.params as { requiredProperties?: unknown }).requiredProperties;
  if (error.keyword === 'required' && Array.isArray(missing) && typeof missing[0] === 'string')
    return {
      code: 'bad_shape',
      path: `${at}/${pointerToken(missing[0])}`,
      message: `is required (missing field "${missing[0]}")`,
    };
  return { code: 'bad_shape', path: at, message: error.message };
}

/**
 * Why a record's email cannot be sent to (`invalid_email` at /email), or null: a mail server refuses such an
 * address at RCPT TO, after the record was connected and its step counted as sent. Blank is no address.
 */
export function emailProblem(
  email: string | null | undefined,
): { code: string; path: string; message: string } | null {
  if (email === undefined || email === null || email.trim() === '' || isEmailAddress(email)) return null;
  return { code: 'invalid_email', path: '/email', message: `is not an email address ("${email}")` };
}
