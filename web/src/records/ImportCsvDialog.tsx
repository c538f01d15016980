// CSV import (managers and administrators): pick a file, see how its columns are read and its first rows,
// upload it with a progress bar, then read the report: created, updated, and each refused row with its
// row number, column and reason.
import type { EntityType } from '@domain/definition.js';
import { useId, useRef, useState } from 'react';
import type { UpsertAnswer } from '../api/types.js';
import { useSession } from '../app/api-context.js';
import { Dialog } from '../ui/Dialog.js';
import { ProblemAlert } from '../ui/ProblemAlert.js';
import { type CsvPreview, columnOfError, previewCsv } from './csv-preview.js';
import { type UploadProgress, uploadCsv } from './csv-upload.js';
import { ENTITY_PLURALS } from './record-types.js';

type Phase =
  | { name: 'choose' }
  | { name: 'preview'; file: File; preview: CsvPreview }
  | { name: 'uploading'; file: File; progress: UploadProgress | null; processing: boolean }
  | { name: 'done'; file: File; answer: UpsertAnswer };

/** Files read whole for the preview only up to this size; larger ones preview their first part. */
const PREVIEW_BYTES = 256 * 1024;

export function ImportCsvDialog({
  entityType,
  onClose,
}: {
  entityType: EntityType;
  onClose: (changed: boolean) => void;
}) {
  const session = useSession();
  const [phase, setPhase] = useState<Phase>({ name: 'choose' });
  const [error, setError] = useState<unknown>(null);
  const fileId = useId();
  const progressId = useId();
  const abort = useRef<AbortController | null>(null);

  const choose = async (file: File | undefined) => {
    setError(null);
    if (file === undefined) {
      setPhase({ name: 'choose' });
      return;
    }
    const text = await file.slice(0, PREVIEW_BYTES).text();
    setPhase({ name: 'preview', file, preview: previewCsv(text, 5) });
  };

  const upload = async (file: File) => {
    if (session === null) return;
    setError(null);
    abort.current = new AbortController();
    setPhase({ name: 'uploading', file, progress: { loaded: 0, total: file.size }, processing: false });
    try {
      const answer = await uploadCsv({
        type: entityType,
        body: file,
        session,
        signal: abort.current.signal,
        onProgress: (progress) => setPhase((p) => (p.name === 'uploading' ? { ...p, progress } : p)),
        onUploaded: () => setPhase((p) => (p.name === 'uploading' ? { ...p, processing: true } : p)),
      });
      setPhase({ name: 'done', file, answer });
    } catch (caught) {
      if (caught instanceof DOMException && caught.name === 'AbortError') {
        setPhase({ name: 'choose' });
        return;
      }
      setError(caught);
      setPhase({ name: 'preview', file, preview: previewCsv(await file.slice(0, PREVIEW_BYTES).text(), 5) });
    }
  };

  const close = () => {
    abort.current?.abort();
    onClose(phase.name === 'done' && phase.answer.created + phase.answer.updated > 0);
  };

  const footer =
    phase.name === 'done' ? (
      <button type="button" className="button button-primary" onClick={close}>
        Done
      </button>
    ) : (
      <>
        <button type="button" className="button" onClick={close}>
          Cancel
        </button>
        <button
          type="button"
          className="button button-primary"
          disabled={phase.name !== 'preview' || phase.preview.problems.length > 0}
          onClick={() => phase.name === 'preview' && upload(phase.file)}
        >
          {phase.name === 'uploading' ? 'Importing…' : 'Import'}
        </button>
      </>
    );

  return (
    <Dialog
      title={`Import ${ENTITY_PLURALS[entityType].toLowerCase()} from CSV`}
      open
      onClose={close}
      size="large"
      footer={footer}
    >
      <ProblemAlert error={error} />
      {(phase.name === 'choose' || phase.name === 'preview') && (
        <div className="field">
          <label htmlFor={fileId} className="field-label">
            CSV file
          </label>
          <input
            id={fileId}
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => void choose(e.target.files?.[0])}
          />
          <p className="field-hint">
            A header row, then one record per row. Known columns: name (required), email, phone, company,
            linkedinUrl, timezone, externalId (updates the record that has it), ownerEmail. Other columns
            become custom fields.
          </p>
        </div>
      )}
      {phase.name === 'preview' && <PreviewTable preview={phase.preview} />}
      {phase.name === 'uploading' && (
        <div className="import-progress field">
          <span className="field-label" id={progressId}>
            {phase.processing
              ? `Uploaded ${phase.file.name}; reading the rows…`
              : `Uploading ${phase.file.name}: ${percent(phase.progress)}%`}
          </span>
          {phase.processing ? (
            <progress aria-labelledby={progressId} />
          ) : (
            <progress
              aria-labelledby={progressId}
              max={phase.progress?.total ?? 1}
              value={phase.progress?.loaded ?? 0}
            />
          )}
        </div>
      )}
      {phase.name === 'done' && <ImportReport answer={phase.answer} />}
    </Dialog>
  );
}

function percent(progress: UploadProgress | null): number {
  if (progress === null || progress.total === 0) return 0;
  return Math.round((progress.loaded / progress.total) * 100);
}

function PreviewTable({ preview }: { preview: CsvPreview }) {
  return (
    <div className="import-preview">
      {preview.problems.length > 0 && (
        <div className="notice notice-error" role="alert">
          <p>This file can’t be imported:</p>
          <ul>
            {preview.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      {preview.columns.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact">
            <caption className="table-caption">
              The first {preview.rows.length} row{preview.rows.length === 1 ? '' : 's'}
              {preview.more ? ' (more follow)' : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Row</th>
                {preview.columns.map((c) => (
                  <th key={c.position} scope="col">
                    {c.header || '(no header)'}
                    <span className="column-kind">{c.known === undefined ? 'custom field' : c.known}</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.rows.map((row, r) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows of a preview have no identity but their place
                <tr key={r}>
                  <td>{r + 1}</td>
                  {preview.columns.map((c) => (
                    <td key={c.position}>{row[c.position] ?? ''}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function ImportReport({ answer }: { answer: UpsertAnswer }) {
  return (
    <div role="status" className="import-report">
      <p>
        <strong>{answer.created}</strong> created, <strong>{answer.updated}</strong> updated
        {answer.errors.length > 0 ? (
          <>
            , <strong>{answer.errors.length}</strong> row{answer.errors.length === 1 ? '' : 's'} refused.
          </>
        ) : (
          '.'
        )}
      </p>
      {answer.errors.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact">
            <caption className="table-caption">Refused rows</caption>
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Line</th>
                <th scope="col">Column</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {answer.errors.map((e) => (
                <tr key={`${e.index}-${e.code}`}>
                  <td>{e.row ?? e.index + 1}</td>
                  <td>{e.line ?? '—'}</td>
                  <td>{columnOfError(e.code) ?? '—'}</td>
                  <td>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
