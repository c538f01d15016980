// Tells "this server has no such route" (an older or partial server) apart from "no such item".
import { ApiError } from '../api/api-error.js';

export function isRouteMissing(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.status === 405 ||
      error.status === 501 ||
      (error.status === 404 && error.message.startsWith('No route')))
  );
}
