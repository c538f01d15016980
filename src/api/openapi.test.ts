// The OpenAPI document is generated from the route schemas: it must be valid OpenAPI 3.1 and name
// every route the server has (the docs pages aside).
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './test-support/api-harness.js';
import { serverRoutes } from './test-support/route-list.js';

interface Operation {
  security?: unknown[];
  responses?: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
}
interface Document {
  [key: string]: unknown;
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

/** `GET /path 404 application/json`: each error answer the document declares as anything but problem+json. */
function errorsNotProblemJson(document: Document): string[] {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).flatMap(([method, operation]) =>
      Object.entries(operation.responses ?? {})
        .filter(([status]) => /^[45]/.test(status))
        .flatMap(([status, response]) =>
          Object.keys(response.content ?? {})
            .filter((type) => type !== 'application/problem+json')
            .map((type) => `${method.toUpperCase()} ${path} ${status} ${type}`),
        ),
    ),
  );
}

describe('OpenAPI document', () => {
  let h: Harness;
  let document: Document;

  beforeAll(async () => {
    h = await startHarness();
    const response = await h.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    document = response.json();
  });

  afterAll(async () => {
    await h.close();
  });

  it('is valid OpenAPI 3.1', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every route of the server', () => {
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.keys(operations).map(
          (method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
        ),
      ),
    );
    const missing = serverRoutes(h.app).filter(
      (route) => route !== 'GET /api/openapi.json' && !documented.has(route),
    );
    expect(missing).toEqual([]);
  });

  it('says which routes need credentials', () => {
    expect(document.paths['/api/records']?.get?.security).toEqual([{ bearer: [] }, { cookie: [] }]);
    expect(document.paths['/api/auth/login']?.post?.security).toEqual([]);
  });

  it('declares every error answer as application/problem+json, as the server sends it', () => {
    expect(document.paths['/api/records']?.get?.responses?.['400']?.content).toHaveProperty([
      'application/problem+json',
    ]);
    expect(errorsNotProblemJson(document)).toEqual([]);
    // The check itself: a problem declared as plain JSON is caught.
    const drifted = structuredClone(document);
    const notFound = drifted.paths['/api/records/{id}']?.get?.responses?.['404'];
    if (notFound?.content === undefined) throw new Error('GET /api/records/{id} declares no 404');
    notFound.content = { 'application/json': notFound.content['application/problem+json'] };
    expect(errorsNotProblemJson(drifted)).toEqual(['GET /api/records/{id} 404 application/json']);
  });

  it('declares the tracking answers as they are: a GIF, a redirect, a problem for a forged click', () => {
    const pixel = document.paths['/t/o/{token}']?.get?.responses;
    expect(Object.keys(pixel ?? {})).toEqual(['200']);
    expect(Object.keys(pixel?.['200']?.content ?? {})).toEqual(['image/gif']);
    const click = document.paths['/t/c/{token}']?.get?.responses;
    expect(Object.keys(click ?? {}).sort()).toEqual(['302', '400', '404']);
    expect(click?.['302']?.content).toBeUndefined();
    expect(click?.['302']?.headers).toHaveProperty('location');
    expect(Object.keys(click?.['404']?.content ?? {})).toEqual(['application/problem+json']);
  });
});
