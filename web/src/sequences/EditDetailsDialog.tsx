// "Edit details": a sequence's name, description and tags, saved on their own (the steps are the designer's
// Save). The server's problems are shown at their fields; the rest above the form. Mounted when it opens,
// so it starts from the sequence as it is then.
import { type FormEvent, useId, useState } from 'react';
import { ApiError } from '../api/api-error.js';
import type { Sequence } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { Dialog } from '../ui/Dialog.js';
import { FormError } from '../ui/states.js';
import {
  type DetailField,
  type DetailsDraft,
  detailsDraft,
  detailsPatch,
  fieldProblems,
  otherProblems,
} from './sequence-details.js';

export function EditDetailsDialog({
  sequence,
  onClose,
  onSaved,
}: {
  sequence: Sequence;
  onClose: () => void;
  onSaved: (saved: Sequence) => void;
}) {
  const api = useApi();
  const id = useId();
  const [draft, setDraft] = useState<DetailsDraft>(() => detailsDraft(sequence));
  const [sentTags, setSentTags] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const patch = detailsPatch(draft);
    setBusy(true);
    setError(null);
    setSentTags(patch.tags);
    try {
      onSaved(await api.sequences.update(sequence.id, patch));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const problems = (field: DetailField) =>
    error instanceof ApiError ? fieldProblems(error.errors, field, sentTags) : [];
  const problemId = (field: DetailField) => `${id}-${field}-problem`;
  const describedBy = (field: DetailField, ...more: string[]) =>
    [...more, ...(problems(field).length > 0 ? [problemId(field)] : [])].join(' ') || undefined;
  // Problems the fields show are not repeated above the form.
  const general =
    error instanceof ApiError && error.errors.length > 0 && otherProblems(error.errors).length === 0
      ? null
      : error;

  return (
    <Dialog
      title="Edit details"
      open
      onClose={onClose}
      size="small"
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form={`${id}-form`}
            className="button button-primary"
            disabled={busy || draft.name.trim() === ''}
          >
            {busy ? 'Saving…' : 'Save details'}
          </button>
        </>
      }
    >
      <form id={`${id}-form`} className="form" onSubmit={save}>
        <FormError error={general} />
        <label className="field">
          <span className="field-label">Name</span>
          <input
            value={draft.name}
            required
            aria-invalid={problems('name').length > 0}
            aria-describedby={describedBy('name')}
            onChange={(e) => setDraft({ ...draft, name: e.target.value })}
          />
          <FieldProblem id={problemId('name')} messages={problems('name')} />
        </label>
        <label className="field">
          <span className="field-label">Description</span>
          <textarea
            rows={3}
            value={draft.description}
            aria-invalid={problems('description').length > 0}
            aria-describedby={describedBy('description')}
            onChange={(e) => setDraft({ ...draft, description: e.target.value })}
          />
          <FieldProblem id={problemId('description')} messages={problems('description')} />
        </label>
        <label className="field">
          <span className="field-label">Tags</span>
          <input
            value={draft.tags}
            placeholder="renewal, enterprise"
            aria-invalid={problems('tags').length > 0}
            aria-describedby={describedBy('tags', `${id}-tags-hint`)}
            onChange={(e) => setDraft({ ...draft, tags: e.target.value })}
          />
          <span id={`${id}-tags-hint`} className="field-hint">
            Separate tags with commas. The Sequences list filters by them.
          </span>
          <FieldProblem id={problemId('tags')} messages={problems('tags')} />
        </label>
      </form>
    </Dialog>
  );
}

function FieldProblem({ id, messages }: { id: string; messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <span id={id} className="field-error" role="alert">
      {messages.join(' ')}
    </span>
  );
}
