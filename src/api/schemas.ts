// Schemas shared by several resources: ids in paths, pagination, timestamps and the problem body.
import type { preValidationAsyncHookHandler } from 'fastify';
import { type Static, Type } from 'typebox';

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
export type IdParams = Static<typeof IdParams>;

export const MAX_PAGE_LIMIT = 200;
export const DEFAULT_PAGE_LIMIT = 50;

/** `limit` above MAX_PAGE_LIMIT is capped, not refused: a client asking for more simply pages. */
export const PageQuery = {
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: `Items per page (default ${DEFAULT_PAGE_LIMIT}, at most ${MAX_PAGE_LIMIT}).`,
    }),
  ),
  // As long as the longest cursor a list hands out (storage/cursor.ts): a record's name of 500 characters
  // is up to 3,000 bytes of JSON (a control character is written \u0001), ~4,100 characters of base64url;
  // at 2,000 the next page after a name of 500 CJK characters (1,500 bytes) was a 400.
  cursor: Type.Optional(
    Type.String({ maxLength: 8000, description: 'The `nextCursor` of the previous page.' }),
  ),
};

export function pageOptions(query: { limit?: number; cursor?: string }): {
  limit: number;
  cursor: string | null;
} {
  return {
    limit: Math.min(query.limit ?? DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT),
    cursor: query.cursor === undefined || query.cursor === '' ? null : query.cursor,
  };
}

export function PageOf<T extends Parameters<typeof Type.Array>[0]>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}

/**
 * A body value that may be null. Bodies are validated without coercion (server.ts `validatorsByPart`);
 * the type list, rather than anyOf, would also keep a null a null where coercion applies (query strings).
 */
export function NullableText(options: { maxLength?: number; minLength?: number; description?: string } = {}) {
  return Type.Unsafe<string | null>({ type: ['string', 'null'], ...options });
}

/** A custom field value: a scalar, never coerced from one type to another. */
export const ScalarValue = Type.Unsafe<string | number | boolean | null>({
  type: ['string', 'number', 'boolean', 'null'],
  maxLength: 10_000,
});

export const Instant = Type.String({ format: 'date-time' });
export const NullableString = Type.Union([Type.String(), Type.Null()]);

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** RFC 9457 problem details (api.md "Errors"). */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
  },
  { additionalProperties: true },
);

export const NoContent = Type.Null({ description: 'No content' });

/** For routes whose body is all optional (`{name?}`): no body at all reads as `{}`. */
export const absentBodyIsEmpty: preValidationAsyncHookHandler = async (request) => {
  if (request.body === undefined) request.body = {};
};
