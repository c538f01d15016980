// GET /api/records/{id}/enrollments: the sequences a record ran, newest first, ended ones included (the
// record page's sequence history). A seller lists only their own records'; another seller's answers 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './test-support/api-harness.js';
import { activeSequence, aLead } from './test-support/enrollment-fixtures.js';

interface Row {
  enrollmentId: string;
  sequence: { id: string; name: string; deleted: boolean } | null;
  status: string;
  endReason: string | null;
  currentStep: { id: string; name: string | null; type: string | null } | null;
  startedAt: string;
  endedAt: string | null;
}

describe("a record's enrollments", () => {
  let h: Harness;
  let first: string;
  let second: string;

  beforeAll(async () => {
    h = await startHarness({ env: { STEPWISE_CLOCK: 'manual' } });
    first = await activeSequence(h.deps, h.users.admin, 'call');
    second = await activeSequence(h.deps, h.users.admin, 'email');
  });

  afterAll(async () => {
    await h.close();
  });

  const connect = async (sequenceId: string, recordId: string) => {
    const res = await h.as('salesperson', {
      method: 'POST',
      url: `/api/sequences/${sequenceId}/enrollments`,
      payload: { recordIds: [recordId] },
    });
    expect(res.json().enrolled).toHaveLength(1);
    return res.json().enrolled[0].enrollmentId as string;
  };

  it('lists the ended enrollments after the running one, with their sequences and how they ended', async () => {
    const recordId = await aLead(h.deps, h.users.salesperson, 'Grace Hopper');
    const none = await h.as('salesperson', { method: 'GET', url: `/api/records/${recordId}/enrollments` });
    expect(none.statusCode).toBe(200);
    expect(none.json()).toEqual({ items: [], nextCursor: null });

    const older = await connect(first, recordId);
    const disconnect = await h.as('salesperson', {
      method: 'POST',
      url: `/api/sequences/${first}/enrollments/disconnect`,
      payload: { recordIds: [recordId] },
    });
    expect(disconnect.json().disconnected).toEqual([recordId]);
    h.clock.advance(60_000);
    const newer = await connect(second, recordId);

    const res = await h.as('salesperson', { method: 'GET', url: `/api/records/${recordId}/enrollments` });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Row[];
    const names = new Map(
      await Promise.all(
        [first, second].map(async (id) => [id, (await h.deps.store.sequences.get(id))?.name] as const),
      ),
    );
    expect(items.map((e) => e.enrollmentId)).toEqual([newer, older]);
    expect(items[0]).toMatchObject({
      sequence: { id: second, name: names.get(second), deleted: false },
      status: 'active',
      endReason: null,
      currentStep: { id: 'mail', name: 'Write to them', type: 'email' },
      endedAt: null,
    });
    expect(items[1]).toMatchObject({
      sequence: { id: first, name: names.get(first), deleted: false },
      status: 'disconnected',
      endReason: 'user_disconnected',
      currentStep: { id: 'call', name: 'Call them', type: 'phone_call' },
      startedAt: '2026-11-23T09:00:00.000Z',
      endedAt: '2026-11-23T09:00:00.000Z',
    });
  });

  it('pages newest first and keeps a deleted sequence by name', async () => {
    const recordId = await aLead(h.deps, h.users.salesperson, 'Katherine Johnson');
    const doomed = await activeSequence(h.deps, h.users.admin, 'call');
    const made = [await connect(doomed, recordId)];
    const deleted = await h.as('admin', { method: 'DELETE', url: `/api/sequences/${doomed}` });
    expect(deleted.statusCode).toBe(204);
    for (const sequenceId of [first, second]) {
      made.push(await connect(sequenceId, recordId));
      await h.as('salesperson', {
        method: 'POST',
        url: `/api/sequences/${sequenceId}/enrollments/disconnect`,
        payload: { recordIds: [recordId] },
      });
    }

    const seen: Row[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? 'limit=2' : `limit=2&cursor=${encodeURIComponent(cursor)}`;
      const res = await h.as('sales_manager', {
        method: 'GET',
        url: `/api/records/${recordId}/enrollments?${query}`,
      });
      expect(res.statusCode).toBe(200);
      seen.push(...(res.json().items as Row[]));
      cursor = res.json().nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(2);
    expect(seen.map((e) => e.enrollmentId)).toEqual([...made].reverse());
    expect(seen[2]).toMatchObject({
      sequence: { id: doomed, deleted: true },
      status: 'disconnected',
      endReason: 'sequence_deleted',
    });
  });

  it("answers 404 for another seller's record, a deleted record, or none", async () => {
    const theirs = await aLead(h.deps, h.users.seller2, 'Not yours');
    await connect(first, await aLead(h.deps, h.users.salesperson));
    const other = await h.as('salesperson', { method: 'GET', url: `/api/records/${theirs}/enrollments` });
    expect(other.statusCode).toBe(404);
    expect(other.headers['content-type']).toContain('application/problem+json');
    expect(
      (await h.as('seller2', { method: 'GET', url: `/api/records/${theirs}/enrollments` })).statusCode,
    ).toBe(200);
    const missing = await h.as('admin', { method: 'GET', url: '/api/records/rec_nope/enrollments' });
    expect(missing.statusCode).toBe(404);
    const bad = await h.as('admin', { method: 'GET', url: `/api/records/${theirs}/enrollments?limit=0` });
    expect(bad.statusCode).toBe(400);
    await h.as('admin', { method: 'DELETE', url: `/api/records/${theirs}` });
    expect(
      (await h.as('admin', { method: 'GET', url: `/api/records/${theirs}/enrollments` })).statusCode,
    ).toBe(404);
  });
});
