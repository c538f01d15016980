// What the CSV import shows before uploading: the header read the way the server reads it (known columns,
// custom fields), the first rows, and the problems that would refuse the whole file. A small RFC 4180
// reader: quoted cells, doubled quotes, CR/LF, a BOM; it stops after the rows it needs.

/** The columns the import knows (api `/api/records/import`); anything else is a custom field. */
export const KNOWN_COLUMNS = [
  'name',
  'email',
  'phone',
  'company',
  'linkedinUrl',
  'timezone',
  'externalId',
  'ownerEmail',
] as const;
export type KnownColumn = (typeof KNOWN_COLUMNS)[number];

const normalise = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
const KNOWN = new Map<string, KnownColumn>([
  ...KNOWN_COLUMNS.map((c): [string, KnownColumn] => [normalise(c), c]),
  ['linkedin', 'linkedinUrl'],
  ['owner', 'ownerEmail'],
  ['id', 'externalId'],
]);

export interface CsvColumn {
  /** 0-based place in the header (also the React key). */
  position: number;
  header: string;
  /** The record property it fills, or undefined for a custom field. */
  known: KnownColumn | undefined;
}

export interface CsvPreview {
  columns: CsvColumn[];
  /** The first data rows, as cells. */
  rows: string[][];
  /** Problems that make the server refuse the file as a whole. */
  problems: string[];
  /** Whether the file has more data rows than `rows` holds. */
  more: boolean;
}

export function previewCsv(text: string, maxRows = 5): CsvPreview {
  const records = readCsv(text, maxRows + 2);
  const [header, ...data] = records.filter((r) => !(r.length === 1 && r[0]?.trim() === ''));
  if (header === undefined) return { columns: [], rows: [], problems: ['The file is empty.'], more: false };
  const columns = header.map((h, position) => ({
    position,
    header: h.trim(),
    known: KNOWN.get(normalise(h)),
  }));
  const problems: string[] = [];
  if (!columns.some((c) => c.known === 'name')) problems.push('The file needs a “name” column.');
  const seen = new Set<string>();
  for (const c of columns) {
    const key = c.known ?? c.header;
    if (key === '') problems.push('A column has no header.');
    else if (seen.has(key)) problems.push(`The column “${c.header}” appears twice.`);
    seen.add(key);
  }
  return { columns, rows: data.slice(0, maxRows), problems, more: data.length > maxRows };
}

/** The first `limit` records of a CSV text (fewer when it ends sooner). */
export function readCsv(text: string, limit = Number.POSITIVE_INFINITY): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    record.push(cell);
    records.push(record);
    record = [];
    cell = '';
  };
  for (; i < text.length && records.length < limit; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === ',') {
      record.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
    } else cell += ch;
  }
  if (records.length < limit && (cell !== '' || record.length > 0)) endRecord();
  return records.map((r) => r.map((c) => c.trim()));
}

/** The column a row error is about, from its code (the server names the row, the code names the cell). */
export function columnOfError(code: string): string | undefined {
  switch (code) {
    case 'name_required':
      return 'name';
    case 'invalid_timezone':
      return 'timezone';
    case 'owner_not_found':
      return 'ownerEmail';
    case 'invalid_email':
      return 'email';
    default:
      return undefined;
  }
}
