// The gallery of built-in sequence templates (GET /api/sequence-templates) with a drawing of each flow;
// the drawing comes from the template definitions the domain ships, so it needs no extra request. Each card
// uses its template at once (named after it) or previews it first, where the new sequence can be named.
import { findSequenceTemplate } from '@domain/templates/index.js';
import { useState } from 'react';
import type { SequenceTemplateInfo } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { DesignerPreview } from '../designer/components/DesignerPreview.js';
import { ErrorState, FormError, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';
import { days, ENTITY_NAMES, steps } from './sequence-labels.js';

export function TemplateGallery({ onCreated }: { onCreated: (sequenceId: string) => void }) {
  const api = useApi();
  const templates = useResource(() => api.sequenceTemplates.list(), [api]);
  const [chosen, setChosen] = useState<SequenceTemplateInfo | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  /** The key of the template being used (a card's button or the preview's says "Creating…"). */
  const [busy, setBusy] = useState<string | null>(null);

  if (templates.status === 'loading') return <Loading label="Loading templates…" />;
  if (templates.status === 'error') return <ErrorState error={templates.error} onRetry={templates.reload} />;

  /** Creates the sequence; `chosenName` is the preview's (a card's button keeps the template's name). */
  const use = async (template: SequenceTemplateInfo, chosenName = '') => {
    setBusy(template.key);
    setError(null);
    try {
      const created = await api.sequenceTemplates.use(
        template.key,
        chosenName.trim() === '' ? undefined : chosenName.trim(),
      );
      onCreated(created.id);
    } catch (caught) {
      setError(caught);
      setBusy(null);
    }
  };

  if (chosen !== null) {
    const definition = findSequenceTemplate(chosen.key)?.definition;
    return (
      <div className="template-detail">
        <button type="button" className="link-button" onClick={() => setChosen(null)}>
          ← All templates
        </button>
        <h3>{chosen.name}</h3>
        <p className="muted">
          {ENTITY_NAMES[chosen.entityType]} · {steps(chosen.stepCount)} · {days(chosen.durationDays)}
        </p>
        <p>{chosen.description}</p>
        {definition !== undefined && (
          <DesignerPreview definition={definition} label={`Flow of ${chosen.name}`} />
        )}
        <FormError error={error} />
        <div className="form-row">
          <label className="field">
            <span className="field-label">Sequence name</span>
            <input value={name} placeholder={chosen.name} onChange={(e) => setName(e.target.value)} />
          </label>
          <button
            type="button"
            className="button button-primary"
            disabled={busy !== null}
            onClick={() => use(chosen, name)}
          >
            {busy === chosen.key ? 'Creating…' : 'Use this template'}
          </button>
        </div>
      </div>
    );
  }

  return (
    <>
      <FormError error={error} />
      <ul className="gallery">
        {templates.data.map((t) => {
          const definition = findSequenceTemplate(t.key)?.definition;
          return (
            <li key={t.key} className="gallery-card">
              {definition !== undefined && (
                <DesignerPreview definition={definition} label={`Flow of ${t.name}`} />
              )}
              <div className="gallery-text">
                <h3>{t.name}</h3>
                <p className="muted">
                  {ENTITY_NAMES[t.entityType]} · {t.stepCount} steps · {days(t.durationDays)}
                </p>
                <p className="gallery-description">{t.description}</p>
                <div className="actions">
                  <button
                    type="button"
                    className="button"
                    onClick={() => {
                      setError(null);
                      setChosen(t);
                    }}
                    aria-label={`Preview ${t.name}`}
                  >
                    Preview
                  </button>
                  <button
                    type="button"
                    className="button button-primary"
                    disabled={busy !== null}
                    onClick={() => use(t)}
                    aria-label={`Use template ${t.name}`}
                  >
                    {busy === t.key ? 'Creating…' : 'Use template'}
                  </button>
                </div>
              </div>
            </li>
          );
        })}
      </ul>
    </>
  );
}
