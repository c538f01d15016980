// CSV import of records: a header row names the columns (name, email, phone, company, linkedinUrl,
// timezone, externalId, ownerEmail; any other column is a custom field), each data row becomes an upsert
// or an error that names its row and line. A row is held to the limits of POST /api/records
// (record-input.ts), and a file to the row cap of a bulk upsert.
import { parse } from 'csv-parse/sync';
import type { EntityType } from '../../domain/definition.js';
import type { EngineDeps } from '../../engine/deps.js';
import type { FieldDefinition, RecordFields } from '../../engine/ports/store.js';
import { badRequest } from '../problem.js';
import { MAX_FIELD_KEY, recordRowProblem } from './record-input.js';
import { MAX_UPSERT_ROWS, type PreparedRow, type RowError, rowTimezone } from './record-upserts.js';

const COLUMNS = [
  'name',
  'email',
  'phone',
  'company',
  'linkedinUrl',
  'timezone',
  'externalId',
  'ownerEmail',
] as const;
type Column = (typeof COLUMNS)[number];

/** Header spellings people use: case, spaces, dashes and underscores do not matter. */
const normalise = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
const KNOWN = new Map<string, Column>([
  ...COLUMNS.map((c): [string, Column] => [normalise(c), c]),
  ['linkedin', 'linkedinUrl'],
  ['owner', 'ownerEmail'],
  ['externalid', 'externalId'],
  ['id', 'externalId'],
]);

/** Header names a custom field may not have: `__proto__` would set the fields object's prototype. */
const FORBIDDEN_FIELD_NAMES = new Set(['__proto__']);

export interface CsvImportContext {
  deps: EngineDeps;
  type: EntityType;
  /** The owner of new records whose row has no ownerEmail (an update without one keeps the stored owner). */
  defaultOwnerId: string;
}

interface Parsed {
  record: string[];
  info: { lines: number };
}

function parseCsv(text: string): Parsed[] {
  try {
    return parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as Parsed[];
  } catch (error) {
    const line =
      typeof error === 'object' && error !== null && 'lines' in error ? Number(error.lines) : undefined;
    throw badRequest('The body is not valid CSV.', [
      {
        code: 'invalid_csv',
        message: error instanceof Error ? error.message : 'not CSV',
        ...(line === undefined || !Number.isFinite(line) ? {} : { line }),
      },
    ]);
  }
}

/** A text cell as the custom field's kind wants it; a string the store will judge when the kind is unknown. */
function fieldValue(definition: FieldDefinition | undefined, raw: string): string | number | boolean {
  if (definition?.kind === 'number') {
    const n = Number(raw.replace(/,/g, ''));
    return raw !== '' && Number.isFinite(n) ? n : raw;
  }
  if (definition?.kind === 'boolean') {
    const lower = raw.toLowerCase();
    if (['true', 'yes', 'y', '1'].includes(lower)) return true;
    if (['false', 'no', 'n', '0'].includes(lower)) return false;
  }
  return raw;
}

export async function csvToRows(text: string, context: CsvImportContext): Promise<PreparedRow[]> {
  const { deps, type } = context;
  const parsed = parseCsv(text);
  const [header, ...data] = parsed;
  if (header === undefined)
    throw badRequest('The CSV is empty: it needs a header row.', [
      { code: 'no_header', message: 'no header row', line: 1 },
    ]);
  const columns = header.record.map((name) => ({ name, known: KNOWN.get(normalise(name)) }));
  if (!columns.some((c) => c.known === 'name'))
    throw badRequest('The CSV needs a "name" column.', [
      { code: 'missing_column', message: 'no "name" column', line: header.info.lines },
    ]);
  const seen = new Set<string>();
  for (const column of columns) {
    const key = column.known ?? column.name.trim();
    if (FORBIDDEN_FIELD_NAMES.has(key))
      throw badRequest(`"${key}" may not be used as a column name.`, [
        {
          code: 'forbidden_field_name',
          message: `"${key}" is not allowed as a field name.`,
          line: header.info.lines,
        },
      ]);
    if (key.includes('\u0000'))
      throw badRequest('Text may not contain NUL characters.', [
        {
          code: 'nul_character',
          message: 'A column name holds a NUL character (U+0000).',
          line: header.info.lines,
        },
      ]);
    if (key === '' || key.length > MAX_FIELD_KEY || seen.has(key))
      throw badRequest(`The CSV header has an empty, too long or repeated column "${column.name}".`, [
        { code: 'bad_header', message: `column "${column.name}"`, line: header.info.lines },
      ]);
    seen.add(key);
  }
  // As POST /api/records/bulk: more rows are a 400 before anything is read or written.
  if (data.length > MAX_UPSERT_ROWS)
    throw badRequest(`The CSV has ${data.length} data rows; an import takes at most ${MAX_UPSERT_ROWS}.`, [
      {
        code: 'too_many_rows',
        message: `${data.length} data rows, more than ${MAX_UPSERT_ROWS}; split the file.`,
      },
    ]);
  // The column each property of a row comes from, to name it in a row's error.
  const columnOf = new Map(columns.map((c) => [c.known ?? c.name.trim(), c.name.trim()]));
  const definitions = new Map((await deps.store.fieldDefinitions.list(type)).map((d) => [d.key, d]));
  const owners = new Map<string, string | null>();

  const rows: PreparedRow[] = [];
  for (const [index, { record, info }] of data.entries()) {
    const fail = (code: string, message: string): RowError => ({
      index,
      row: index + 1,
      line: info.lines,
      code,
      message,
    });
    if (record.length !== columns.length) {
      rows.push(
        fail('column_count', `The row has ${record.length} cells; the header has ${columns.length}.`),
      );
      continue;
    }
    const known: Partial<Record<Column, string>> = {};
    const fields: RecordFields = {};
    columns.forEach((column, i) => {
      const cell = record[i] ?? '';
      if (cell === '') return;
      if (column.known === undefined)
        fields[column.name.trim()] = fieldValue(definitions.get(column.name.trim()), cell);
      else known[column.known] = cell;
    });
    if (known.name === undefined) {
      rows.push(fail('name_required', 'The row has no name.'));
      continue;
    }
    const { ownerEmail, ...given } = known;
    const problem = recordRowProblem({ type, ...given, name: known.name, fields });
    if (problem !== null || ownerEmail?.includes('\u0000')) {
      const property = problem?.path.split('/').at(-1) ?? 'ownerEmail';
      const column = columnOf.get(property) ?? property;
      rows.push(
        fail(
          problem?.code ?? 'nul_character',
          `The "${column}" cell ${problem?.message ?? 'holds a NUL character (U+0000)'}.`,
        ),
      );
      continue;
    }
    const zone = rowTimezone(index, known.timezone);
    if ('error' in zone) {
      rows.push(fail(zone.error.code, zone.error.message));
      continue;
    }
    let ownerId = context.defaultOwnerId;
    if (known.ownerEmail !== undefined) {
      const email = known.ownerEmail.toLowerCase();
      if (!owners.has(email)) {
        const owner = await deps.store.users.getByEmail(email);
        owners.set(email, owner === null || owner.disabled ? null : owner.id);
      }
      const found = owners.get(email);
      if (found === null || found === undefined) {
        rows.push(fail('owner_not_found', `No active user has the email "${known.ownerEmail}".`));
        continue;
      }
      ownerId = found;
    }
    rows.push({
      index,
      line: info.lines,
      upsert: {
        id: deps.ids.newId('rec'),
        type,
        name: known.name,
        email: known.email ?? null,
        phone: known.phone ?? null,
        company: known.company ?? null,
        linkedinUrl: known.linkedinUrl ?? null,
        timezone: zone.zone ?? null,
        externalId: known.externalId ?? null,
        ownerId,
        keepStoredOwner: known.ownerEmail === undefined,
        fields,
      },
    });
  }
  return rows;
}
