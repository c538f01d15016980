// "Assign email template": a searchable list of the email templates made for the sequence's record type
// (or for every type), with a preview of the chosen one. A chosen template of another type, from before,
// stays shown and is named as the reason activation refuses it (`template_wrong_type`). An automated email
// has nobody to write it, so it offers no "no template" choice: until one is chosen it asks for one.
import { useId, useMemo, useState } from 'react';
import { useApi } from '../../app/api-context.js';
import { useResource } from '../../ui/use-resource.js';
import { useDesignerEnvironment } from '../designer-context.js';

export function TemplateLookup({
  stepType,
  value,
  onChange,
  disabled,
}: {
  stepType: 'email' | 'automated_email';
  value: string | undefined;
  onChange: (templateId: string | undefined) => void;
  disabled: boolean;
}) {
  const api = useApi();
  const { entityType } = useDesignerEnvironment();
  const templates = useResource(() => api.emailTemplates.list(), [api]);
  const [query, setQuery] = useState('');
  const id = useId();
  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (templates.data ?? []).filter(
      (t) =>
        (t.entityType == null || t.entityType === entityType || t.id === value) &&
        (q === '' || t.name.toLowerCase().includes(q) || t.subject.toLowerCase().includes(q)),
    );
  }, [templates.data, query, entityType, value]);
  const chosen = templates.data?.find((t) => t.id === value);
  const otherType = chosen?.entityType != null && chosen.entityType !== entityType ? chosen.entityType : null;
  return (
    <fieldset className="fieldset">
      <legend>Email template</legend>
      {value?.startsWith('builtin:') && (
        <p className="field-hint">Uses the template’s built-in email ({value.slice('builtin:'.length)}).</p>
      )}
      <label className="field">
        <span className="field-label">Search templates</span>
        <input
          type="search"
          value={query}
          disabled={disabled}
          onChange={(e) => setQuery(e.target.value)}
          aria-controls={`${id}-list`}
        />
      </label>
      {templates.status === 'loading' && <p className="field-hint">Loading templates…</p>}
      {templates.status === 'error' && (
        <p className="field-error">Templates can’t be loaded: {(templates.error as Error).message}</p>
      )}
      {templates.status === 'ok' && (
        <label className="field">
          <span className="field-label">Template</span>
          <select
            id={`${id}-list`}
            size={Math.min(6, Math.max(2, matches.length + 1))}
            value={value ?? ''}
            disabled={disabled}
            onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
          >
            {stepType === 'automated_email' ? (
              <option value="" disabled>
                Choose a template
              </option>
            ) : (
              <option value="">No template (the seller writes the email)</option>
            )}
            {matches.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {stepType === 'automated_email' && value === undefined && templates.status === 'ok' && (
        <p className="field-hint">An automated email is sent from its template: activation needs one.</p>
      )}
      {otherType !== null && (
        <p className="field-error" role="alert">
          This template is for {otherType} records; this sequence is for {entityType} records. Choose another.
        </p>
      )}
      {chosen !== undefined && (
        <section className="template-preview" aria-label="Template preview">
          <p className="template-preview-subject">{chosen.subject}</p>
          <p className="template-preview-body">{chosen.body}</p>
        </section>
      )}
    </fieldset>
  );
}
