// The JSON body parser of the records routes, in their own Fastify context. It differs from the server's
// (server.ts) in two ways: a body that is JSON but has a `__proto__` key (or `constructor.prototype`,
// which Fastify's secure-json-parse refuses) answers 400 `forbidden_field_name` naming the key, not "not
// JSON"; and on routes that take rows (bulk upsert) a NUL character is that row's error
// (record-input.ts `recordRowProblem`), not a 400 for the whole body.
import type { FastifyInstance } from 'fastify';
import { checkJsonBody } from '../nul-characters.js';
import { badRequest, type ProblemError, pointerToken } from '../problem.js';

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

/** Replaces the inherited JSON parser in `app`'s context; `rowRoutes` are the URLs whose rows are NUL-checked one by one. */
export function useRecordJsonParser(app: FastifyInstance, rowRoutes: ReadonlySet<string>): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    // As server.ts: an empty body reads as no body.
    if (text === '') return done(null, undefined);
    parseJson(request, text, (error, parsed) => {
      if (error !== null) return done(forbiddenKeyProblem(text) ?? error, undefined);
      if (rowRoutes.has(request.routeOptions.url ?? '')) return done(null, parsed);
      const refused = checkJsonBody(text, parsed);
      return refused === null ? done(null, parsed) : done(refused, undefined);
    });
  });
}
