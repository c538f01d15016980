// GET /api/records and /api/records/{id} name the sequence each record runs in now (the web app's
// "Sequence" column and a record page's header), and drop it when the record is disconnected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './test-support/api-harness.js';
import { activeSequence, aLead, enrolledLead } from './test-support/enrollment-fixtures.js';

describe('records with their current sequence', () => {
  let h: Harness;
  let sequenceId: string;

  beforeAll(async () => {
    h = await startHarness({ env: { STEPWISE_CLOCK: 'manual' } });
    sequenceId = await activeSequence(h.deps, h.users.admin, 'call');
  });

  afterAll(async () => {
    await h.close();
  });

  it('names the running sequence in the list and on the record, and null once disconnected', async () => {
    const { recordId, enrollmentId } = await enrolledLead(
      h.deps,
      h.users.admin,
      h.users.salesperson,
      sequenceId,
    );
    const idle = await aLead(h.deps, h.users.salesperson, 'Idle lead');
    const sequenceName = (await h.deps.store.sequences.get(sequenceId))?.name;

    const list = await h.as('salesperson', { method: 'GET', url: '/api/records?type=lead&limit=200' });
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { id: string; currentSequence: unknown }[];
    expect(items.find((r) => r.id === recordId)?.currentSequence).toEqual({
      id: sequenceId,
      name: sequenceName,
      enrollmentId,
    });
    expect(items.find((r) => r.id === idle)?.currentSequence).toBeNull();

    const one = await h.as('salesperson', { method: 'GET', url: `/api/records/${recordId}` });
    expect(one.json()).toMatchObject({ id: recordId, currentSequence: { id: sequenceId, enrollmentId } });

    const disconnect = await h.as('salesperson', {
      method: 'POST',
      url: `/api/sequences/${sequenceId}/enrollments/disconnect`,
      payload: { recordIds: [recordId] },
    });
    expect(disconnect.json()).toEqual({ disconnected: [recordId], notEnrolled: [] });
    const after = await h.as('salesperson', { method: 'GET', url: `/api/records/${recordId}` });
    expect(after.json().currentSequence).toBeNull();
  });

  it('answers an empty page without looking up sequences', async () => {
    const empty = await h.as('admin', {
      method: 'GET',
      url: '/api/records?type=opportunity&q=nothing-matches-this',
    });
    expect(empty.json()).toEqual({ items: [], nextCursor: null });
  });
});
