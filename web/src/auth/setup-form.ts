// The set-up form's model: the first administrator's name, email and password (typed twice), checked as
// the server checks them (api.md "Authentication and set-up") before POST /api/setup.
import { ApiError, NETWORK_ERROR } from '../api/api-error.js';

export interface SetupForm {
  name: string;
  email: string;
  password: string;
  confirm: string;
}

export type SetupFormErrors = Partial<Record<keyof SetupForm, string>>;

export const EMPTY_SETUP_FORM: SetupForm = { name: '', email: '', password: '', confirm: '' };

/** The server's MIN_PASSWORD_LENGTH (src/api/auth/password.ts). */
export const MIN_PASSWORD_LENGTH = 10;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function setupFormErrors(form: SetupForm): SetupFormErrors {
  const errors: SetupFormErrors = {};
  if (form.name.trim() === '') errors.name = 'Enter your name.';
  if (!EMAIL.test(form.email.trim())) errors.email = 'Enter an email address, like you@example.com.';
  if (form.password.length < MIN_PASSWORD_LENGTH)
    errors.password = `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  else if (form.password.length > 1024) errors.password = 'Use at most 1,024 characters.';
  if (form.confirm !== form.password) errors.confirm = 'The two passwords are not the same.';
  return errors;
}

/** The POST /api/setup body. */
export function setupBody(token: string, form: SetupForm) {
  return { token, name: form.name.trim(), email: form.email.trim(), password: form.password };
}

/** Why the link can't be used, or null when the failure is something else (shown as it is). */
export function deadLinkMessage(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.status !== 404) return null;
  return (
    'This set-up link can’t be used: it was used already, it expired, the server was restarted and printed ' +
    'a new one, or the administrator exists. Use the latest link from the server’s log, or sign in.'
  );
}

export function setupFailureMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Setting up failed. Try again.';
  if (error.code === NETWORK_ERROR)
    return 'The server can’t be reached. Check your connection and try again.';
  if (error.code === 'bad_request') return 'Check the fields: the server did not accept them.';
  return deadLinkMessage(error) ?? error.message;
}
