// Checks a record's custom field values against the field definitions of its entity type.
// Declared fields must have their kind (or be null); undeclared keys are kept as free scalars.
import type { FieldDefinition, RecordFields, StoreIssue } from '../../engine/ports/store.js';

const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function isDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const parsed = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  // Date.parse rolls 2026-02-30 over to March; a round trip of the date part catches that.
  return Number.isFinite(parsed) && (value.length !== 10 || new Date(parsed).toISOString().startsWith(value));
}

function checkOne(key: string, value: unknown, definition: FieldDefinition | undefined): StoreIssue | null {
  const scalar =
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value));
  if (!scalar)
    return {
      code: 'not_scalar',
      field: key,
      message: `Field "${key}" must be text, a number, true/false or null.`,
    };
  if (definition === undefined || value === null) return null;
  const wrong = (expected: string): StoreIssue => ({
    code: 'wrong_type',
    field: key,
    message: `Field "${definition.label}" (${key}) must be ${expected}.`,
  });
  switch (definition.kind) {
    case 'text':
      return typeof value === 'string' ? null : wrong('text');
    case 'number':
      return typeof value === 'number' ? null : wrong('a number');
    case 'boolean':
      return typeof value === 'boolean' ? null : wrong('true or false');
    case 'date':
      if (typeof value !== 'string') return wrong('a date');
      return isDate(value)
        ? null
        : {
            code: 'not_a_date',
            field: key,
            message: `Field "${definition.label}" (${key}) must be a date (YYYY-MM-DD).`,
          };
    case 'choice':
      if (typeof value !== 'string') return wrong('one of its choices');
      return definition.choices?.includes(value) === true
        ? null
        : {
            code: 'not_a_choice',
            field: key,
            message: `Field "${definition.label}" (${key}) must be one of: ${(definition.choices ?? []).join(', ')}.`,
          };
  }
}

export function checkRecordFields(
  fields: RecordFields,
  definitions: ReadonlyMap<string, FieldDefinition> | undefined,
): StoreIssue[] {
  const issues: StoreIssue[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const issue = checkOne(key, value, definitions?.get(key));
    if (issue !== null) issues.push(issue);
  }
  return issues;
}

/** Fields as stored: null values dropped (a null means "no value"). */
export function withoutNulls(fields: RecordFields): RecordFields {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null));
}
