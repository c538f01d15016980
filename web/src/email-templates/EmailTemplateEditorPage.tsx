// The email template editor: name, subject and body with a merge-field picker and a live preview with a
// sample lead, or, once saved, the server's rendering for a record found by name (RecordPreview.tsx); the
// server's problems (with line and column) appear next to the fields. Roles that may not change templates
// (salespeople) read them: the fields are disabled and nothing offers to save, delete or create.
import { ENTITY_TYPES, type EntityType } from '@domain/definition.js';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../api/api-error.js';
import type { CrmRecord, EmailTemplate } from '../api/types.js';
import { useApi, usePermissions } from '../app/api-context.js';
import { ENTITY_NAMES } from '../sequences/sequence-labels.js';
import { Dialog } from '../ui/Dialog.js';
import { ProblemAlert } from '../ui/ProblemAlert.js';
import { ErrorState, FormError, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';
import { insertAt, MERGE_FIELDS, SAMPLE_CONTEXT } from './merge-fields.js';
import { RecordChooser, RecordPreview } from './RecordPreview.js';
import { looksLikeHtml, type PreviewResult, renderPreview } from './render-preview.js';

type Draft = Omit<EmailTemplate, 'id'>;
const BLANK: Draft = { name: '', subject: '', body: '', entityType: null };

export function EmailTemplateEditorPage() {
  const { id = 'new' } = useParams();
  const api = useApi();
  const { manageEmailTemplates } = usePermissions();
  const existing = useResource(
    () => (id === 'new' ? Promise.resolve(null) : api.emailTemplates.get(id)),
    [api, id],
  );
  if (id === 'new' && !manageEmailTemplates) return <CannotCreate />;
  if (existing.status === 'loading') return <Loading label="Loading the template…" />;
  if (existing.status === 'error')
    return (
      <div className="page">
        <ErrorState error={existing.error} onRetry={existing.reload} />
      </div>
    );
  return (
    <Editor
      key={id}
      id={id === 'new' ? null : id}
      initial={existing.data ?? BLANK}
      readOnly={!manageEmailTemplates}
    />
  );
}

/** `/email-templates/new` for a role that may not create templates. */
function CannotCreate() {
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/email-templates">Email templates</Link>
          </p>
          <h1>New email template</h1>
        </div>
      </header>
      <p className="notice">{READ_ONLY_NOTE}</p>
    </div>
  );
}

const READ_ONLY_NOTE = 'Managers create and change email templates; here you can read them.';

function Editor({ id, initial, readOnly }: { id: string | null; initial: Draft; readOnly: boolean }) {
  const api = useApi();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<Draft>({
    name: initial.name,
    subject: initial.subject,
    body: initial.body,
    entityType: initial.entityType ?? null,
  });
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  /** What the server holds (a record's preview renders it), and how many saves have been made here. */
  const [stored, setStored] = useState<Draft>(initial);
  const [saves, setSaves] = useState(0);
  /** The record the preview renders for, or null for the sample lead. */
  const [previewRecord, setPreviewRecord] = useState<CrmRecord | null>(null);
  const unsaved =
    draft.subject !== stored.subject ||
    draft.body !== stored.body ||
    (draft.entityType ?? null) !== (stored.entityType ?? null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  /** A refused delete (409 `conflict`, `errors[0].code` `template_in_use`: a sequence still uses it), shown in the dialog. */
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const [deleting, setDeleting] = useState(false);
  const [target, setTarget] = useState<'subject' | 'body'>('body');
  const subjectRef = useRef<HTMLInputElement>(null);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const bodyHintId = useId();

  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      renderPreview(draft.subject, draft.body, SAMPLE_CONTEXT).then((result) => {
        if (current) setPreview(result);
      });
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [draft.subject, draft.body]);

  const insert = (snippet: string) => {
    const element = target === 'subject' ? subjectRef.current : bodyRef.current;
    const text = draft[target];
    const start = element?.selectionStart ?? text.length;
    const end = element?.selectionEnd ?? text.length;
    const next = insertAt(text, start, end, snippet);
    setDraft((d) => ({ ...d, [target]: next.text }));
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(next.cursor, next.cursor);
    });
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (readOnly) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const body = { ...draft, name: draft.name.trim() };
      if (id === null) {
        const created = await api.emailTemplates.create(body);
        navigate(`/email-templates/${encodeURIComponent(created.id)}`, { replace: true });
      } else {
        await api.emailTemplates.update(id, body);
        setStored(body);
        setSaves((n) => n + 1);
        setSaved(true);
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const fieldErrors = (field: string) =>
    error instanceof ApiError
      ? error.errors.filter((e) => e.path === `/${field}` || e.path?.startsWith(`/${field}/`))
      : [];
  const previewError = (field: 'subject' | 'body') =>
    preview !== null && !preview.ok && preview.field === field ? preview.message : undefined;

  return (
    <div className="page page-wide">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/email-templates">Email templates</Link>
          </p>
          <h1>{id === null ? 'New email template' : draft.name || 'Email template'}</h1>
        </div>
        {!readOnly && (
          <div className="actions">
            {id !== null && (
              <button
                type="button"
                className="button button-danger"
                onClick={() => {
                  setDeleteError(null);
                  setConfirmDelete(true);
                }}
              >
                Delete
              </button>
            )}
            <button
              type="submit"
              form="template-form"
              className="button button-primary"
              disabled={busy || draft.name.trim() === ''}
            >
              {busy ? 'Saving…' : 'Save'}
            </button>
          </div>
        )}
      </header>
      {readOnly && <p className="notice">{READ_ONLY_NOTE}</p>}
      {saved && (
        <p className="notice" role="status">
          Saved.
        </p>
      )}
      <FormError error={error} />
      <div className="editor-grid">
        <form id="template-form" className="form card" onSubmit={save}>
          <label className="field">
            <span className="field-label">Name</span>
            <input
              value={draft.name}
              required
              maxLength={NAME_MAX}
              disabled={readOnly}
              onChange={(e) => setDraft({ ...draft, name: e.target.value })}
              aria-invalid={fieldErrors('name').length > 0}
            />
            <FieldProblems messages={fieldErrors('name').map((e) => e.message)} />
          </label>
          <label className="field">
            <span className="field-label">Record type</span>
            <select
              value={draft.entityType ?? ''}
              disabled={readOnly}
              onChange={(e) =>
                setDraft({
                  ...draft,
                  entityType: e.target.value === '' ? null : (e.target.value as EntityType),
                })
              }
            >
              <option value="">Any</option>
              {ENTITY_TYPES.map((t) => (
                <option key={t} value={t}>
                  {ENTITY_NAMES[t]}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">Subject</span>
            <input
              ref={subjectRef}
              value={draft.subject}
              disabled={readOnly}
              onFocus={() => setTarget('subject')}
              onChange={(e) => setDraft({ ...draft, subject: e.target.value })}
              aria-invalid={previewError('subject') !== undefined || fieldErrors('subject').length > 0}
            />
            <FieldProblems
              messages={[previewError('subject'), ...fieldErrors('subject').map((e) => e.message)]}
            />
          </label>
          <label className="field">
            <span className="field-label">Body</span>
            <textarea
              ref={bodyRef}
              rows={14}
              value={draft.body}
              disabled={readOnly}
              onFocus={() => setTarget('body')}
              onChange={(e) => setDraft({ ...draft, body: e.target.value })}
              aria-invalid={previewError('body') !== undefined || fieldErrors('body').length > 0}
              aria-describedby={bodyHintId}
            />
            <FieldProblems messages={[previewError('body'), ...fieldErrors('body').map((e) => e.message)]} />
          </label>
          {looksLikeHtml(draft.body) ? (
            <p id={bodyHintId} className="field-error" role="status">
              This looks like HTML. Templates are plain text, so the tags would reach the recipient as typed:
              write the text without them (web addresses become links, blank lines paragraphs).
            </p>
          ) : (
            <p id={bodyHintId} className="field-hint">
              Plain text: blank lines become paragraphs and web addresses links in the email.
            </p>
          )}
          <fieldset className="fieldset" hidden={readOnly}>
            <legend>Insert a merge field into the {target}</legend>
            <div className="chips">
              {MERGE_FIELDS.map((f) => (
                <button
                  key={f.snippet}
                  type="button"
                  className="chip"
                  onClick={() => insert(f.snippet)}
                  title={f.snippet}
                >
                  {f.label}
                </button>
              ))}
            </div>
          </fieldset>
        </form>
        <section className="card preview" aria-labelledby="preview-title" aria-live="polite">
          <h2 id="preview-title">Preview</h2>
          {id !== null && (
            <RecordChooser entityType={stored.entityType ?? null} onChoose={setPreviewRecord} />
          )}
          {previewRecord === null ? (
            <p className="field-hint">
              With a sample lead, {SAMPLE_CONTEXT.record.name} of {SAMPLE_CONTEXT.record.company}.
            </p>
          ) : (
            <p className="field-hint">
              With {previewRecord.name}, as the server renders the saved template for you to send.{' '}
              <button type="button" className="link-button" onClick={() => setPreviewRecord(null)}>
                Back to the sample lead
              </button>
            </p>
          )}
          {id !== null && previewRecord !== null ? (
            <RecordPreview templateId={id} record={previewRecord} savedAt={saves} unsaved={unsaved} />
          ) : preview?.ok ? (
            <div className="mail-preview">
              <p className="mail-subject">{preview.subject || '(no subject)'}</p>
              <div className="mail-body">{preview.body}</div>
            </div>
          ) : (
            <p className="muted">
              {preview === null ? 'Rendering…' : 'Fix the template to see the preview.'}
            </p>
          )}
        </section>
      </div>
      <Dialog
        title="Delete this template?"
        open={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        size="small"
        footer={
          <>
            <button type="button" className="button" onClick={() => setConfirmDelete(false)}>
              Cancel
            </button>
            <button
              type="button"
              className="button button-danger"
              disabled={deleting}
              onClick={async () => {
                if (id === null) return;
                setDeleting(true);
                setDeleteError(null);
                try {
                  await api.emailTemplates.remove(id);
                  setConfirmDelete(false);
                  navigate('/email-templates');
                } catch (caught) {
                  setDeleteError(caught);
                } finally {
                  setDeleting(false);
                }
              }}
            >
              {deleting ? 'Deleting…' : 'Delete'}
            </button>
          </>
        }
      >
        <p>
          It is deleted for good. A sequence whose steps use it must stop using it first: choose another
          template on those steps, or deactivate the sequence.
        </p>
        <ProblemAlert error={deleteError} />
      </Dialog>
    </div>
  );
}

/** The server's limit on a template's name (src/api/routes/email-templates.ts). */
const NAME_MAX = 200;

/** A field's problems, each once: the preview and the server often find the same one. */
function FieldProblems({ messages }: { messages: (string | undefined)[] }) {
  const shown = [...new Set(messages.filter((m): m is string => m !== undefined))];
  if (shown.length === 0) return null;
  return (
    <span className="field-error" role="alert">
      {shown.join(' ')}
    </span>
  );
}
