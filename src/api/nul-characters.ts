// Text with a NUL character (U+0000) is refused at the door with 400 bad_request: PostgreSQL stores no
// NUL in text or jsonb (it answered 500 to a record name, a search or an id holding one) and no sales
// data has a use for it, so both stores get the same answer. JSON can carry one only as the escape
// `\u0000`, so a body is searched only when its text holds that escape.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, pointerToken } from './problem.js';

/** The JSON Pointer of the first string (or object key) under `value` that holds a NUL, or null. */
export function nulPointer(value: unknown, at = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? at : null;
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPointer(value[i], `${at}/${i}`);
      if (found !== null) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const path = `${at}/${pointerToken(key)}`;
    if (key.includes('\u0000')) return path;
    const found = nulPointer(item, path);
    if (found !== null) return found;
  }
  return null;
}

function refuse(path: string): Error {
  return badRequest('Text may not contain NUL characters.', [
    { code: 'nul_character', path, message: 'holds a NUL character (U+0000).' },
  ]);
}

/** For the JSON parser: the parsed body, or the 400 when its text had `\u0000` and a string holds a NUL. */
export function checkJsonBody(text: string, parsed: unknown): Error | null {
  if (!text.includes('\\u0000')) return null;
  const path = nulPointer(parsed);
  return path === null ? null : refuse(path);
}

/** preValidation: query strings, path parameters and text bodies (CSV) with a NUL are refused. */
export async function refuseNulCharacters(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const query = nulPointer(request.query);
  if (query !== null) throw refuse(`/querystring${query}`);
  const params = nulPointer(request.params);
  if (params !== null) throw refuse(`/params${params}`);
  if (typeof request.body === 'string' && request.body.includes('\u0000')) throw refuse('');
}
