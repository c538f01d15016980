// Your account, for every role: your name, time zone, working hours and time off (PATCH /api/users/me;
// a calendar change moves your scheduled steps with it), your own sending mailbox (PUT
// /api/users/me/mailbox; its password and IMAP URL are write-only) and your API tokens (each shown once).
import { type FormEvent, type ReactNode, useId, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api/api-error.js';
import { type ApiToken, type Mailbox, type Me, type NewApiToken, ROLE_NAMES } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { MailboxFields, mailboxFieldKit } from '../settings/MailboxFields.js';
import { imapLabel, type MailboxForm, type MailboxFormErrors } from '../settings/mailbox-form.js';
import { isRouteMissing } from '../settings/route-availability.js';
import { StatusMessage } from '../settings/StatusMessage.js';
import { TimeOffEditor } from '../settings/TimeOffEditor.js';
import { isKnownZone, type TimeOffRow, timeOffFromApi, timeOffToApi } from '../settings/time-off.js';
import { WorkingHoursEditor } from '../settings/WorkingHoursEditor.js';
import { checkWeek, type Week, weekFromApi, weekToApi } from '../settings/working-hours.js';
import { ConfirmDialog } from '../ui/ConfirmDialog.js';
import { Empty, ErrorState, FormError, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';
import {
  describeToken,
  MIN_PASSWORD_LENGTH,
  mailboxSummary,
  myMailboxBody,
  myMailboxForm,
  passwordProblems,
  problemsByField,
  sendsAsSelf,
  sortTokens,
  timeOffProblemsOf,
} from './account-form.js';

const ZONES: string[] =
  typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

export function AccountPage() {
  const api = useApi();
  const me = useResource(() => api.auth.me(), [api]);
  return (
    <div className="page account-page">
      <header className="page-header">
        <div>
          <h1>Your account</h1>
          {me.data !== undefined && (
            <p className="muted account-who">
              {me.data.email} · {ROLE_NAMES[me.data.role] ?? me.data.role}
            </p>
          )}
        </div>
      </header>
      {me.status === 'loading' && me.data === undefined && <Loading label="Loading your account…" />}
      {me.status === 'error' && me.data === undefined && <ErrorState error={me.error} onRetry={me.reload} />}
      {me.data !== undefined && (
        <div className="account-sections">
          <nav className="account-jump" aria-label="On this page">
            <a href="#account-profile-title">Profile</a>
            <a href="#account-password-title">Password</a>
            <a href="#account-mailbox-title">Your mailbox</a>
            <a href="#account-tokens-title">API tokens</a>
          </nav>
          <ProfileSection me={me.data} />
          <PasswordSection />
          <MailboxSection me={me.data} onChanged={me.reload} />
          <TokensSection />
        </div>
      )}
    </div>
  );
}

function ProfileSection({ me }: { me: Me }) {
  const api = useApi();
  const [saved, setSaved] = useState(me);
  const [name, setName] = useState(me.name);
  const [timezone, setTimezone] = useState(me.timezone || 'UTC');
  const [week, setWeek] = useState<Week>(() => weekFromApi(me.workingHours));
  const [timeOff, setTimeOff] = useState<TimeOffRow[]>(() =>
    timeOffFromApi(me.timeOff ?? [], me.timezone || 'UTC'),
  );
  const [busy, setBusy] = useState(false);
  const [tried, setTried] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState('');
  const zonesId = useId();
  const nameOk = name.trim() !== '';
  const zoneOk = isKnownZone(timezone.trim());
  const zone = zoneOk ? timezone.trim() : saved.timezone || 'UTC';
  const timeOffAnswer = useMemo(() => timeOffToApi(timeOff, zone), [timeOff, zone]);
  const weekProblems = checkWeek(week);
  const server = problemsByField(error, ['name', 'timezone', 'workingHours', 'timeOff'] as const);
  const serverTimeOff = timeOffProblemsOf(error);
  const problemCount =
    (nameOk ? 0 : 1) +
    (zoneOk ? 0 : 1) +
    weekProblems.length +
    (timeOffAnswer.ok ? 0 : timeOffAnswer.problems.length);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    setMessage('');
    if (problemCount > 0 || !timeOffAnswer.ok) return;
    setBusy(true);
    setError(null);
    try {
      const user = await api.account.update({
        ...(name.trim() !== saved.name ? { name: name.trim() } : {}),
        timezone: zone,
        workingHours: weekToApi(week),
        timeOff: timeOffAnswer.value,
      });
      setSaved({ ...saved, ...user });
      setName(user.name);
      setTimezone(user.timezone);
      setTried(false);
      setMessage(
        user.timezone !== saved.timezone
          ? `Saved. Your calendar is now in ${user.timezone}; your scheduled steps follow it.`
          : 'Saved. Your scheduled steps follow your calendar.',
      );
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card account-section" aria-labelledby="account-profile-title">
      <h2 id="account-profile-title">Profile</h2>
      <p className="muted">
        Your steps open, and your automated emails go out, inside your working hours in your time zone and
        never during your time off.
      </p>
      <form className="form user-form" onSubmit={submit} noValidate aria-labelledby="account-profile-title">
        <StatusMessage message={message} onDismiss={() => setMessage('')} />
        <FormError error={error} />
        {server.rest.length > 0 && (
          <ul className="field-error plain-list">
            {server.rest.map((text) => (
              <li key={text}>{text}</li>
            ))}
          </ul>
        )}
        <div className="form-row">
          <label className="field">
            <span className="field-label">Name</span>
            <input
              required
              value={name}
              autoComplete="name"
              aria-invalid={(tried && !nameOk) || server.byField.name !== undefined}
              onChange={(e) => setName(e.target.value)}
            />
            {tried && !nameOk && <span className="field-error">Enter your name.</span>}
            {server.byField.name !== undefined && <span className="field-error">{server.byField.name}</span>}
          </label>
          <label className="field">
            <span className="field-label">Time zone</span>
            <input
              list={zonesId}
              value={timezone}
              spellCheck={false}
              aria-invalid={!zoneOk || server.byField.timezone !== undefined}
              onChange={(e) => setTimezone(e.target.value)}
            />
            <datalist id={zonesId}>
              {ZONES.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
            {!zoneOk && <span className="field-error">Not an IANA time zone (e.g. Europe/Paris).</span>}
            {server.byField.timezone !== undefined && (
              <span className="field-error">{server.byField.timezone}</span>
            )}
          </label>
        </div>
        <WorkingHoursEditor week={week} onChange={setWeek} zone={zone} />
        {server.byField.workingHours !== undefined && (
          <p className="field-error" role="alert">
            {server.byField.workingHours}
          </p>
        )}
        <TimeOffEditor
          rows={timeOff}
          onChange={setTimeOff}
          zone={zone}
          problems={
            tried && !timeOffAnswer.ok
              ? timeOffAnswer.problems
              : serverTimeOff.length > 0
                ? serverTimeOff
                : []
          }
          now={() => new Date()}
        />
        {server.byField.timeOff !== undefined && serverTimeOff.length === 0 && (
          <p className="field-error">{server.byField.timeOff}</p>
        )}
        <p className="field-hint">Your email address and role are changed by a System Administrator.</p>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save profile'}
          </button>
          {tried && problemCount > 0 && (
            <span className="field-error" role="alert">
              Fix {problemCount} problem{problemCount === 1 ? '' : 's'} first.
            </span>
          )}
        </div>
      </form>
    </section>
  );
}

/** Their mailbox, or null when they have none (the API answers 404 then). */
async function loadMyMailbox(load: () => Promise<Mailbox>): Promise<Mailbox | null> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && !isRouteMissing(error)) return null;
    throw error;
  }
}

/** Your password: the current one, then the new one twice. Other sessions of yours end when it changes. */
function PasswordSection() {
  const api = useApi();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [problems, setProblems] = useState<Partial<Record<'current' | 'next' | 'again', string>>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const ids = { current: useId(), next: useId(), again: useId() };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = passwordProblems(current, next, again);
    setProblems(found);
    setDone(false);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      await api.account.changePassword({ currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      setAgain('');
      setDone(true);
    } catch (caught) {
      const server = problemsByField(caught, ['currentPassword', 'newPassword'] as const);
      if (server.byField.currentPassword !== undefined || server.byField.newPassword !== undefined)
        setProblems({
          ...(server.byField.currentPassword === undefined
            ? {}
            : { current: server.byField.currentPassword }),
          ...(server.byField.newPassword === undefined ? {} : { next: server.byField.newPassword }),
        });
      else setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const input = (
    key: 'current' | 'next' | 'again',
    label: string,
    value: string,
    set: (v: string) => void,
  ) => (
    <div className="field">
      <label className="field-label" htmlFor={ids[key]}>
        {label}
      </label>
      <input
        id={ids[key]}
        type="password"
        value={value}
        autoComplete={key === 'current' ? 'current-password' : 'new-password'}
        aria-invalid={problems[key] !== undefined}
        onChange={(e) => set(e.target.value)}
      />
      {problems[key] !== undefined && <span className="field-error">{problems[key]}</span>}
    </div>
  );
  return (
    <section className="card account-section" aria-labelledby="account-password-title">
      <h2 id="account-password-title">Password</h2>
      <form className="form" onSubmit={submit} noValidate aria-label="Change your password">
        <FormError error={error} />
        {input('current', 'Current password', current, setCurrent)}
        <div className="form-row">
          {input('next', 'New password', next, setNext)}
          {input('again', 'New password again', again, setAgain)}
        </div>
        <p className="field-hint">
          At least {MIN_PASSWORD_LENGTH} characters. You stay signed in here; your other sessions end.
        </p>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Changing…' : 'Change password'}
          </button>
          {done && (
            <span className="muted" role="status">
              Your password was changed.
            </span>
          )}
        </div>
      </form>
    </section>
  );
}

function MailboxSection({ me, onChanged }: { me: Me; onChanged: () => void }) {
  const api = useApi();
  const mailbox = useResource(() => loadMyMailbox(() => api.account.mailbox()), [api]);
  const [editing, setEditing] = useState(false);
  const [message, setMessage] = useState('');
  const current = mailbox.data ?? null;

  return (
    <section className="card account-section" aria-labelledby="account-mailbox-title">
      <h2 id="account-mailbox-title">Your mailbox</h2>
      <p className="muted">{mailboxSummary(current !== null ? 'own' : me.mailbox)}</p>
      <StatusMessage message={message} onDismiss={() => setMessage('')} />
      {mailbox.status === 'loading' && mailbox.data === undefined && (
        <Loading label="Loading your mailbox…" />
      )}
      {mailbox.status === 'error' && <ErrorState error={mailbox.error} onRetry={mailbox.reload} />}
      {mailbox.data !== undefined &&
        !editing &&
        (current === null ? (
          <Empty
            title="No mailbox of your own"
            action={
              <button type="button" className="button button-primary" onClick={() => setEditing(true)}>
                Add your mailbox
              </button>
            }
          >
            Add the SMTP account you send from (your email provider lists its server, port and user name).
          </Empty>
        ) : (
          <>
            <MailboxDetails mailbox={current} />
            <div className="form-actions">
              <button type="button" className="button" onClick={() => setEditing(true)}>
                Change your mailbox
              </button>
            </div>
          </>
        ))}
      {mailbox.data !== undefined && editing && (
        <MyMailboxForm
          me={me}
          mailbox={current}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            setMessage(
              current === null
                ? 'Your mailbox was added: your emails now go out through it.'
                : 'Your mailbox was saved.',
            );
            mailbox.reload();
            onChanged();
          }}
        />
      )}
    </section>
  );
}

function MailboxDetails({ mailbox }: { mailbox: Mailbox }) {
  const rows: [string, ReactNode][] = [
    ['Sends as', mailbox.fromName ? `${mailbox.fromName} <${mailbox.fromAddress}>` : mailbox.fromAddress],
    ['SMTP server', `${mailbox.host}:${mailbox.port} · ${mailbox.secure ? 'TLS' : 'STARTTLS or plain'}`],
    [
      'Sign-in',
      `${mailbox.username ?? 'no user name'} · ${mailbox.hasPassword ? 'password stored' : 'no password'}`,
    ],
    ['Replies', mailbox.imap ? `Read from ${imapLabel(mailbox.imap)}` : 'Not read over IMAP'],
    [
      'Limits',
      `${mailbox.sentLast24h} of ${mailbox.dailyCap ?? 'unlimited'} sent in the last 24 hours · at least ${mailbox.minSpacingSeconds} s apart`,
    ],
  ];
  return (
    <dl className="details account-details">
      {rows.map(([term, value]) => (
        <div key={term} className="details-row">
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

const MAILBOX_FIELDS = [
  'name',
  'host',
  'port',
  'secure',
  'username',
  'password',
  'fromAddress',
  'fromName',
  'dailyCap',
  'minSpacingSeconds',
  'imapUrl',
] as const;

function MyMailboxForm({
  me,
  mailbox,
  onCancel,
  onSaved,
}: {
  me: Me;
  mailbox: Mailbox | null;
  onCancel: () => void;
  onSaved: () => void;
}) {
  const api = useApi();
  const [form, setForm] = useState<MailboxForm>(() => myMailboxForm(me, mailbox));
  const [errors, setErrors] = useState<MailboxFormErrors>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const server = problemsByField(error, MAILBOX_FIELDS);
  const _set = <K extends keyof MailboxForm>(key: K, value: MailboxForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const problemOf = (key: keyof MailboxForm) =>
    errors[key] ?? server.byField[key as (typeof MAILBOX_FIELDS)[number]];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = myMailboxBody(form, mailbox);
    if (!answer.ok) {
      setErrors(answer.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    setError(null);
    try {
      await api.account.setMailbox(answer.body);
      onSaved();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };
  const kit = mailboxFieldKit(form, setForm, problemOf);
  const { field, text } = kit;
  const fieldErrorCount = Object.keys(errors).length;
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Your mailbox settings">
      <FormError error={error} />
      {server.rest.length > 0 && (
        <ul className="field-error plain-list">
          {server.rest.map((text) => (
            <li key={text}>{text}</li>
          ))}
        </ul>
      )}
      <div className="form-row">
        {field(
          'name',
          'Mailbox name',
          text('name', { required: true }),
          'Only you and administrators see it.',
        )}
      </div>
      <MailboxFields
        form={form}
        setForm={setForm}
        mailbox={mailbox}
        kit={kit}
        capHint="A rolling 24-hour cap; your provider may set its own."
        {...(sendsAsSelf(me)
          ? {
              fromAddressFixed:
                'Your mailbox sends as you, from your own email address. An administrator can set another in Settings.',
            }
          : {})}
      />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save mailbox'}
        </button>
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        {fieldErrorCount > 0 && (
          <span className="field-error" role="alert">
            Fix {fieldErrorCount} problem{fieldErrorCount === 1 ? '' : 's'} first.
          </span>
        )}
      </div>
    </form>
  );
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const formatDate = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
};

function TokensSection() {
  const api = useApi();
  const tokens = useResource(() => api.account.tokens(), [api]);
  const [name, setName] = useState('');
  const [nameProblem, setNameProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<NewApiToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [message, setMessage] = useState('');
  const nameId = useId();
  const list = tokens.data === undefined ? undefined : sortTokens(tokens.data);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setMessage('');
    if (name.trim() === '') {
      setNameProblem('Name the token after what will use it.');
      return;
    }
    setNameProblem('');
    setBusy(true);
    setError(null);
    try {
      setCreated(await api.account.createToken(name.trim()));
      setName('');
      tokens.reload();
    } catch (caught) {
      const server = problemsByField(caught, ['name'] as const);
      if (server.byField.name !== undefined) setNameProblem(server.byField.name);
      else setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (token: ApiToken) => {
    setError(null);
    try {
      await api.account.revokeToken(token.id);
      if (created?.id === token.id) setCreated(null);
      setMessage(`The token “${token.name}” was revoked.`);
      tokens.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setRevoking(null);
    }
  };

  return (
    <section className="card account-section" aria-labelledby="account-tokens-title">
      <h2 id="account-tokens-title">API tokens</h2>
      <p className="muted">
        Scripts and integrations act as you with a token, with your role’s rights. Revoke one as soon as it is
        no longer used or may have leaked.
      </p>
      <StatusMessage message={message} onDismiss={() => setMessage('')} />
      <FormError error={error} />
      <form className="token-create" onSubmit={create} noValidate>
        <div className="token-create-row">
          <div className="field">
            <label className="field-label" htmlFor={nameId}>
              Token name
            </label>
            <input
              id={nameId}
              value={name}
              maxLength={200}
              placeholder="CRM sync"
              autoComplete="off"
              aria-invalid={nameProblem !== ''}
              aria-describedby={nameProblem !== '' ? `${nameId}-problem` : undefined}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create token'}
          </button>
        </div>
        {nameProblem !== '' && (
          <span id={`${nameId}-problem`} className="field-error">
            {nameProblem}
          </span>
        )}
      </form>
      {created !== null && <NewTokenBox token={created} onDone={() => setCreated(null)} />}
      {tokens.status === 'loading' && tokens.data === undefined && <Loading label="Loading your tokens…" />}
      {tokens.status === 'error' && <ErrorState error={tokens.error} onRetry={tokens.reload} />}
      {list !== undefined && list.length === 0 && (
        <Empty title="No API tokens yet">
          Create one for each script or integration, so each can be revoked alone.
        </Empty>
      )}
      {list !== undefined && list.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Your API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Token</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((token) => {
                const revoked = token.revokedAt !== null;
                return (
                  <tr key={token.id} className={revoked ? 'row-disabled' : ''}>
                    <td>
                      <span className="row-title-text">{token.name}</span>
                      <span className="row-sub">{describeToken(token, formatDate)}</span>
                    </td>
                    <td>
                      <span className={`badge ${revoked ? '' : 'badge-active'}`}>
                        {revoked ? 'Revoked' : 'Active'}
                      </span>
                    </td>
                    <td className="row-actions">
                      {!revoked && (
                        <button
                          type="button"
                          className="button button-small button-danger"
                          aria-label={`Revoke ${token.name}`}
                          onClick={() => setRevoking(token)}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        subject={revoking}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke"
        onCancel={() => setRevoking(null)}
        onConfirm={revoke}
      >
        <p>Whatever uses this token can no longer call Stepwise, at once. This can’t be undone.</p>
      </ConfirmDialog>
    </section>
  );
}

/** The new token in a read-only box with a Copy button: the only time it is shown. */
function NewTokenBox({ token, onDone }: { token: NewApiToken; onDone: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const id = useId();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token.token);
      setCopied('yes');
    } catch {
      input.current?.select(); // no clipboard access (plain http): selected for Ctrl+C
      setCopied('no');
    }
  };
  return (
    <section className="notice token-box" aria-label="Your new token">
      <p>
        <strong>Copy the token “{token.name}” now:</strong> it is shown only this once. Send it as{' '}
        <code>Authorization: Bearer …</code>.
      </p>
      <label className="field-label" htmlFor={id}>
        New token
      </label>
      <div className="secret-row">
        <input
          id={id}
          ref={input}
          readOnly
          value={token.token}
          className="secret-value"
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p className="field-hint" aria-live="polite">
        {copied === 'yes'
          ? 'Copied to the clipboard.'
          : copied === 'no'
            ? 'Selected: press Ctrl+C to copy.'
            : 'Store it where the script or integration keeps its secrets.'}
      </p>
      <div>
        <button type="button" className="button button-small" onClick={onDone}>
          Done, hide it
        </button>
      </div>
    </section>
  );
}
