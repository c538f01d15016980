// A record's owner change through the HTTP API (api.md "Records", "Work list"; design §5): whichever route
// changes the owner (PATCH, bulk upsert, CSV import), the open step of the record's running enrollment
// leaves the previous seller's work list and actions and goes to the new owner; a bulk or CSV update
// that names no owner keeps the record's owner ("ownerId defaults to the caller" is for creating).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRecords } from '../engine/connect.js';
import { type Harness, startHarness, type Who } from './test-support/api-harness.js';
import { activeSequence, enrolledLead } from './test-support/enrollment-fixtures.js';

describe('record owner changes', () => {
  let h: Harness;
  let callSequence: string;

  beforeAll(async () => {
    h = await startHarness({ env: { STEPWISE_CLOCK: 'manual' } });
    callSequence = await activeSequence(h.deps, h.users.admin, 'call');
  });

  afterAll(async () => {
    await h.close();
  });

  /** The step row ids in `who`'s work list (`ownerId` for a manager looking at a seller's). */
  async function workIds(who: Who, query = 'when=all'): Promise<string[]> {
    const response = await h.as(who, { method: 'GET', url: `/api/worklist?${query}` });
    expect(response.statusCode).toBe(200);
    return response.json().items.map((item: { id: string }) => item.id);
  }

  const step = (who: Who, stepRowId: string, action: 'complete' | 'snooze', payload: object = {}) =>
    h.as(who, { method: 'POST', url: `/api/enrollment-steps/${stepRowId}/${action}`, payload });

  const snoozeAnHour = () => ({ until: new Date(h.clock.now() + 3_600_000).toISOString() });

  /** The record's open step is seller2's now and no longer the salesperson's (in lists and actions). */
  async function expectWorkMovedToSeller2(stepRowId: string): Promise<void> {
    for (const query of ['when=all', 'when=today', '']) {
      expect(await workIds('salesperson', query)).not.toContain(stepRowId);
      expect(await workIds('seller2', query)).toContain(stepRowId);
    }
    expect(await workIds('sales_manager', `ownerId=${h.users.seller2.id}`)).toContain(stepRowId);
    expect(await workIds('sales_manager', `ownerId=${h.users.salesperson.id}`)).not.toContain(stepRowId);
    expect((await step('salesperson', stepRowId, 'snooze', snoozeAnHour())).statusCode).toBe(404);
    expect((await step('salesperson', stepRowId, 'complete')).statusCode).toBe(404);
  }

  /** A lead of the salesperson with an externalId, created by bulk upsert and connected to the call sequence. */
  async function connectedLeadWithExternalId(
    externalId: string,
  ): Promise<{ recordId: string; stepRowId: string }> {
    const created = await h.as('sales_manager', {
      method: 'POST',
      url: '/api/records/bulk',
      payload: {
        records: [{ type: 'lead', name: 'Grace Hopper', externalId, ownerId: h.users.salesperson.id }],
      },
    });
    expect(created.json()).toMatchObject({ created: 1, updated: 0, errors: [] });
    const recordId: string = created.json().items[0].id;
    const connected = await connectRecords(h.deps, {
      sequenceId: callSequence,
      recordIds: [recordId],
      actor: { id: h.users.salesperson.id, role: 'salesperson' },
    });
    const enrollmentId = connected.enrolled[0]?.enrollmentId as string;
    const [open] = await h.deps.store.enrollments.listSteps(enrollmentId);
    expect(open).toMatchObject({ state: 'open', ownerId: h.users.salesperson.id });
    expect(await workIds('salesperson')).toContain(open?.id);
    return { recordId, stepRowId: open?.id as string };
  }

  async function ownerOf(recordId: string): Promise<string> {
    const record = await h.as('sales_manager', { method: 'GET', url: `/api/records/${recordId}` });
    expect(record.statusCode).toBe(200);
    return record.json().ownerId;
  }

  it('PATCH ownerId: the open step leaves the old seller and the new one works it', async () => {
    const lead = await enrolledLead(h.deps, h.users.admin, h.users.salesperson, callSequence);
    expect(await workIds('salesperson')).toContain(lead.stepRowId);
    const due = (await h.deps.store.enrollments.listSteps(lead.enrollmentId))[0]?.dueAt;

    const moved = await h.as('sales_manager', {
      method: 'PATCH',
      url: `/api/records/${lead.recordId}`,
      payload: { ownerId: h.users.seller2.id },
    });
    expect(moved.statusCode).toBe(200);
    expect(
      (await h.as('seller2', { method: 'GET', url: `/api/enrollments/${lead.enrollmentId}` })).json(),
    ).toMatchObject({ ownerId: h.users.seller2.id, status: 'active' });
    expect(
      (await h.as('salesperson', { method: 'GET', url: `/api/enrollments/${lead.enrollmentId}` })).statusCode,
    ).toBe(404);
    await expectWorkMovedToSeller2(lead.stepRowId);
    // The due time stays as it was.
    expect((await h.deps.store.enrollments.listSteps(lead.enrollmentId))[0]?.dueAt).toBe(due);

    const done = await step('seller2', lead.stepRowId, 'complete', { outcome: 'answered' });
    expect(done.statusCode).toBe(200);
    const history = (
      await h.as('seller2', { method: 'GET', url: `/api/enrollments/${lead.enrollmentId}` })
    ).json().history;
    expect(history.map((row: { stepId: string; state: string }) => [row.stepId, row.state])).toEqual([
      ['call', 'completed'],
      ['task', 'open'],
    ]);
    const next = `${lead.enrollmentId}.0002`;
    expect(history[1].id).toBe(next);
    expect(await workIds('seller2')).toContain(next);
    expect(await workIds('salesperson')).not.toContain(next);
    // The completed call keeps seller2 (it was theirs when done); the old seller can't touch it either.
    expect((await step('salesperson', lead.stepRowId, 'complete')).statusCode).toBe(404);
  });

  it('PATCH ownerId of a snoozed step: it moves, still snoozed, and opens for the new owner', async () => {
    const lead = await enrolledLead(h.deps, h.users.admin, h.users.salesperson, callSequence);
    expect((await step('salesperson', lead.stepRowId, 'snooze', snoozeAnHour())).statusCode).toBe(200);
    expect(
      (
        await h.as('sales_manager', {
          method: 'PATCH',
          url: `/api/records/${lead.recordId}`,
          payload: { ownerId: h.users.seller2.id },
        })
      ).statusCode,
    ).toBe(200);
    const [snoozed] = await h.deps.store.enrollments.listSteps(lead.enrollmentId);
    expect(snoozed).toMatchObject({ state: 'waiting', ownerId: h.users.seller2.id });
    expect(await workIds('salesperson')).not.toContain(lead.stepRowId);
    expect(await workIds('seller2')).toContain(lead.stepRowId);
  });

  it('bulk upsert: an update without ownerId keeps the owner; with ownerId the record and its step move', async () => {
    const { recordId, stepRowId } = await connectedLeadWithExternalId('crm-bulk-1');

    const kept = await h.as('sales_manager', {
      method: 'POST',
      url: '/api/records/bulk',
      payload: { records: [{ type: 'lead', name: 'Grace B. Hopper', externalId: 'crm-bulk-1' }] },
    });
    expect(kept.json()).toMatchObject({ created: 0, updated: 1, errors: [], items: [{ id: recordId }] });
    expect(await ownerOf(recordId)).toBe(h.users.salesperson.id);
    const own = await h.as('salesperson', { method: 'GET', url: `/api/records/${recordId}` });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ name: 'Grace B. Hopper', ownerId: h.users.salesperson.id });
    expect(await workIds('salesperson')).toContain(stepRowId);

    const moved = await h.as('sales_manager', {
      method: 'POST',
      url: '/api/records/bulk',
      payload: {
        records: [
          { type: 'lead', name: 'Grace Hopper', externalId: 'crm-bulk-1', ownerId: h.users.seller2.id },
        ],
      },
    });
    expect(moved.json()).toMatchObject({ created: 0, updated: 1, errors: [] });
    expect(await ownerOf(recordId)).toBe(h.users.seller2.id);
    expect((await h.as('salesperson', { method: 'GET', url: `/api/records/${recordId}` })).statusCode).toBe(
      404,
    );
    await expectWorkMovedToSeller2(stepRowId);
    expect((await step('seller2', stepRowId, 'complete')).statusCode).toBe(200);
    const audit = await h.deps.store.audit.list({ subject: { type: 'record', id: recordId } });
    expect(audit.items).toMatchObject([
      {
        action: 'record.owner_changed',
        actorId: h.users.sales_manager.id,
        data: { from: h.users.salesperson.id, to: h.users.seller2.id },
      },
    ]);
  });

  it('bulk upsert: a new record without ownerId is the caller’s; sellers may not upsert', async () => {
    const created = await h.as('sales_manager', {
      method: 'POST',
      url: '/api/records/bulk',
      payload: { records: [{ type: 'lead', name: 'New one', externalId: 'crm-bulk-new' }] },
    });
    expect(created.json()).toMatchObject({ created: 1, updated: 0 });
    expect(await ownerOf(created.json().items[0].id)).toBe(h.users.sales_manager.id);
    const refused = await h.as('salesperson', {
      method: 'POST',
      url: '/api/records/bulk',
      payload: { records: [{ type: 'lead', name: 'Mine', externalId: 'crm-bulk-new' }] },
    });
    expect(refused.statusCode).toBe(403);
  });

  it('CSV import: an update without ownerEmail keeps the owner; with ownerEmail the record and its step move', async () => {
    const { recordId, stepRowId } = await connectedLeadWithExternalId('crm-csv-1');
    const importCsv = (who: Who, csv: string) =>
      h.as(who, {
        method: 'POST',
        url: '/api/records/import?type=lead',
        headers: { 'content-type': 'text/csv' },
        payload: csv,
      });

    const noColumn = await importCsv('sales_manager', 'name,externalId\nGrace C. Hopper,crm-csv-1\n');
    expect(noColumn.json()).toMatchObject({ created: 0, updated: 1, errors: [] });
    const emptyCell = await importCsv(
      'sales_manager',
      'name,externalId,ownerEmail\nGrace D. Hopper,crm-csv-1,\n',
    );
    expect(emptyCell.json()).toMatchObject({ created: 0, updated: 1, errors: [] });
    expect(await ownerOf(recordId)).toBe(h.users.salesperson.id);
    expect(
      (await h.as('salesperson', { method: 'GET', url: `/api/records/${recordId}` })).json(),
    ).toMatchObject({ name: 'Grace D. Hopper', ownerId: h.users.salesperson.id });
    expect(await workIds('salesperson')).toContain(stepRowId);

    const moved = await importCsv(
      'sales_manager',
      `name,externalId,ownerEmail\nGrace Hopper,crm-csv-1,${h.users.seller2.email}\n`,
    );
    expect(moved.json()).toMatchObject({ created: 0, updated: 1, errors: [] });
    expect(await ownerOf(recordId)).toBe(h.users.seller2.id);
    await expectWorkMovedToSeller2(stepRowId);
    expect((await step('seller2', stepRowId, 'complete')).statusCode).toBe(200);

    expect((await importCsv('salesperson', 'name,externalId\nMine,crm-csv-1\n')).statusCode).toBe(403);
  });
});
