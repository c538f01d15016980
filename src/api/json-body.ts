// The JSON body parser, for the whole server (server.ts) and again, with routes that take rows, in the records
// routes' context (routes/records.ts):
// - an empty body reads as no body (many clients send `content-type: application/json` on a POST without one:
//   revise, pause...), and a route that needs one still answers 400 for its shape;
// - a string holding a NUL or a lone UTF-16 surrogate (only ever sent as `\u0000`, `\ud800`) is a 400 on both
//   stores (nul-characters.ts), except on routes that take rows (bulk upsert), where it is that row's error
//   (routes/record-input.ts);
// - a body that is JSON but has a `__proto__` key (or `constructor.prototype`, which Fastify's
//   secure-json-parse refuses) answers 400 `forbidden_field_name` naming the key, not "not JSON";
// - a text/plain body is not JSON: on a route that takes JSON it answers 400 `unsupported_media_type` (as a
//   body without a Content-Type does, problem.ts), elsewhere it is text as Fastify reads it; empty, no body.
import type { FastifyInstance } from 'fastify';
import { checkJsonBody } from './nul-characters.js';
import {
  badRequest,
  type ProblemError,
  pointerToken,
  takesJsonBody,
  unsupportedMediaType,
} from './problem.js';

/** The JSON Pointer of the first key secure-json-parse refuses, or null. */
function forbiddenKeyPointer(value: unknown, at = ''): string | null {
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = forbiddenKeyPointer(item, `${at}/${i}`);
      if (found !== null) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const path = `${at}/${pointerToken(key)}`;
    if (key === '__proto__') return path;
    if (
      key === 'constructor' &&
      item !== null &&
      typeof item === 'object' &&
      Object.hasOwn(item, 'prototype')
    )
      return `${path}/prototype`;
    const found = forbiddenKeyPointer(item, path);
    if (found !== null) return found;
  }
  return null;
}

/** The 400 for valid JSON that holds a forbidden key, or null when the text is not JSON at all. */
function forbiddenKeyProblem(text: string): ProblemError | null {
  let parsed: unknown;
  try {
    // JSON.parse makes `__proto__` an own property; it never sets a prototype.
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const path = forbiddenKeyPointer(parsed);
  if (path === null) return null;
  const key = path.slice(path.lastIndexOf('/') + 1);
  return badRequest(`"${key}" may not be used as a field name.`, [
    { code: 'forbidden_field_name', path, message: `"${key}" is not allowed as a field name.` },
  ]);
}

/**
 * The body limit of the routes anyone may call (sign-in, set-up, the unsubscribe button): their bodies are
 * read before any credential is checked, and a 64 MiB JSON body (the server's limit, for connects and
 * imports) held the event loop ~1.5 s in JSON.parse. A few KiB is all these bodies ever need.
 */
export const PUBLIC_BODY_LIMIT = 16 * 1024;

/**
 * The body limit of every other route unless it takes rows by the thousand: room for an email body of
 * 1,000,000 characters (a template, a manual send) written as JSON, escapes included. Any signed-in user
 * can call most routes; a 64 MiB body on each would hold the event loop ~1.5 s.
 */
export const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;

/**
 * The routes that take rows by the thousand: bulk upserts and CSV imports (10,000 rows), connects and
 * disconnects (100,000 ids), signal batches (10,000).
 */
export const BULK_BODY_LIMIT = 64 * 1024 * 1024;

/**
 * Replaces the JSON and text/plain parsers in `app`'s context (the inherited ones, in a plugin); `rowRoutes`
 * are the URLs whose rows are checked for NULs and lone surrogates one by one by their route.
 */
export function setJsonBodyParser(app: FastifyInstance, rowRoutes: ReadonlySet<string> = new Set()): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    if (text === '') return done(null, undefined);
    parseJson(request, text, (error, parsed) => {
      if (error !== null) return done(forbiddenKeyProblem(text) ?? error, undefined);
      if (rowRoutes.has(request.routeOptions.url ?? '')) return done(null, parsed);
      const refused = checkJsonBody(text, parsed);
      return refused === null ? done(null, parsed) : done(refused, undefined);
    });
  });
  // Fastify's own text/plain parser is replaced the same way; routes that read text/plain (inbound mail, the
  // unsubscribe button) set their own in their context.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    if (text === '') return done(null, undefined);
    return takesJsonBody(request) ? done(unsupportedMediaType(request), undefined) : done(null, text);
  });
}
