// The editor's preview with a real record: find one by name (of the template's record type, or any), and
// the server renders the saved template for it (POST /api/email-templates/{id}/preview), as the signed-in
// user would send it. The route renders what is stored, not the editor's draft, so unsaved changes say so.
import type { EntityType } from '@domain/definition.js';
import { useId, useState } from 'react';
import type { CrmRecord } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { ENTITY_NAMES } from '../sequences/sequence-labels.js';
import { FormError, Loading } from '../ui/states.js';
import { useDebounced } from '../ui/use-debounced.js';
import { useResource } from '../ui/use-resource.js';

const RESULTS = 8;

/** A search of records by name; choosing one hands it to the editor, which then previews with it. */
export function RecordChooser({
  entityType,
  onChoose,
}: {
  entityType: EntityType | null;
  onChoose: (record: CrmRecord) => void;
}) {
  const api = useApi();
  const [query, setQuery] = useState('');
  // Cleared at once when a record is chosen (the list goes), else the query once typing pauses.
  const settled = useDebounced(query);
  const debounced = query.trim() === '' ? '' : settled;
  const searchId = useId();
  const records = useResource(
    () =>
      debounced === ''
        ? Promise.resolve({ items: [] as CrmRecord[] })
        : api.records.list({
            ...(entityType === null ? {} : { type: entityType }),
            q: debounced,
            limit: RESULTS,
          }),
    [api, entityType, debounced],
  );
  const items = records.data?.items ?? [];
  return (
    <div className="record-chooser">
      <label className="field" htmlFor={searchId}>
        <span className="field-label">Preview with a record</span>
        <input
          id={searchId}
          type="search"
          placeholder="Search by name, email or company"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </label>
      {debounced !== '' && records.status === 'loading' && items.length === 0 && (
        <Loading label="Searching…" />
      )}
      {records.status === 'error' && <FormError error={records.error} />}
      {debounced !== '' && records.status === 'ok' && items.length === 0 && (
        <p className="muted">No record matches “{debounced}”.</p>
      )}
      {items.length > 0 && (
        <ul className="record-matches" aria-label="Records found">
          {items.map((r) => (
            <li key={r.id}>
              <button
                type="button"
                className="link-button"
                aria-label={`Preview with ${r.name}`}
                onClick={() => {
                  setQuery('');
                  onChoose(r);
                }}
              >
                {r.name}
              </button>
              <span className="muted">
                {' '}
                {ENTITY_NAMES[r.type]}
                {r.company ? ` · ${r.company}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The saved template as the server renders it for `record`; `savedAt` changes after every save. */
export function RecordPreview({
  templateId,
  record,
  savedAt,
  unsaved,
}: {
  templateId: string;
  record: CrmRecord;
  savedAt: number;
  unsaved: boolean;
}) {
  const api = useApi();
  const rendered = useResource(
    () => api.emailTemplates.preview(templateId, record.id),
    [api, templateId, record.id, savedAt],
  );
  return (
    <>
      {unsaved && (
        <p className="notice" role="status">
          This is the saved template: save to see your changes with {record.name}.
        </p>
      )}
      {rendered.status === 'error' ? (
        <FormError error={rendered.error} />
      ) : rendered.data === undefined ? (
        <Loading label="Rendering…" />
      ) : (
        <div className="mail-preview">
          <p className="mail-subject">{rendered.data.subject || '(no subject)'}</p>
          <div className="mail-body">{rendered.data.text}</div>
        </div>
      )}
    </>
  );
}
