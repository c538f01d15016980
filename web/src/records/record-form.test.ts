import { describe, expect, it } from 'vitest';
import type { CrmRecord } from '../api/types.js';
import { formValuesOf, recordBody } from './record-form.js';

const ADA: CrmRecord = { id: 'r1', type: 'lead', name: 'Ada', email: 'ada@example.com', ownerId: 'u1' };

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
});
