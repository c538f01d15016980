// A condition waiting under `moveOnSignal` on a signal and a record field decides when the field changes
// (PATCH, bulk upsert), not only when a signal comes or at its deadline: api.md, "`moveOnSignal: true`
// takes `yes` as soon as" it holds. The change re-checks the record's running enrollments
// (engine/record-lifecycle.ts `recordFieldsChanged`).
import { expect, it } from 'vitest';
import { connectRecords } from '../engine/connect.js';
import { stepRowId } from '../engine/enrollment-commit.js';
import { markEmailSent } from '../engine/seller-actions.js';
import { activeSequence, aUser, definition, HOUR, someRecords } from '../engine/test-support/engine-world.js';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { startDialectServerAsAdmin } from './test-support/dialect-server.js';

const OPENED_AND_HOT = definition(
  [
    { id: 'e1', type: 'email', name: 'Write', templateId: 'tpl_1', next: 'c1' },
    {
      id: 'c1',
      type: 'condition',
      if: {
        all: [
          { signal: 'email_opened', step: 'e1' },
          { field: 'hot', op: 'eq', value: true },
        ],
      },
      within: 'P2D',
      moveOnSignal: true,
      yes: 'y',
      no: 'n',
    },
    { id: 'y', type: 'task', name: 'Call now' },
    { id: 'n', type: 'task', name: 'Nurture' },
  ],
  { workingHours: 'none' },
);

forEachDialect('field conditions under moveOnSignal', (t) => {
  it('decide yes when the field changes after the signal (PATCH and bulk upsert), and not before', async () => {
    const { deps, clock, call } = await startDialectServerAsAdmin(t);
    const seller = await aUser(deps.store, 'salesperson');
    const sequenceId = await activeSequence(deps.store, seller.id, OPENED_AND_HOT);
    const recordIds = await someRecords(deps.store, seller.id, 2, 'lead', { fields: { hot: false } });
    const actor = { id: seller.id, role: 'salesperson' as const };
    const { enrolled } = await connectRecords(deps, { sequenceId, recordIds, actor });
    const [patched, upserted] = enrolled.map((e) => e.enrollmentId) as [string, string];
    for (const id of [patched, upserted]) await markEmailSent(deps, actor, stepRowId(id, 1));
    clock.advance(HOUR);
    const opened = await call('POST', '/api/signals', {
      signals: recordIds.map((recordId, i) => ({ id: `open-${i}`, type: 'email_opened', recordId })),
    });
    expect(opened.json()).toMatchObject({ accepted: 2 });
    const c1 = async (id: string) =>
      (await deps.store.enrollments.listSteps(id)).find((s) => s.stepId === 'c1');
    // Opened, but not hot: it waits (a false field is never an early `no`).
    expect(await c1(patched)).toMatchObject({ state: 'waiting' });

    clock.advance(HOUR);
    const patch = await call('PATCH', `/api/records/${recordIds[0]}`, { fields: { hot: true } });
    expect(patch.statusCode).toBe(200);
    expect(await c1(patched)).toMatchObject({ state: 'completed', outcome: 'yes', completedAt: clock.now() });
    expect(await c1(upserted)).toMatchObject({ state: 'waiting' });

    const record = await deps.store.records.get(recordIds[1] as string);
    await deps.store.records.update(record?.id as string, { externalId: 'crm-2' }, clock.now());
    const bulk = await call('POST', '/api/records/bulk', {
      records: [{ type: 'lead', externalId: 'crm-2', name: 'Record', fields: { hot: true } }],
    });
    expect(bulk.json()).toMatchObject({ updated: 1 });
    expect(await c1(upserted)).toMatchObject({ state: 'completed', outcome: 'yes' });
  });
});
