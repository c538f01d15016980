// api.md: "`POST /api/enrollment-steps/{id}/skip` → 200 (a skipped email or call that a condition tests
// takes the `no` branch)". A skipped email can never be replied to, so a condition on it takes `no` when the
// skip is applied, not when its `within` has passed (found by the black-box audit: it waited a day).
import { expect, it } from 'vitest';
import { activeSequence, aUser, definition, someRecords } from '../engine/test-support/engine-world.js';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { startDialectServerAsAdmin } from './test-support/dialect-server.js';

const REPLIED_OR_NOT = definition(
  [
    { id: 'e1', type: 'email', name: 'Write', next: 'c1' },
    {
      id: 'c1',
      type: 'condition',
      if: { signal: 'email_replied', step: 'e1' },
      within: 'P1D',
      yes: 'y',
      no: 'n',
    },
    { id: 'y', type: 'phone_call', name: 'Call back' },
    { id: 'n', type: 'task', name: 'Try another way' },
  ],
  { workingHours: 'none' },
);

interface History {
  id: string;
  stepId: string;
  state: string;
  outcome: string | null;
  completedAt: string | null;
}

forEachDialect('a skipped email under a condition', (t) => {
  it('takes the no branch at once: the no step is open without moving the clock', async () => {
    const { deps, clock, call } = await startDialectServerAsAdmin(t);
    const seller = await aUser(deps.store, 'salesperson');
    const sequenceId = await activeSequence(deps.store, seller.id, REPLIED_OR_NOT);
    const [recordId] = (await someRecords(deps.store, seller.id, 1)) as [string];
    const connected = await call('POST', `/api/sequences/${sequenceId}/enrollments`, {
      recordIds: [recordId],
    });
    const enrollmentId = connected.json().enrolled[0].enrollmentId as string;
    const history = async () =>
      (await call('GET', `/api/enrollments/${enrollmentId}`)).json().history as History[];
    const email = (await history()).find((h) => h.stepId === 'e1');
    expect(email).toMatchObject({ state: 'open' });

    const skipped = await call('POST', `/api/enrollment-steps/${email?.id}/skip`);
    expect(skipped.statusCode).toBe(200);
    const now = new Date(clock.now()).toISOString();
    expect(skipped.json()).toMatchObject({ status: 'active', currentStepId: 'n' });
    expect(await history()).toEqual([
      expect.objectContaining({ stepId: 'e1', state: 'skipped' }),
      expect.objectContaining({ stepId: 'c1', state: 'completed', outcome: 'no', completedAt: now }),
      expect.objectContaining({ stepId: 'n', state: 'open' }),
    ]);
    const upNext = (await call('GET', `/api/records/${recordId}/up-next`)).json();
    expect(upNext).toEqual([
      expect.objectContaining({ step: expect.objectContaining({ id: 'n' }), state: 'open' }),
    ]);
  });
});
