// Text the stores cannot hold is refused at the door with 400 bad_request, the same on both stores:
// - a NUL character (U+0000): PostgreSQL stores none in text or jsonb (it answered 500 to a record name, a
//   search or an id holding one) and no sales data has a use for it;
// - a lone UTF-16 surrogate (`\ud800` with no partner), which is no character at all: PostgreSQL's jsonb
//   refused it (500), its text columns stored U+FFFD, and SQLite kept its CESU-8 bytes, read back as three
//   U+FFFD, so a cursor page of GET /api/records (keyed on the name) skipped such rows.
// JSON can carry either only as an escape (`\u0000`, `\ud800`; raw bytes are decoded as UTF-8, which holds
// neither), so a body is searched only when its text holds such an escape.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasLoneSurrogate } from '../domain/lone-surrogate.js';
import { badRequest, pointerToken } from './problem.js';

export interface UnstorableText {
  code: 'nul_character' | 'invalid_unicode';
  /** The JSON Pointer of the string, or of the object key, that holds it. */
  path: string;
  message: string;
}

function textProblem(text: string, path: string): UnstorableText | null {
  if (text.includes('\u0000'))
    return { code: 'nul_character', path, message: 'holds a NUL character (U+0000)' };
  if (hasLoneSurrogate(text))
    return {
      code: 'invalid_unicode',
      path,
      message: 'holds a lone UTF-16 surrogate (U+D800–U+DFFF without its pair), which is not a character',
    };
  return null;
}

/** The first string (or object key) under `value` that holds a NUL or a lone surrogate, or null. */
export function unstorableText(value: unknown, at = ''): UnstorableText | null {
  if (typeof value === 'string') return textProblem(value, at);
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableText(value[i], `${at}/${i}`);
      if (found !== null) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const path = `${at}/${pointerToken(key)}`;
    const found = textProblem(key, path) ?? unstorableText(item, path);
    if (found !== null) return found;
  }
  return null;
}

function refuse(problem: UnstorableText, base = ''): Error {
  const detail =
    problem.code === 'nul_character'
      ? 'Text may not contain NUL characters.'
      : 'Text must be valid Unicode: a lone UTF-16 surrogate is not a character.';
  return badRequest(detail, [{ ...problem, path: `${base}${problem.path}`, message: `${problem.message}.` }]);
}

/** `\u0000`, or a `\u` escape of a surrogate (`\uD800`–`\uDFFF`): the only ways JSON text carries either. */
const SUSPECT_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;

/** For the JSON parser: the 400 when the body's text has such an escape and a string holds unstorable text. */
export function checkJsonBody(text: string, parsed: unknown): Error | null {
  if (!SUSPECT_ESCAPE.test(text)) return null;
  const problem = unstorableText(parsed);
  return problem === null ? null : refuse(problem);
}

/** preValidation: query strings, path parameters and text bodies holding a NUL or a lone surrogate are refused. */
export async function refuseNulCharacters(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const query = unstorableText(request.query);
  if (query !== null) throw refuse(query, '/querystring');
  const params = unstorableText(request.params);
  if (params !== null) throw refuse(params, '/params');
  if (typeof request.body === 'string') {
    const body = unstorableText(request.body);
    if (body !== null) throw refuse(body);
  }
}
