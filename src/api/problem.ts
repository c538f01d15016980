// One error class for everything the API answers with a status other than 2xx, and the handler that
// turns any other failure into a logged 500 whose body names only the request id (api.md "Errors").
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export interface ProblemDetail {
  code: string;
  message: string;
  path?: string;
  stepId?: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  415: 'Unsupported media type',
  422: 'Not valid',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Unavailable',
};

export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: ProblemDetail[] | undefined;

  constructor(status: number, code: string, message: string, errors?: ProblemDetail[]) {
    super(message);
    this.status = status;
    this.code = code;
    this.errors = errors;
  }

  toBody(): Record<string, unknown> {
    return {
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

function sendProblem(reply: FastifyReply, problem: ProblemError): FastifyReply {
  return reply.status(problem.status).type('application/problem+json').send(problem.toBody());
}

/** Fastify's own errors (schema validation, bad JSON, body too large) keep their 4xx status with our codes. */
function fromFastifyError(error: FastifyError): ProblemError | null {
  if (error.validation) {
    return badRequest(
      'The request does not have the documented shape.',
      error.validation.map((issue) => ({
        code: 'bad_shape',
        path: `${error.validationContext === 'body' ? '' : `/${error.validationContext ?? ''}`}${issue.instancePath}`,
        message: issue.message ?? 'is not valid',
      })),
    );
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    if (status === 413) return new ProblemError(413, 'payload_too_large', 'The request body is too large.');
    if (status === 415) return new ProblemError(415, 'unsupported_media_type', error.message);
    if (status === 429) return new ProblemError(429, 'rate_limited', 'Too many requests; try again later.');
    return badRequest(error.message);
  }
  return null;
}

export function problemErrorHandler(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error instanceof ProblemError) return sendProblem(reply, error);
  const known = typeof error === 'object' && error !== null ? fromFastifyError(error as FastifyError) : null;
  if (known !== null) return sendProblem(reply, known);
  request.log.error({ err: error }, 'unexpected failure');
  return sendProblem(
    reply,
    new ProblemError(500, 'internal', `Unexpected failure; see the server log for request ${request.id}.`),
  );
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, notFound(`No route for ${request.method} ${request.url.split('?')[0] ?? ''}`));
}
