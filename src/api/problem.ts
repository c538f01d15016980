// One error class for everything the API answers with a status other than 2xx, and the handler that
// turns any other failure into a logged 500 whose body names only the request id (api.md "Errors").
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BadRequestError, ConflictError, EngineError, ValidationFailedError } from '../engine/errors.js';
import { StoreConflictError, StoreError, StoreValidationError } from '../engine/ports/store.js';

export interface ProblemDetail {
  code: string;
  message: string;
  path?: string;
  stepId?: string;
  [key: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Not allowed',
  404: 'Not found',
  408: 'Request timeout',
  409: 'Conflict',
  413: 'Too large',
  431: 'Headers too large',
  422: 'Not valid',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Unavailable',
  504: 'Gateway timeout',
};

export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: ProblemDetail[] | undefined;
  /** Extension members of the body (RFC 9457 §3.2), beside the standard ones. */
  readonly extensions: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    errors?: ProblemDetail[],
    extensions?: Record<string, unknown>,
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.extensions = extensions;
    // api.md "Errors": a 400 or 422 always carries `errors`; one that names no single place lists itself.
    this.errors = errors ?? (status === 400 || status === 422 ? [{ code, message }] : undefined);
  }

  toBody(): Record<string, unknown> {
    return {
      ...this.extensions,
      type: `/problems/${this.code.replaceAll('_', '-')}`,
      title: TITLES[this.status] ?? 'Error',
      status: this.status,
      code: this.code,
      detail: this.message,
      ...(this.errors === undefined ? {} : { errors: this.errors }),
    };
  }
}

export const notFound = (what = 'Not found') => new ProblemError(404, 'not_found', what);
export const badRequest = (message: string, errors?: ProblemDetail[]) =>
  new ProblemError(400, 'bad_request', message, errors);
export const validationFailed = (message: string, errors: ProblemDetail[]) =>
  new ProblemError(422, 'validation_failed', message, errors);

const CONFLICT_MESSAGES: Partial<Record<string, string>> = {
  email_taken: 'A user with this email already exists.',
  external_id_taken: 'Another record of this type has this externalId.',
  already_enrolled: 'The record is already connected to this sequence.',
  missing_reference: 'It refers to something that does not exist.',
};

/** api.md's 409 codes. A client keys on these; a finer reason is named in `errors`, as a store conflict's is. */
const CONTRACT_CONFLICT_CODES: ReadonlySet<string> = new Set([
  'sequence_active',
  'sequence_not_active',
  'already_enrolled',
  'active_limit_reached',
  'conflict',
]);

/** The engine's expected failures carry their status and code already. */
function fromEngineError(error: unknown): ProblemError | null {
  if (!(error instanceof EngineError)) return null;
  if (error instanceof ConflictError && !CONTRACT_CONFLICT_CODES.has(error.code))
    return new ProblemError(409, 'conflict', error.message, [{ code: error.code, message: error.message }]);
  const errors =
    error instanceof ValidationFailedError || error instanceof BadRequestError
      ? error.errors.map((issue) => ({ ...issue }))
      : undefined;
  return new ProblemError(error.status, error.code, error.message, errors);
}

/** Store errors that come from what the client sent: a taken key (409), or values the store refuses (400/422). */
function fromStoreError(error: unknown): ProblemError | null {
  if (error instanceof StoreConflictError) {
    const code = error.reason === 'already_enrolled' ? 'already_enrolled' : 'conflict';
    return new ProblemError(
      409,
      code,
      CONFLICT_MESSAGES[error.reason] ?? 'It conflicts with what is stored.',
      [{ code: error.reason, message: CONFLICT_MESSAGES[error.reason] ?? error.message }],
    );
  }
  if (error instanceof StoreValidationError) {
    const errors = error.issues.map((issue) => ({
      code: issue.code,
      message: issue.message,
      ...(issue.field === undefined ? {} : { field: issue.field, path: `/fields/${issue.field}` }),
    }));
    return error.code === 'invalid_cursor'
      ? badRequest('The cursor is not one this list handed out.', errors)
      : validationFailed('The values are not valid.', errors);
  }
  return null;
}

function sendProblem(reply: FastifyReply, problem: ProblemError): FastifyReply {
  return reply.status(problem.status).type('application/problem+json').send(problem.toBody());
}

/** A JSON Pointer token (RFC 6901). */
/** One JSON Pointer reference token (RFC 6901): `~` and `/` escaped. */
export const pointerToken = (name: string): string => name.replaceAll('~', '~0').replaceAll('/', '~1');

type ShapeIssue = NonNullable<FastifyError['validation']>[number];

/**
 * Where a shape error is and what it says. Ajv puts an unknown or a missing property's error on the object
 * that has (or lacks) it; the path here names the property itself, so a client sees which field.
 */
function shapeIssue(base: string, issue: ShapeIssue): { code: string; path: string; message: string } {
  const at = `${base}${issue.instancePath}`;
  const params = issue.params as Record<string, unknown>;
  if (issue.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string')
    return {
      code: 'bad_shape',
      path: `${at}/${pointerToken(params.additionalProperty)}`,
      message: `is not a field of this request (unknown field "${params.additionalProperty}")`,
    };
  if (issue.keyword === 'required' && typeof params.missingProperty === 'string')
    return {
      code: 'bad_shape',
      path: `${at}/${pointerToken(params.missingProperty)}`,
      message: `is required (missing field "${params.missingProperty}")`,
    };
  if (issue.keyword === 'enum' && Array.isArray(params.allowedValues))
    return {
      code: 'bad_shape',
      path: at,
      message: `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`,
    };
  return { code: 'bad_shape', path: at, message: issue.message ?? 'is not valid' };
}

/** A route takes a JSON body when it has a body schema and declares no other media type (`consumes`). */
export function takesJsonBody(request: FastifyRequest): boolean {
  const schema = request.routeOptions.schema as { body?: unknown; consumes?: readonly string[] } | undefined;
  if (schema?.body === undefined) return false;
  return schema.consumes === undefined || schema.consumes.includes('application/json');
}

/**
 * A body of a type the route does not read: api.md's 400 with an `unsupported_media_type` entry. On a route
 * that takes JSON it says how to send it: a body without a Content-Type, or sent as text/plain (fetch's
 * default for a string body), is not read as JSON (text/plain is a CORS-simple type a page of any site may
 * post without asking).
 */
export function unsupportedMediaType(request: FastifyRequest): ProblemError {
  if (!takesJsonBody(request))
    return badRequest('The body is not of a type this route reads.', [
      { code: 'unsupported_media_type', path: '', message: 'Unsupported Media Type' },
    ]);
  const sent = request.headers['content-type'];
  const as = sent === undefined ? 'without a Content-Type' : `as ${sent.split(';')[0]?.trim()}`;
  return badRequest('The body must be JSON, sent with Content-Type: application/json.', [
    {
      code: 'unsupported_media_type',
      path: '',
      message: `was sent ${as}; send JSON with the header Content-Type: application/json`,
    },
  ]);
}

/**
 * Fastify's own errors: schema validation, a body that is not JSON or not of a type the route reads, a URL
 * that does not decode. All are api.md's 400 `bad_request` (its errors list says what); only a body too
 * large (413) and too many requests (429) keep their status.
 */
function fromFastifyError(error: FastifyError, request: FastifyRequest): ProblemError | null {
  if (error.validation) {
    const base = error.validationContext === 'body' ? '' : `/${error.validationContext ?? ''}`;
    return badRequest(
      'The request does not have the documented shape.',
      error.validation.map((issue) => shapeIssue(base, issue)),
    );
  }
  const status = error.statusCode ?? 500;
  if (status < 400 || status >= 500) return null;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ProblemError(413, 'payload_too_large', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedMediaType(request);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return badRequest('The body is not JSON.', [
        { code: 'invalid_json', path: '', message: error.message },
      ]);
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return badRequest('The URL is not valid.', [{ code: 'bad_url', message: error.message }]);
  }
  if (status === 413) return new ProblemError(413, 'payload_too_large', 'The request body is too large.');
  if (status === 429) return new ProblemError(429, 'rate_limited', 'Too many requests; try again later.');
  return badRequest(error.message);
}

/** What a `503 database_busy` asks the client to wait, in seconds. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

export function problemErrorHandler(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error instanceof ProblemError) return sendProblem(reply, error);
  const known =
    fromEngineError(error) ??
    fromStoreError(error) ??
    (typeof error === 'object' && error !== null ? fromFastifyError(error as FastifyError, request) : null);
  if (known !== null) return sendProblem(reply, known);
  if (error instanceof StoreError && error.code === 'busy') {
    // Another writer held the database past the busy timeout (a SQLite file locked by another process,
    // a PostgreSQL lock timeout or deadlock): its transaction was rolled back; the request may be sent again.
    request.log.warn({ err: error }, 'database busy');
    return sendProblem(
      reply.header('retry-after', String(BUSY_RETRY_AFTER_SECONDS)),
      new ProblemError(503, 'database_busy', 'The database is busy; try again shortly.'),
    );
  }
  request.log.error({ err: error }, 'unexpected failure');
  return sendProblem(
    reply,
    new ProblemError(500, 'internal', `Unexpected failure; see the server log for request ${request.id}.`),
  );
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, notFound(`No route for ${request.method} ${request.url.split('?')[0] ?? ''}`));
}
