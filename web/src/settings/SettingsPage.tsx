// Settings: users and roles (administrators). Working hours, mailboxes, webhooks and held messages come
// with their API routes.
import { itemsOf } from '../api/endpoints.js';
import { ROLE_NAMES } from '../api/types.js';
import { useApi, useSession } from '../app/api-context.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';

export function SettingsPage() {
  const api = useApi();
  const session = useSession();
  const isAdmin = session?.user.role === 'admin';
  const users = useResource(
    () => (isAdmin ? api.users.list().then(itemsOf) : Promise.resolve([])),
    [api, isAdmin],
  );
  return (
    <div className="page">
      <header className="page-header">
        <h1>Settings</h1>
      </header>
      <section className="card" aria-labelledby="users-title">
        <h2 id="users-title">Users and roles</h2>
        {!isAdmin && (
          <Empty title="Administrators only">Ask a System Administrator to change users and roles.</Empty>
        )}
        {isAdmin && users.status === 'loading' && <Loading />}
        {isAdmin && users.status === 'error' && <ErrorState error={users.error} onRetry={users.reload} />}
        {isAdmin && users.status === 'ok' && (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Time zone</th>
                </tr>
              </thead>
              <tbody>
                {users.data.map((u) => (
                  <tr key={u.id}>
                    <td>{u.name}</td>
                    <td>{u.email}</td>
                    <td>{ROLE_NAMES[u.role] ?? u.role}</td>
                    <td>{u.timezone}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
