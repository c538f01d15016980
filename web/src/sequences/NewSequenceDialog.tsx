// "Create a sequence": a blank sequence (name, description, record type) or one from the template gallery.
import { ENTITY_TYPES, type EntityType } from '@domain/definition.js';
import { type FormEvent, lazy, Suspense, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { useApi } from '../app/api-context.js';
import { Dialog } from '../ui/Dialog.js';
import { FormError, Loading } from '../ui/states.js';
import { ENTITY_NAMES } from './sequence-labels.js';

// The gallery draws each template with React Flow: loaded only when the gallery opens.
const TemplateGallery = lazy(async () => ({
  default: (await import('./TemplateGallery.js')).TemplateGallery,
}));

export function NewSequenceDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const api = useApi();
  const navigate = useNavigate();
  const [mode, setMode] = useState<'blank' | 'template'>('blank');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [entityType, setEntityType] = useState<EntityType>('lead');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const close = () => {
    setMode('blank');
    setError(null);
    onClose();
  };

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api.sequences.create({
        name: name.trim(),
        entityType,
        ...(description.trim() === '' ? {} : { description: description.trim() }),
      });
      navigate(`/sequences/${encodeURIComponent(created.id)}`);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (mode === 'template') {
    return (
      <Dialog title="Use a template" open={open} onClose={close} size="large">
        <button type="button" className="link-button" onClick={() => setMode('blank')}>
          ← Back to a blank sequence
        </button>
        <Suspense fallback={<Loading label="Loading templates…" />}>
          <TemplateGallery onCreated={(id) => navigate(`/sequences/${encodeURIComponent(id)}`)} />
        </Suspense>
      </Dialog>
    );
  }
  return (
    <Dialog
      title="Create a sequence"
      open={open}
      onClose={close}
      size="small"
      footer={
        <>
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button
            type="submit"
            form="new-sequence"
            className="button button-primary"
            disabled={busy || name.trim() === ''}
          >
            {busy ? 'Creating…' : 'Next'}
          </button>
        </>
      }
    >
      <form id="new-sequence" onSubmit={create} className="form">
        <FormError error={error} />
        <label className="field">
          <span className="field-label">Sequence name</span>
          <input value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span className="field-label">Description (optional)</span>
          <textarea rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <label className="field">
          <span className="field-label">Record type</span>
          <select value={entityType} onChange={(e) => setEntityType(e.target.value as EntityType)}>
            {ENTITY_TYPES.map((t) => (
              <option key={t} value={t}>
                {ENTITY_NAMES[t]}
              </option>
            ))}
          </select>
        </label>
      </form>
      <div className="divider">
        <span>or</span>
      </div>
      <button type="button" className="button button-block" onClick={() => setMode('template')}>
        Use a template
      </button>
    </Dialog>
  );
}
