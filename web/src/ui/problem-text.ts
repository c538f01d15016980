// An error in words for a person: the problem's detail, then what each listed problem says (a 400's
// `errors[]` often holds the useful part, e.g. "Snooze until a time in the future.").
import { ApiError } from '../api/api-error.js';

export function problemText(error: unknown): string {
  if (!(error instanceof Error)) return 'Something went wrong.';
  if (!(error instanceof ApiError) || error.errors.length === 0) return error.message;
  const details = error.errors.map((e) => e.message).filter((m) => m !== error.message);
  return [error.message, ...details].join(' ');
}
