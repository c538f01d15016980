// Opaque keyset cursors: the last row's sort key and id, as base64url JSON. Never OFFSET.
import { hasLoneSurrogate } from '../domain/lone-surrogate.js';
import { type PageOptions, StoreValidationError } from '../engine/ports/store.js';

export type CursorKey = readonly (string | number)[];

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

export function pageLimit(options: PageOptions | undefined): number {
  const limit = options?.limit ?? DEFAULT_LIMIT;
  if (!Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.trunc(limit)));
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function invalid(): StoreValidationError {
  return new StoreValidationError('invalid_cursor', [
    { code: 'invalid_cursor', message: 'The cursor is not one this list handed out.' },
  ]);
}

/** The key of a cursor with the given column kinds, or null when no cursor was given. */
export function decodeCursor<const K extends readonly ('string' | 'number')[]>(
  options: PageOptions | undefined,
  kinds: K,
): { [I in keyof K]: K[I] extends 'string' ? string : number } | null {
  const cursor = options?.cursor;
  if (cursor === undefined || cursor === null || cursor === '') return null;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(key) || key.length !== kinds.length) throw invalid();
  kinds.forEach((kind, index) => {
    const value: unknown = key[index];
    // Number keys are instants and other integers: a forged 1e20 would be out of PostgreSQL's bigint.
    if (kind === 'number' ? !Number.isSafeInteger(value) : typeof value !== 'string') throw invalid();
    // No stored text holds U+0000 (PostgreSQL refuses it in text: a forged key with one was a 500 there),
    // nor a lone UTF-16 surrogate (domain/lone-surrogate.ts).
    if (typeof value === 'string' && (value.includes('\u0000') || hasLoneSurrogate(value))) throw invalid();
  });
  return key as { [I in keyof K]: K[I] extends 'string' ? string : number };
}

/** Rows fetched with `limit + 1` become a page; the extra row only says that a next page exists. */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, key: (row: R) => CursorKey) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(map),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null,
  };
}
