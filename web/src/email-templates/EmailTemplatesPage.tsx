// Email templates: the list, with the way to a new one.
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useApi, usePermissions } from '../app/api-context.js';
import { Icon } from '../ui/Icon.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';

export function EmailTemplatesPage() {
  const api = useApi();
  const { manageEmailTemplates } = usePermissions();
  const templates = useResource(() => api.emailTemplates.list(), [api]);
  const [search, setSearch] = useState('');
  const q = search.trim().toLowerCase();
  const items = (templates.data ?? []).filter(
    (t) => q === '' || `${t.name} ${t.subject}`.toLowerCase().includes(q),
  );
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Email templates</h1>
          <p className="muted">
            Emails that sequence steps send, with merge fields for the record and the sender.
          </p>
        </div>
        {manageEmailTemplates && (
          <Link className="button button-primary" to="/email-templates/new">
            <Icon name="plus" size={16} /> New template
          </Link>
        )}
      </header>
      <div className="toolbar">
        <label className="field field-inline search-field">
          <span className="visually-hidden">Search templates</span>
          <Icon name="search" size={16} />
          <input
            type="search"
            placeholder="Search name and subject"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
      </div>
      {templates.status === 'loading' && <Loading label="Loading templates…" />}
      {templates.status === 'error' && <ErrorState error={templates.error} onRetry={templates.reload} />}
      {templates.status === 'ok' && items.length === 0 && (
        <Empty title={q === '' ? 'No email templates yet' : 'Nothing matches'}>
          {q === '' ? 'Create one, or use a sequence template: its emails come with it.' : 'Try other words.'}
        </Empty>
      )}
      {items.length > 0 && (
        <ul className="template-list">
          {items.map((t) => (
            <li key={t.id} className="card template-card">
              <Link className="row-title" to={`/email-templates/${encodeURIComponent(t.id)}`}>
                {t.name}
              </Link>
              <span className="muted">{t.subject}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
