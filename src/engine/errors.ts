// The engine's expected failures, one class per HTTP status the API maps them to (style.md §6), each with
// a stable `code` that clients and the UI key on. Anything else a use case throws is a bug or an I/O failure.

/** One problem with the input, where it is: a JSON Pointer into the request body (`/definition/steps/5`). */
export interface ProblemIssue {
  code: string;
  /** The sequence step to highlight, when the problem belongs to one. */
  stepId?: string;
  path: string;
  message: string;
}

export abstract class EngineError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
}

/** 404: no such thing, or it was deleted. */
export class NotFoundError extends EngineError {
  override readonly name = 'NotFoundError';
  readonly status = 404;
  readonly code = 'not_found';
}

export const CONFLICT_CODES = [
  'sequence_active',
  'sequence_not_active',
  'already_enrolled',
  'active_limit_reached',
  'template_in_use',
  'template_not_found',
  'conflict',
] as const;
export type ConflictCode = (typeof CONFLICT_CODES)[number];

/** 409: the current state forbids it. */
export class ConflictError extends EngineError {
  override readonly name = 'ConflictError';
  readonly status = 409;
  readonly code: ConflictCode;

  constructor(code: ConflictCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** 422: a sequence breaks the activation rules; one issue per broken rule. */
export class ValidationFailedError extends EngineError {
  override readonly name = 'ValidationFailedError';
  readonly status = 422;
  readonly code = 'validation_failed';
  readonly errors: ProblemIssue[];

  constructor(message: string, errors: ProblemIssue[]) {
    super(message);
    this.errors = errors;
  }
}

/** 403: the role or record ownership does not allow it. */
export class ForbiddenError extends EngineError {
  override readonly name = 'ForbiddenError';
  readonly status = 403;
  readonly code = 'forbidden';
}

/** 400: the input is not of the documented shape; `errors` says where. */
export class BadRequestError extends EngineError {
  override readonly name = 'BadRequestError';
  readonly status = 400;
  readonly code = 'bad_request';
  readonly errors: ProblemIssue[];

  constructor(message: string, errors: ProblemIssue[]) {
    super(message);
    this.errors = errors;
  }
}
