// An `update_field` step that names one of the record's own properties (company, email, timezone…) writes
// that column, as PATCH /api/records would (found by the black-box audit: `company` went to `fields.company`
// and the column stayed null); custom fields stay in `fields`, and field conditions read both.
import { expect, it } from 'vitest';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { connectRecords } from './connect.js';
import { runDue } from './scheduler.js';
import { completeStep } from './seller-actions.js';
import {
  activeSequence,
  aUser,
  DAY,
  definition,
  engineDeps,
  someRecords,
} from './test-support/engine-world.js';

const PROPERTIES = definition(
  [
    // Written by the start (connect's commit), then by a later transition (the engine's commit).
    { id: 'u0', type: 'update_field', field: 'timezone', value: 'europe/paris', next: 't1' },
    { id: 't1', type: 'task', name: 'Qualify', next: 'u1' },
    { id: 'u1', type: 'update_field', field: 'company', value: 'Contoso', next: 'u2' },
    { id: 'u2', type: 'update_field', field: 'tier', value: 'gold', next: 'u3' },
    { id: 'u3', type: 'update_field', field: 'email', value: ' buyer@contoso.example ', next: 'w1' },
    { id: 'w1', type: 'wait', duration: 'P1D', next: 'c1' },
    {
      id: 'c1',
      type: 'condition',
      if: {
        all: [
          { field: 'company', op: 'eq', value: 'contoso' },
          { field: 'tier', op: 'eq', value: 'gold' },
        ],
      },
      yes: 'y',
      no: 'n',
    },
    { id: 'y', type: 'task', name: 'Upsell' },
    { id: 'n', type: 'task', name: 'Nurture' },
  ],
  { workingHours: 'none' },
);

forEachDialect('update_field on a record property', (t) => {
  it("writes the record's column (stored as PATCH stores it); a custom field stays in fields; conditions read both", async () => {
    const deps = engineDeps(t.store());
    const owner = await aUser(deps.store, 'admin');
    const sequenceId = await activeSequence(deps.store, owner.id, PROPERTIES);
    const recordIds = await someRecords(deps.store, owner.id, 3);
    const actor = { id: owner.id, role: 'admin' as const };
    const { enrolled } = await connectRecords(deps, { sequenceId, recordIds, actor });
    expect(enrolled).toHaveLength(3);
    for (const id of recordIds) {
      const record = await deps.store.records.get(id);
      expect(record).toMatchObject({ timezone: 'Europe/Paris', fields: {} });
    }

    const [first] = enrolled as [{ enrollmentId: string; recordId: string }];
    const [task] = await deps.store.enrollmentViews.currentSteps(first.recordId);
    await completeStep(deps, actor, (task as { id: string }).id);
    expect(await deps.store.records.get(first.recordId)).toMatchObject({
      company: 'Contoso',
      email: 'buyer@contoso.example',
      timezone: 'Europe/Paris',
      fields: { tier: 'gold' },
    });
    expect((await deps.store.records.get(first.recordId))?.fields).not.toHaveProperty('company');

    // A later transition reads the property from its column.
    deps.clock.advance(DAY);
    await runDue(deps, { batchSize: 10, leaseOwner: 'test' });
    const steps = await deps.store.enrollments.listSteps(first.enrollmentId);
    expect(steps.find((s) => s.stepId === 'c1')).toMatchObject({ state: 'completed', outcome: 'yes' });
    expect(steps.at(-1)).toMatchObject({ stepId: 'y', state: 'open' });
  });
});
