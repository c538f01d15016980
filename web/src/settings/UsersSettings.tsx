// Users and roles: the list, inviting a user with a role, and per user their role, time zone, working
// hours and time off; deactivating keeps their history but stops their sign-in.
import { type FormEvent, useId, useMemo, useState } from 'react';
import { ApiError } from '../api/api-error.js';
import { ROLE_NAMES, type Role, type User } from '../api/types.js';
import { useApi, useSession } from '../app/api-context.js';
import { ConfirmDialog } from '../ui/ConfirmDialog.js';
import { Dialog } from '../ui/Dialog.js';
import { Empty, ErrorState, FormError, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';
import { StatusMessage } from './StatusMessage.js';
import { TimeOffEditor } from './TimeOffEditor.js';
import { isKnownZone, type TimeOffRow, timeOffFromApi, timeOffToApi } from './time-off.js';
import { WorkingHoursEditor } from './WorkingHoursEditor.js';
import { checkWeek, describeWeek, type Week, weekFromApi, weekToApi } from './working-hours.js';

const ROLES = Object.keys(ROLE_NAMES) as Role[];
const ZONES: string[] =
  typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

export function UsersSettings() {
  const api = useApi();
  const session = useSession();
  const users = useResource(() => api.users.list(), [api]);
  const [editing, setEditing] = useState<User | null>(null);
  const [inviting, setInviting] = useState(false);
  const [deactivating, setDeactivating] = useState<User | null>(null);
  const [message, setMessage] = useState('');
  const [error, setError] = useState<unknown>(null);

  const setDisabled = async (user: User, disabled: boolean) => {
    setError(null);
    try {
      await api.users.update(user.id, { disabled });
      setMessage(`${user.name} ${disabled ? 'was deactivated' : 'can sign in again'}.`);
      users.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setDeactivating(null);
    }
  };

  return (
    <section aria-labelledby="users-title">
      <div className="section-header">
        <div>
          <h2 id="users-title">Users and roles</h2>
          <p className="muted">
            Administrators manage users; managers build sequences; salespeople work their records.
          </p>
        </div>
        <button type="button" className="button button-primary" onClick={() => setInviting(true)}>
          + Invite user
        </button>
      </div>
      <StatusMessage message={message} onDismiss={() => setMessage('')} />
      <FormError error={error} />
      {users.status === 'loading' && users.data === undefined && <Loading label="Loading users…" />}
      {users.status === 'error' && <ErrorState error={users.error} onRetry={users.reload} />}
      {users.data !== undefined && users.data.length === 0 && <Empty title="No users yet" />}
      {users.data !== undefined && users.data.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Users</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col" className="hide-narrow">
                  Time zone and hours
                </th>
                <th scope="col" className="hide-narrow">
                  Status
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => {
                const me = u.id === session?.user.id;
                return (
                  <tr key={u.id} className={u.disabled ? 'row-disabled' : ''}>
                    <td>
                      <span className="row-title-text">
                        {u.name}
                        {me && <span className="muted"> (you)</span>}
                      </span>
                      <span className="row-sub">{u.email}</span>
                      {u.disabled && <span className="row-sub show-narrow">Deactivated</span>}
                    </td>
                    <td>{ROLE_NAMES[u.role] ?? u.role}</td>
                    <td className="hide-narrow">
                      {u.timezone}
                      <span className="row-sub">{describeWeek(weekFromApi(u.workingHours))}</span>
                      {(u.timeOff?.length ?? 0) > 0 && (
                        <span className="row-sub">
                          {u.timeOff?.length} time-off period{u.timeOff?.length === 1 ? '' : 's'}
                        </span>
                      )}
                    </td>
                    <td className="hide-narrow">
                      <span className={`badge ${u.disabled ? '' : 'badge-active'}`}>
                        {u.disabled ? 'Deactivated' : 'Active'}
                      </span>
                    </td>
                    <td className="row-actions">
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => setEditing(u)}
                        aria-label={`Edit ${u.name}`}
                      >
                        Edit
                      </button>
                      {u.disabled ? (
                        <button
                          type="button"
                          className="button button-small"
                          onClick={() => setDisabled(u, false)}
                          aria-label={`Reactivate ${u.name}`}
                        >
                          Reactivate
                        </button>
                      ) : (
                        <button
                          type="button"
                          className="button button-small button-danger"
                          disabled={me}
                          title={me ? 'You can’t deactivate yourself' : undefined}
                          onClick={() => setDeactivating(u)}
                          aria-label={`Deactivate ${u.name}`}
                        >
                          Deactivate
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
      <InviteUserDialog
        open={inviting}
        onClose={(created) => {
          setInviting(false);
          if (created !== null) {
            setMessage(`${created.name} was added as ${ROLE_NAMES[created.role]}.`);
            users.reload();
          }
        }}
      />
      {editing !== null && (
        <EditUserDialog
          key={editing.id}
          user={editing}
          isSelf={editing.id === session?.user.id}
          onClose={(saved) => {
            setEditing(null);
            if (saved !== null) {
              setMessage(`${saved.name} was saved.`);
              users.reload();
            }
          }}
        />
      )}
      <ConfirmDialog
        subject={deactivating}
        title={`Deactivate ${deactivating?.name ?? ''}?`}
        confirmLabel="Deactivate"
        onCancel={() => setDeactivating(null)}
        onConfirm={(user) => setDisabled(user, true)}
      >
        <p>
          {deactivating?.name} can no longer sign in and their sessions and API tokens stop working. Their
          records and history stay; you can reactivate them later.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function InviteUserDialog({ open, onClose }: { open: boolean; onClose: (created: User | null) => void }) {
  const api = useApi();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('salesperson');
  const [password, setPassword] = useState('');
  const [timezone, setTimezone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const formId = useId();
  const zonesId = useId();
  const reset = () => {
    setName('');
    setEmail('');
    setRole('salesperson');
    setPassword('');
    setError(null);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api.users.create({
        name: name.trim(),
        email: email.trim(),
        role,
        timezone: timezone.trim() || 'UTC',
        ...(password === '' ? {} : { password }),
      });
      reset();
      onClose(created);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Invite a user"
      open={open}
      onClose={() => {
        reset();
        onClose(null);
      }}
      footer={
        <>
          <button
            type="button"
            className="button"
            onClick={() => {
              reset();
              onClose(null);
            }}
          >
            Cancel
          </button>
          <button type="submit" form={formId} className="button button-primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add user'}
          </button>
        </>
      }
    >
      <form id={formId} className="form" onSubmit={submit}>
        <FormError error={error} />
        <div className="form-row">
          <label className="field">
            <span className="field-label">Name</span>
            <input required value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
          </label>
          <label className="field">
            <span className="field-label">Email</span>
            <input
              required
              type="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              autoComplete="off"
            />
          </label>
        </div>
        <div className="form-row">
          <label className="field">
            <span className="field-label">Role</span>
            <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_NAMES[r]}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">Time zone</span>
            <input list={zonesId} value={timezone} onChange={(e) => setTimezone(e.target.value)} />
            <datalist id={zonesId}>
              {ZONES.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </label>
        </div>
        <label className="field">
          <span className="field-label">Password</span>
          <input
            type="password"
            value={password}
            autoComplete="new-password"
            minLength={password === '' ? undefined : 8}
            onChange={(e) => setPassword(e.target.value)}
          />
          <span className="field-hint">
            Optional: leave it empty and set one later, or let them receive an API token from an
            administrator.
          </span>
        </label>
        <p className="field-hint">
          Working hours start as Monday–Friday 08:00–17:00; change them after adding.
        </p>
      </form>
    </Dialog>
  );
}

function EditUserDialog({
  user,
  isSelf,
  onClose,
}: {
  user: User;
  isSelf: boolean;
  onClose: (saved: User | null) => void;
}) {
  const api = useApi();
  const [name, setName] = useState(user.name);
  const [email, setEmail] = useState(user.email);
  const [role, setRole] = useState<Role>(user.role);
  const [timezone, setTimezone] = useState(user.timezone || 'UTC');
  const [week, setWeek] = useState<Week>(() => weekFromApi(user.workingHours));
  const [timeOff, setTimeOff] = useState<TimeOffRow[]>(() =>
    timeOffFromApi(user.timeOff ?? [], user.timezone || 'UTC'),
  );
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [tried, setTried] = useState(false);
  const formId = useId();
  const zonesId = useId();
  const zoneOk = isKnownZone(timezone.trim());
  const zone = zoneOk ? timezone.trim() : user.timezone || 'UTC';
  const timeOffAnswer = useMemo(() => timeOffToApi(timeOff, zone), [timeOff, zone]);
  const weekProblems = checkWeek(week);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!zoneOk || weekProblems.length > 0 || !timeOffAnswer.ok) return;
    setBusy(true);
    setError(null);
    try {
      const saved = await api.users.update(user.id, {
        ...(name.trim() !== user.name ? { name: name.trim() } : {}),
        ...(email.trim() !== user.email ? { email: email.trim() } : {}),
        ...(role !== user.role ? { role } : {}),
        ...(password === '' ? {} : { password }),
        timezone: zone,
        workingHours: weekToApi(week),
        timeOff: timeOffAnswer.value,
      });
      onClose(saved);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };
  const problemCount =
    (zoneOk ? 0 : 1) + weekProblems.length + (timeOffAnswer.ok ? 0 : timeOffAnswer.problems.length);
  return (
    <Dialog
      title={`Edit ${user.name}`}
      open
      onClose={() => onClose(null)}
      size="large"
      footer={
        <>
          {tried && problemCount > 0 && (
            <span className="field-error dialog-footer-note" role="alert">
              Fix {problemCount} problem{problemCount === 1 ? '' : 's'} first.
            </span>
          )}
          <button type="button" className="button" onClick={() => onClose(null)}>
            Cancel
          </button>
          <button type="submit" form={formId} className="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </>
      }
    >
      <form id={formId} className="form user-form" onSubmit={submit} noValidate>
        <FormError error={error} />
        {error instanceof ApiError && error.errors.length > 0 && (
          <ul className="field-error">
            {error.errors.map((e) => (
              <li key={`${e.path}:${e.message}`}>{e.message}</li>
            ))}
          </ul>
        )}
        <div className="form-row">
          <label className="field">
            <span className="field-label">Name</span>
            <input required value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label className="field">
            <span className="field-label">Email</span>
            <input required type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </label>
        </div>
        <div className="form-row">
          <label className="field">
            <span className="field-label">Role</span>
            <select value={role} disabled={isSelf} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_NAMES[r]}
                </option>
              ))}
            </select>
            {isSelf && <span className="field-hint">You can’t change your own role.</span>}
          </label>
          <label className="field">
            <span className="field-label">Time zone</span>
            <input
              list={zonesId}
              value={timezone}
              aria-invalid={!zoneOk}
              onChange={(e) => setTimezone(e.target.value)}
            />
            <datalist id={zonesId}>
              {ZONES.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
            {!zoneOk && <span className="field-error">Not an IANA time zone (e.g. Europe/Paris).</span>}
          </label>
          <label className="field">
            <span className="field-label">New password</span>
            <input
              type="password"
              value={password}
              autoComplete="new-password"
              onChange={(e) => setPassword(e.target.value)}
            />
            <span className="field-hint">Leave empty to keep the current one.</span>
          </label>
        </div>
        <WorkingHoursEditor week={week} onChange={setWeek} zone={zone} />
        <TimeOffEditor
          rows={timeOff}
          onChange={setTimeOff}
          zone={zone}
          problems={tried && !timeOffAnswer.ok ? timeOffAnswer.problems : []}
          now={() => new Date()}
        />
      </form>
    </Dialog>
  );
}
