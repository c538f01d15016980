// Sign in with email and password; errors say what went wrong (wrong credentials, too many tries, offline).
import { type FormEvent, useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { ApiError, NETWORK_ERROR } from '../api/api-error.js';
import { useApi, useSession } from '../app/api-context.js';
import { FormError } from '../ui/states.js';

export function SignInPage() {
  const api = useApi();
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  if (session !== null && !busy) return <Navigate to={next} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.auth.signIn(email.trim(), password);
      navigate(next, { replace: true });
    } catch (caught) {
      setError(new Error(signInMessage(caught)));
      setBusy(false);
    }
  };

  return (
    <div className="signin">
      <form className="signin-card" onSubmit={submit} noValidate>
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          Stepwise
        </div>
        <h1>Sign in</h1>
        <p className="muted">Sales sequences for your team.</p>
        <FormError error={error} />
        <label className="field">
          <span className="field-label">Email</span>
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={error !== null}
          />
        </label>
        <label className="field">
          <span className="field-label">Password</span>
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={error !== null}
          />
        </label>
        <button
          type="submit"
          className="button button-primary button-block"
          disabled={busy || email === '' || password === ''}
        >
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}

function signInMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Signing in failed. Try again.';
  if (error.code === 'unauthenticated') return 'The email or the password is not right.';
  if (error.code === 'rate_limited') return 'Too many sign-in attempts. Wait a few minutes, then try again.';
  if (error.code === NETWORK_ERROR)
    return 'The server can’t be reached. Check your connection and try again.';
  if (error.code === 'bad_request') return 'Enter your email and your password.';
  return error.message;
}

/** Only paths inside the app, so a crafted link can't send someone elsewhere after signing in. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}
