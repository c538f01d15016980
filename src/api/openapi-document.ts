// A transform of the generated OpenAPI document: what the route schemas cannot say to @fastify/swagger.
import type { SwaggerTransformObject } from '@fastify/swagger';

type Responses = Record<string, { content?: Record<string, unknown> }>;

const PROBLEM_JSON = 'application/problem+json';

/** @fastify/swagger's `transformObject`: the OpenAPI document with its error answers as problem+json. */
export const transformDocument: SwaggerTransformObject = (object) =>
  'openapiObject' in object ? problemMediaTypes(object.openapiObject) : object.swaggerObject;

/**
 * Every error is `application/problem+json` (problem.ts; api.md "Errors"), while @fastify/swagger
 * declares each response schema as `application/json`: a 4xx or 5xx answer's JSON is renamed.
 * Returns a new document; the generated one (and the schemas it shares) is left as it was.
 */
export function problemMediaTypes<T extends { paths?: object }>(document: T): T {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, item] of Object.entries(
    (document.paths ?? {}) as Record<string, Record<string, unknown>>,
  )) {
    paths[path] = Object.fromEntries(
      Object.entries(item).map(([method, operation]) => [method, withProblemResponses(operation)]),
    );
  }
  return { ...document, paths };
}

function withProblemResponses(operation: unknown): unknown {
  if (typeof operation !== 'object' || operation === null || !('responses' in operation)) return operation;
  const responses = operation.responses as Responses;
  return {
    ...operation,
    responses: Object.fromEntries(
      Object.entries(responses).map(([status, response]) => {
        const json = response.content?.['application/json'];
        if (!/^[45]/.test(status) || json === undefined) return [status, response];
        const { 'application/json': _, ...others } = response.content ?? {};
        return [status, { ...response, content: { [PROBLEM_JSON]: json, ...others } }];
      }),
    ),
  };
}
