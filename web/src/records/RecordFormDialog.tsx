// New record and Edit record: name, email, phone, company, time zone, and the owner for managers (a
// salesperson's records stay their own). Delete asks first (DeleteRecordDialog).
import type { EntityType } from '@domain/definition.js';
import { useId, useState } from 'react';
import type { CrmRecord } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { Dialog } from '../ui/Dialog.js';
import { FormError } from '../ui/states.js';
import { formValuesOf, type RecordFormValues, recordBody } from './record-form.js';

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
  const set = (key: keyof RecordFormValues) => (event: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [key]: event.target.value }));
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
  const text = (key: keyof RecordFormValues, label: string, type = 'text') => (
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
      size="small"
      footer={
        <>
          <button type="button" className="button" onClick={() => onClose(false)}>
            Cancel
          </button>
          <button
            type="submit"
            form="record-form"
            className="button button-primary"
            disabled={busy || values.name.trim() === ''}
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
        <FormError error={error} />
      </form>
    </Dialog>
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
