import { describe, expect, it } from 'vitest';
import type { CrmRecord } from '../api/types.js';
import { type CustomFieldRow, fieldProblems, formValuesOf, newFieldRow, recordBody } from './record-form.js';

const ADA: CrmRecord = { id: 'r1', type: 'lead', name: 'Ada', email: 'ada@example.com', ownerId: 'u1' };

const row = (key: string, value: string, kind: CustomFieldRow['kind'] = 'text'): CustomFieldRow => ({
  ...newFieldRow(kind),
  key,
  value,
});

describe('recordBody', () => {
  it('leaves empty fields out of a new record', () => {
    expect(recordBody({ ...formValuesOf(undefined), name: ' Grace ', company: 'Navy' }, undefined)).toEqual({
      name: 'Grace',
      company: 'Navy',
    });
  });

  it('clears a field emptied on an edit and sends the owner only when it changes', () => {
    const values = { ...formValuesOf(ADA), email: '', phone: '+44 20' };
    expect(recordBody(values, ADA)).toEqual({ name: 'Ada', email: null, phone: '+44 20' });
    expect(recordBody({ ...values, ownerId: 'u2' }, ADA)).toMatchObject({ ownerId: 'u2' });
  });

  it('sends the LinkedIn profile, and null when it is emptied', () => {
    const withProfile = { ...ADA, linkedinUrl: 'https://www.linkedin.com/in/ada' };
    expect(
      recordBody(
        { ...formValuesOf(undefined), name: 'Grace', linkedinUrl: ' https://linkedin.com/in/g ' },
        undefined,
      ),
    ).toEqual({ name: 'Grace', linkedinUrl: 'https://linkedin.com/in/g' });
    expect(recordBody({ ...formValuesOf(withProfile), linkedinUrl: '' }, withProfile)).toMatchObject({
      linkedinUrl: null,
    });
  });

  it('sends a new record its named custom fields, each of its kind', () => {
    const values = {
      ...formValuesOf(undefined),
      name: 'Grace',
      fields: [
        row('title', ' Rear admiral '),
        row('employees', '1 200', 'number'),
        row('vip', 'false', 'boolean'),
      ],
    };
    expect(recordBody(values, undefined).fields).toEqual({
      title: 'Rear admiral',
      employees: 1200,
      vip: false,
    });
    // An empty text or number is no field at all on a new record, and a row without a name is left out.
    const sparse = { ...values, fields: [row('title', '  '), row('', ''), row('size', '', 'number')] };
    expect(recordBody(sparse, undefined).fields).toBeUndefined();
  });

  it('sends an edit only the custom fields added, changed or removed (a PATCH merges them)', () => {
    const record: CrmRecord = { ...ADA, fields: { title: 'CTO', employees: 40, vip: true, region: 'EMEA' } };
    const values = formValuesOf(record);
    expect(values.fields.map((f) => [f.key, f.kind, f.value])).toEqual([
      ['employees', 'number', '40'],
      ['region', 'text', 'EMEA'],
      ['title', 'text', 'CTO'],
      ['vip', 'boolean', 'true'],
    ]);
    expect(recordBody(values, record).fields).toBeUndefined();
    const edited = {
      ...values,
      fields: [
        ...values.fields
          .filter((f) => f.key !== 'region')
          .map((f) =>
            f.key === 'employees' ? { ...f, value: '45' } : f.key === 'title' ? { ...f, value: '' } : f,
          ),
        row('source', 'Webinar'),
      ],
    };
    expect(recordBody(edited, record).fields).toEqual({
      employees: 45,
      title: null,
      region: null,
      source: 'Webinar',
    });
  });
});

describe('fieldProblems', () => {
  it('names each row that cannot be sent', () => {
    const rows = [
      row('title', 'CTO'),
      row('title', 'CEO'),
      row('', 'orphan value'),
      row('size', 'twelve', 'number'),
      row('x'.repeat(101), 'long'),
      row('', ''),
    ];
    const problems = fieldProblems(rows);
    expect(
      [...problems.entries()].map(([id, message]) => [rows.findIndex((r) => r.rowId === id), message]),
    ).toEqual([
      [1, '“title” is already a field of this record.'],
      [2, 'Give the field a name.'],
      [3, 'Not a number.'],
      [4, 'At most 100 characters.'],
    ]);
    expect(fieldProblems([row('size', '12.5', 'number'), row('ok', 'true', 'boolean')]).size).toBe(0);
  });
});
