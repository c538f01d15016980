// New record and Edit record: name, email, phone, company, LinkedIn profile, time zone, custom fields, and
// the owner for managers (a salesperson's records stay their own). Delete asks first (DeleteRecordDialog).
import type { EntityType } from '@domain/definition.js';
import { useId, useState } from 'react';
import type { CrmRecord } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { Dialog } from '../ui/Dialog.js';
import { FormError } from '../ui/states.js';
import {
  type CustomFieldRow,
  type FieldKind,
  fieldProblems,
  formValuesOf,
  MAX_FIELD_KEY,
  newFieldRow,
  type RecordFormValues,
  recordBody,
} from './record-form.js';

export const ENTITY_SINGULAR_LOWER: Record<EntityType, string> = {
  lead: 'lead',
  contact: 'contact',
  account: 'account',
  opportunity: 'opportunity',
};

export function RecordFormDialog({
  entityType,
  record,
  owners,
  onClose,
}: {
  entityType: EntityType;
  /** The record to edit; none: a new one. */
  record?: CrmRecord;
  /** Who may own it (managers); null: the owner is not offered. */
  owners: { id: string; name: string }[] | null;
  onClose: (changed: boolean) => void;
}) {
  const api = useApi();
  const ids = useId();
  const [values, setValues] = useState<RecordFormValues>(formValuesOf(record));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const noun = ENTITY_SINGULAR_LOWER[entityType];
  const title = record === undefined ? `New ${noun}` : `Edit ${record.name}`;
  const set = (key: Exclude<keyof RecordFormValues, 'fields'>) => (event: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [key]: event.target.value }));
  const problems = fieldProblems(values.fields);
  const setRow = (rowId: number, change: Partial<CustomFieldRow>) =>
    setValues((v) => ({
      ...v,
      fields: v.fields.map((row) => (row.rowId === rowId ? { ...row, ...change } : row)),
    }));
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const body = recordBody(values, record);
      if (record === undefined)
        await api.records.create({ ...body, type: entityType, name: body.name ?? '' });
      else await api.records.update(record.id, body);
      onClose(true);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };
  const text = (key: Exclude<keyof RecordFormValues, 'fields'>, label: string, type = 'text') => (
    <label className="field">
      <span className="field-label">{label}</span>
      <input type={type} value={values[key]} onChange={set(key)} />
    </label>
  );
  return (
    <Dialog
      title={title}
      open
      onClose={() => onClose(false)}
      size="medium"
      footer={
        <>
          <button type="button" className="button" onClick={() => onClose(false)}>
            Cancel
          </button>
          <button
            type="submit"
            form="record-form"
            className="button button-primary"
            disabled={busy || values.name.trim() === '' || problems.size > 0}
          >
            {busy ? 'Saving…' : record === undefined ? `Create ${noun}` : 'Save'}
          </button>
        </>
      }
    >
      <form
        id="record-form"
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        {text('name', 'Name')}
        {text('email', 'Email', 'email')}
        {text('phone', 'Phone', 'tel')}
        {text('company', 'Company')}
        {text('linkedinUrl', 'LinkedIn profile', 'url')}
        <div className="field">
          <label className="field-label" htmlFor={`${ids}-zone`}>
            Time zone
          </label>
          <input
            id={`${ids}-zone`}
            aria-describedby={`${ids}-zone-hint`}
            value={values.timezone}
            onChange={set('timezone')}
            placeholder="Europe/London"
          />
          <span className="field-hint" id={`${ids}-zone-hint`}>
            An IANA time zone; empty: the owner’s.
          </span>
        </div>
        {owners !== null && (
          <label className="field">
            <span className="field-label">Owner</span>
            <select value={values.ownerId} onChange={set('ownerId')}>
              {record === undefined && <option value="">Me</option>}
              {owners.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <fieldset className="fieldset custom-fields">
          <legend className="field-label">Custom fields</legend>
          {values.fields.length === 0 ? (
            <p className="field-hint">
              None yet. Emails can use a field as {'{{ record.fields.title }}'}, and conditions can test it.
            </p>
          ) : (
            <ul className="custom-field-list">
              {values.fields.map((row, index) => (
                <CustomFieldEditor
                  key={row.rowId}
                  row={row}
                  n={index + 1}
                  problem={problems.get(row.rowId)}
                  onChange={(change) => setRow(row.rowId, change)}
                  onRemove={() =>
                    setValues((v) => ({ ...v, fields: v.fields.filter((r) => r.rowId !== row.rowId) }))
                  }
                />
              ))}
            </ul>
          )}
          <button
            type="button"
            className="button button-small"
            onClick={() => setValues((v) => ({ ...v, fields: [...v.fields, newFieldRow()] }))}
          >
            Add a field
          </button>
        </fieldset>
        <FormError error={error} />
      </form>
    </Dialog>
  );
}

const KIND_LABELS: Record<FieldKind, string> = { text: 'Text', number: 'Number', boolean: 'Yes / no' };

/** One custom field: its name, kind and value, each labelled with the field's place for screen readers. */
function CustomFieldEditor({
  row,
  n,
  problem,
  onChange,
  onRemove,
}: {
  row: CustomFieldRow;
  n: number;
  problem: string | undefined;
  onChange: (change: Partial<CustomFieldRow>) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const name = row.key.trim() === '' ? `field ${n}` : `“${row.key.trim()}”`;
  return (
    <li className="custom-field">
      <div className="custom-field-inputs">
        <input
          aria-label={`Name of field ${n}`}
          value={row.key}
          maxLength={MAX_FIELD_KEY + 1}
          placeholder="title"
          aria-invalid={problem !== undefined}
          aria-describedby={problem === undefined ? undefined : `${id}-problem`}
          onChange={(event) => onChange({ key: event.target.value })}
        />
        <select
          aria-label={`Kind of ${name}`}
          value={row.kind}
          onChange={(event) => {
            const kind = event.target.value as FieldKind;
            onChange({ kind, value: kind === 'boolean' ? 'true' : row.kind === 'boolean' ? '' : row.value });
          }}
        >
          {(Object.keys(KIND_LABELS) as FieldKind[]).map((kind) => (
            <option key={kind} value={kind}>
              {KIND_LABELS[kind]}
            </option>
          ))}
        </select>
        {row.kind === 'boolean' ? (
          <select
            aria-label={`Value of ${name}`}
            value={row.value}
            onChange={(event) => onChange({ value: event.target.value })}
          >
            <option value="true">Yes</option>
            <option value="false">No</option>
          </select>
        ) : (
          <input
            aria-label={`Value of ${name}`}
            inputMode={row.kind === 'number' ? 'decimal' : undefined}
            value={row.value}
            onChange={(event) => onChange({ value: event.target.value })}
          />
        )}
        <button
          type="button"
          className="button button-small"
          aria-label={`Remove ${name}`}
          onClick={onRemove}
        >
          Remove
        </button>
      </div>
      {problem !== undefined && (
        <span className="field-error" id={`${id}-problem`}>
          {problem}
        </span>
      )}
    </li>
  );
}

export function DeleteRecordDialog({
  record,
  onClose,
}: {
  record: CrmRecord;
  onClose: (changed: boolean) => void;
}) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.records.remove(record.id);
      onClose(true);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Delete ${record.name}?`}
      open
      onClose={() => onClose(false)}
      size="small"
      footer={
        <>
          <button type="button" className="button" onClick={() => onClose(false)}>
            Cancel
          </button>
          <button
            type="button"
            className="button button-danger"
            disabled={busy}
            onClick={() => void remove()}
          >
            {busy ? 'Deleting…' : 'Delete'}
          </button>
        </>
      }
    >
      <p>
        {record.name} is deleted
        {record.currentSequence ? ` and disconnected from “${record.currentSequence.name}”` : ''}.
      </p>
      <FormError error={error} />
    </Dialog>
  );
}
