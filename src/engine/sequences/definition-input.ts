// A definition as a client sent it (untrusted JSON) -> a typed SequenceDefinition, or a 400 whose paths
// point into the request body (`/definition/steps/3/duration`).
import type { SequenceDefinition } from '../../domain/definition.js';
import { parseDefinition } from '../../domain/parse-definition.js';
import { BadRequestError, type ProblemIssue } from '../errors.js';

export function parseDefinitionInput(json: unknown): SequenceDefinition {
  const parsed = parseDefinition(json);
  if (parsed.ok) return parsed.definition;
  throw new BadRequestError(
    'The sequence definition is not of the documented shape.',
    parsed.errors.map((issue) => ({ ...issue, path: `/definition${issue.path}` })),
  );
}

/** A name is required and trimmed; `path` says where it was in the body. */
export function parseName(name: string, path = '/name'): string {
  const trimmed = name.trim();
  if (trimmed !== '') return trimmed;
  const issue: ProblemIssue = { code: 'missing_property', path, message: 'A sequence needs a name.' };
  throw new BadRequestError('A sequence needs a name.', [issue]);
}
