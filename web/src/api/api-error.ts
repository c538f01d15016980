// The one error type the app sees from the server: a parsed problem+json body (api.md "Errors") with a
// stable `code` and, for 400/422, the list of problems with their JSON path and step id.
export interface ProblemDetail {
  code: string;
  message: string;
  path?: string;
  stepId?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly errors: ProblemDetail[];

  constructor(status: number, code: string, message: string, title: string, errors: ProblemDetail[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.title = title;
    this.errors = errors;
  }

  /** Problems that belong to a step, keyed by its id (what the designer puts on its nodes). */
  errorsByStep(): Map<string, ProblemDetail[]> {
    const byStep = new Map<string, ProblemDetail[]>();
    for (const error of this.errors) {
      if (error.stepId === undefined) continue;
      byStep.set(error.stepId, [...(byStep.get(error.stepId) ?? []), error]);
    }
    return byStep;
  }
}

/** Code for a failure that never reached the server or got no answer. */
export const NETWORK_ERROR = 'network_error';

const FALLBACK_MESSAGES: Record<number, string> = {
  400: 'The request was not accepted.',
  401: 'You are not signed in.',
  403: 'You are not allowed to do this.',
  404: 'It doesn’t exist, or it was deleted.',
  409: 'It can’t be done in its current state.',
  422: 'It is not valid.',
  429: 'Too many requests; wait a moment and try again.',
  500: 'The server failed; try again later.',
  502: 'The server can’t be reached.',
  503: 'The server is unavailable; try again later.',
};

const FALLBACK_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'validation_failed',
  429: 'rate_limited',
};

/**
 * An ApiError from a failed response's status and body text. Reads problem+json when it is there and
 * falls back to the status alone for anything else (a proxy's HTML page, an empty body).
 */
export function problemFromResponse(status: number, bodyText: string): ApiError {
  const body = parseObject(bodyText);
  const code = stringField(body, 'code') ?? FALLBACK_CODES[status] ?? `http_${status}`;
  const title = stringField(body, 'title') ?? FALLBACK_MESSAGES[status] ?? `Request failed (${status})`;
  const message =
    stringField(body, 'detail') ??
    stringField(body, 'title') ??
    FALLBACK_MESSAGES[status] ??
    `Request failed (${status}).`;
  return new ApiError(status, code, message, title, problemDetails(body?.errors));
}

export function networkError(cause: unknown): ApiError {
  const reason = cause instanceof Error ? ` (${cause.message})` : '';
  return new ApiError(
    0,
    NETWORK_ERROR,
    `The server can’t be reached; check your connection${reason}.`,
    'Offline',
  );
}

function problemDetails(value: unknown): ProblemDetail[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): ProblemDetail[] => {
    if (typeof item !== 'object' || item === null) return [];
    const record = item as Record<string, unknown>;
    const code = stringField(record, 'code') ?? 'invalid';
    const message = stringField(record, 'message') ?? code;
    const path = stringField(record, 'path');
    const stepId = stringField(record, 'stepId');
    return [
      { code, message, ...(path === undefined ? {} : { path }), ...(stepId === undefined ? {} : { stepId }) },
    ];
  });
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function stringField(body: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = body?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
