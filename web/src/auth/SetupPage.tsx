// The one-time set-up link of a new installation: checks the link, then creates the first administrator
// and lands on the app signed in. A used, expired or replaced link says so and points to sign-in.
import { type FormEvent, type ReactNode, useCallback, useEffect, useState } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { useApi, useSession } from '../app/api-context.js';
import { FormError, Loading } from '../ui/states.js';
import {
  deadLinkMessage,
  EMPTY_SETUP_FORM,
  MIN_PASSWORD_LENGTH,
  type SetupForm,
  setupBody,
  setupFailureMessage,
  setupFormErrors,
} from './setup-form.js';

type LinkState = { kind: 'checking' } | { kind: 'ready' } | { kind: 'dead'; message: string };

const NO_TOKEN =
  'This page needs the set-up link that the server printed in its log when it started (…/setup?token=…).';

export function SetupPage() {
  const api = useApi();
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [link, setLink] = useState<LinkState>(() =>
    token === '' ? { kind: 'dead', message: NO_TOKEN } : { kind: 'checking' },
  );
  const [checkError, setCheckError] = useState<Error | null>(null);
  const [form, setForm] = useState<SetupForm>(EMPTY_SETUP_FORM);
  const [submitted, setSubmitted] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  const check = useCallback(async () => {
    if (token === '') return;
    setCheckError(null);
    setLink({ kind: 'checking' });
    try {
      await api.auth.checkSetup(token);
      setLink({ kind: 'ready' });
    } catch (caught) {
      const dead = deadLinkMessage(caught);
      if (dead !== null) setLink({ kind: 'dead', message: dead });
      else setCheckError(new Error(setupFailureMessage(caught)));
    }
  }, [api, token]);

  useEffect(() => {
    void check();
  }, [check]);

  if (session !== null && !busy) return <Navigate to="/" replace />;

  const errors = submitted ? setupFormErrors(form) : {};
  const set = (field: keyof SetupForm) => (value: string) => setForm((f) => ({ ...f, [field]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(setupFormErrors(form)).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      await api.auth.completeSetup(setupBody(token, form));
      navigate('/', { replace: true });
    } catch (caught) {
      const dead = deadLinkMessage(caught);
      if (dead !== null) setLink({ kind: 'dead', message: dead });
      else setError(new Error(setupFailureMessage(caught)));
      setBusy(false);
    }
  };

  return (
    <div className="signin">
      <main className="signin-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          Stepwise
        </div>
        <h1>Set up Stepwise</h1>
        {checkError !== null ? (
          <>
            <FormError error={checkError} />
            <button type="button" className="button" onClick={() => void check()}>
              Try again
            </button>
          </>
        ) : link.kind === 'checking' ? (
          <Loading label="Checking the set-up link…" />
        ) : link.kind === 'dead' ? (
          <>
            <p role="alert">{link.message}</p>
            <Link className="button button-primary button-block" to="/sign-in">
              Go to sign-in
            </Link>
          </>
        ) : (
          <form className="setup-form" onSubmit={submit} noValidate>
            <p className="muted">Create the administrator account. You will be signed in with it.</p>
            <FormError error={error} />
            <Field label="Your name" error={errors.name} id="setup-name">
              <input
                id="setup-name"
                type="text"
                autoComplete="name"
                required
                value={form.name}
                onChange={(e) => set('name')(e.target.value)}
                aria-invalid={errors.name !== undefined}
                aria-describedby={errors.name === undefined ? undefined : 'setup-name-error'}
              />
            </Field>
            <Field label="Email" error={errors.email} id="setup-email">
              <input
                id="setup-email"
                type="email"
                autoComplete="username"
                required
                value={form.email}
                onChange={(e) => set('email')(e.target.value)}
                aria-invalid={errors.email !== undefined}
                aria-describedby={errors.email === undefined ? undefined : 'setup-email-error'}
              />
            </Field>
            <Field
              label="Password"
              error={errors.password}
              id="setup-password"
              hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
            >
              <input
                id="setup-password"
                type="password"
                autoComplete="new-password"
                required
                minLength={MIN_PASSWORD_LENGTH}
                value={form.password}
                onChange={(e) => set('password')(e.target.value)}
                aria-invalid={errors.password !== undefined}
                aria-describedby={
                  errors.password === undefined ? 'setup-password-hint' : 'setup-password-error'
                }
              />
            </Field>
            <Field label="Confirm the password" error={errors.confirm} id="setup-confirm">
              <input
                id="setup-confirm"
                type="password"
                autoComplete="new-password"
                required
                value={form.confirm}
                onChange={(e) => set('confirm')(e.target.value)}
                aria-invalid={errors.confirm !== undefined}
                aria-describedby={errors.confirm === undefined ? undefined : 'setup-confirm-error'}
              />
            </Field>
            <button type="submit" className="button button-primary button-block" disabled={busy}>
              {busy ? 'Creating the administrator…' : 'Create the administrator'}
            </button>
          </form>
        )}
      </main>
    </div>
  );
}

function Field({
  label,
  id,
  error,
  hint,
  children,
}: {
  label: string;
  id: string;
  error: string | undefined;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children}
      {hint !== undefined && error === undefined && (
        <span className="field-hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error !== undefined && (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}
