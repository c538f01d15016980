// Opaque keyset cursors: the list's name and the last row's sort key and id, as base64url JSON. Never OFFSET.
//
// A cursor names the list that handed it out (and the parent of a list of one parent's rows: a record's
// enrollments, a webhook's deliveries), and each value of its key must be one the list's sort could produce:
// an id with the list's prefix, an instant, a lower-cased email, a status. Anything else is a 400
// `invalid_cursor`, never a 500, page one or an unrelated page (a cursor of another list was walked as if
// it were this one's when both keys had the same shape).
import { hasLoneSurrogate } from '../domain/lone-surrogate.js';
import { type Page, type PageOptions, StoreValidationError } from '../engine/ports/store.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

export function pageLimit(options: PageOptions | undefined): number {
  const limit = options?.limit ?? DEFAULT_LIMIT;
  if (!Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.trunc(limit)));
}

/** One column of a list's sort key: whether a value is one that column's rows can hold. */
export interface CursorColumn<T extends string | number> {
  readonly accepts: (value: unknown) => value is T;
}

/**
 * Text as stored. No stored text holds U+0000 (PostgreSQL refuses it in text: a forged key with one was a
 * 500 there), nor a lone UTF-16 surrogate (domain/lone-surrogate.ts).
 */
function isText(value: unknown): value is string {
  return typeof value === 'string' && !value.includes('\u0000') && !hasLoneSurrogate(value);
}

/** Any stored text (a name). */
export const textColumn: CursorColumn<string> = { accepts: isText };

/**
 * Stored text of at most `max` characters (a column the API keeps to that length), counted as the API's
 * schemas count them: by code point, so a name of 500 emoji (1,000 UTF-16 units) is one.
 */
export function textColumnUpTo(max: number): CursorColumn<string> {
  return {
    accepts: (value): value is string =>
      isText(value) && (value.length <= max || (value.length <= 2 * max && [...value].length <= max)),
  };
}

/** The largest instant a Date holds (±8.64e15 ms); an epoch-millisecond column holds no time before 1970. */
const MAX_INSTANT = 8.64e15;

/** An instant in epoch milliseconds: an integer from 0 to the last Date (a forged 1e20 is out of bigint). */
export const instantColumn: CursorColumn<number> = {
  accepts: (value): value is number =>
    Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_INSTANT,
};

/** An id of the Ids port: `prefix_` and at least one character (engine/ports/ids.ts). */
export function idColumn(prefix: string): CursorColumn<string> {
  const start = `${prefix}_`;
  return {
    accepts: (value): value is string =>
      isText(value) && value.length > start.length && value.startsWith(start),
  };
}

/** A step instance's history row id: an enrollment id, `.`, the zero-padded seq (engine/enrollment-commit.ts). */
export const stepRowIdColumn: CursorColumn<string> = {
  accepts: (value): value is string => isText(value) && /^enr_.+\.\d{4,}$/.test(value),
};

/**
 * An address as a list of addresses sorts it: with an `@`, and no upper-case ASCII letter (SQLite's
 * lower() folds only ASCII; PostgreSQL's folds more, so only ASCII can be asked of both).
 */
export const emailKeyColumn: CursorColumn<string> = {
  accepts: (value): value is string => isText(value) && value.includes('@') && !/[A-Z]/.test(value),
};

/** One of a column's few values (a status). */
export function oneOfColumn<const V extends string>(values: readonly V[]): CursorColumn<V> {
  return {
    accepts: (value): value is V =>
      typeof value === 'string' && (values as readonly string[]).includes(value),
  };
}

type KeyOf<C extends readonly CursorColumn<string | number>[]> = {
  -readonly [I in keyof C]: C[I] extends CursorColumn<infer T> ? T : never;
};

/** A list's cursor: its name and the columns of its key. `of(parent)` is the list of one parent's rows. */
export interface Keyset<C extends readonly CursorColumn<string | number>[]> {
  readonly list: string;
  readonly columns: C;
  of(parent: string): Keyset<C>;
}

export function keyset<const C extends readonly CursorColumn<string | number>[]>(
  list: string,
  columns: C,
): Keyset<C> {
  return { list, columns, of: (parent) => keyset(`${list}:${parent}`, columns) };
}

function encodeCursor(list: string, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([list, ...key])).toString('base64url');
}

function invalid(): StoreValidationError {
  return new StoreValidationError('invalid_cursor', [
    { code: 'invalid_cursor', message: 'The cursor is not one this list handed out.' },
  ]);
}

/**
 * The key of the options' cursor, or null when no cursor was given; a StoreValidationError
 * `invalid_cursor` (a 400) for a cursor this list did not hand out.
 */
export function decodeCursor<C extends readonly CursorColumn<string | number>[]>(
  options: PageOptions | undefined,
  keys: Keyset<C>,
): KeyOf<C> | null {
  const cursor = options?.cursor;
  if (cursor === undefined || cursor === null || cursor === '') return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded.length !== keys.columns.length + 1 || decoded[0] !== keys.list) {
    throw invalid();
  }
  const key = decoded.slice(1);
  keys.columns.forEach((column, index) => {
    if (!column.accepts(key[index])) throw invalid();
  });
  return key as KeyOf<C>;
}

/** Rows fetched with `limit + 1` become a page; the extra row only says that a next page exists. */
export function toPage<R, T, C extends readonly CursorColumn<string | number>[]>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
  keys: Keyset<C>,
  key: (row: R) => KeyOf<C>,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(map),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keys.list, key(last)) : null,
  };
}
