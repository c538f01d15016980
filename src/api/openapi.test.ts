// The OpenAPI document is generated from the route schemas: it must be valid OpenAPI 3.1 and name
// every route the server has (the docs pages aside).
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './test-support/api-harness.js';
import { serverRoutes } from './test-support/route-list.js';

describe('OpenAPI document', () => {
  let h: Harness;
  let document: { openapi: string; paths: Record<string, Record<string, { security?: unknown[] }>> };

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
});
