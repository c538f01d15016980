// Enrollments, the work list, step actions, signals, the test clock and /metrics through the HTTP API
// (api.md "Enrollments", "Work list", "Signals", "Test clock", "Operations").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './test-support/api-harness.js';
import { activeSequence, aLead, enrolledLead } from './test-support/enrollment-fixtures.js';

interface WorkItemBody {
  id: string;
  enrollmentId: string;
  record: { id: string; name: string; type: string };
  sequence: { id: string; name: string };
  step: { id: string; type: string; name: string | null; description: string | null };
  dueAt: string;
  state: string;
  snoozedAt: string | null;
}

describe('enrollments and the work list', () => {
  let h: Harness;
  let callSequence: string;
  let waitSequence: string;

  beforeAll(async () => {
    h = await startHarness({ env: { STEPWISE_CLOCK: 'manual' } });
    callSequence = await activeSequence(h.deps, h.users.admin, 'call');
    waitSequence = await activeSequence(h.deps, h.users.admin, 'wait');
  });

  afterAll(async () => {
    await h.close();
  });

  const worklist = async (who: Parameters<Harness['as']>[0], query = '') => {
    const response = await h.as(who, { method: 'GET', url: `/api/worklist${query}` });
    expect(response.statusCode).toBe(200);
    return response.json() as { items: WorkItemBody[]; nextCursor: string | null };
  };

  it('connects a seller’s own records, rejects others’, and 404s for no such sequence', async () => {
    const own = await aLead(h.deps, h.users.salesperson);
    const other = await aLead(h.deps, h.users.seller2);
    const response = await h.as('salesperson', {
      method: 'POST',
      url: `/api/sequences/${callSequence}/enrollments`,
      payload: { recordIds: [own, other, 'rec_nope'] },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.enrolled).toEqual([{ recordId: own, enrollmentId: expect.any(String) }]);
    expect(body.rejected).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ recordId: other, code: 'forbidden' }),
        expect.objectContaining({ recordId: 'rec_nope', code: 'not_found' }),
      ]),
    );

    const again = await h.as('salesperson', {
      method: 'POST',
      url: `/api/sequences/${callSequence}/enrollments`,
      payload: { recordIds: [own] },
    });
    expect(again.json().rejected).toEqual([expect.objectContaining({ code: 'already_enrolled' })]);

    const missing = await h.as('admin', {
      method: 'POST',
      url: '/api/sequences/seq_nope/enrollments',
      payload: { recordIds: [own] },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('not_found');

    const unknownField = await h.as('admin', {
      method: 'POST',
      url: `/api/sequences/${callSequence}/enrollments`,
      payload: { recordIds: [own], extra: 1 },
    });
    expect(unknownField.statusCode).toBe(400);
  });

  it('lists connected records with progress, and disconnects only what the seller owns', async () => {
    const sequence = await activeSequence(h.deps, h.users.admin, 'call');
    const mine = await enrolledLead(h.deps, h.users.admin, h.users.salesperson, sequence);
    const theirs = await enrolledLead(h.deps, h.users.admin, h.users.seller2, sequence);

    const list = await h.as('sales_manager', {
      method: 'GET',
      url: `/api/sequences/${sequence}/enrollments`,
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toHaveLength(2);
    expect(list.json().items[0]).toMatchObject({
      record: { name: 'Ada Lovelace', type: 'lead' },
      status: 'active',
      sequenceVersion: 1,
      currentStep: { id: 'call', name: 'Call them', type: 'phone_call' },
      daysElapsed: 0,
    });
    // A seller sees only their own records, also across pages.
    const sellers = await h.as('salesperson', {
      method: 'GET',
      url: `/api/sequences/${sequence}/enrollments?limit=1`,
    });
    expect(sellers.statusCode).toBe(200);
    expect(sellers.json().items.map((i: { recordId: string }) => i.recordId)).toEqual([mine.recordId]);
    expect(sellers.json().nextCursor).toBeNull();
    const seller2 = await h.as('seller2', { method: 'GET', url: `/api/sequences/${sequence}/enrollments` });
    expect(seller2.json().items.map((i: { recordId: string }) => i.recordId)).toEqual([theirs.recordId]);

    const disconnect = await h.as('salesperson', {
      method: 'POST',
      url: `/api/sequences/${sequence}/enrollments/disconnect`,
      payload: { recordIds: [mine.recordId, theirs.recordId] },
    });
    expect(disconnect.statusCode).toBe(200);
    expect(disconnect.json()).toEqual({ disconnected: [mine.recordId], notEnrolled: [theirs.recordId] });

    const ended = await h.as('salesperson', { method: 'GET', url: `/api/enrollments/${mine.enrollmentId}` });
    expect(ended.json()).toMatchObject({ status: 'disconnected', endReason: 'user_disconnected' });
    const active = await h.as('admin', {
      method: 'GET',
      url: `/api/sequences/${sequence}/enrollments?status=active`,
    });
    expect(active.json().items.map((i: { enrollmentId: string }) => i.enrollmentId)).toEqual([
      theirs.enrollmentId,
    ]);
  });

  it('shows an enrollment with its history, and hides another seller’s', async () => {
    const { enrollmentId, stepRowId } = await enrolledLead(
      h.deps,
      h.users.admin,
      h.users.salesperson,
      callSequence,
    );
    const response = await h.as('salesperson', { method: 'GET', url: `/api/enrollments/${enrollmentId}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      id: enrollmentId,
      sequenceId: callSequence,
      sequenceVersion: 1,
      status: 'active',
      endReason: null,
      currentStepId: 'call',
      // The open call is due now: the enrollment's next due time, though the scheduler has nothing to do.
      dueAt: '2026-11-23T09:00:00.000Z',
      history: [
        {
          id: stepRowId,
          stepId: 'call',
          type: 'phone_call',
          state: 'open',
          dueAt: '2026-11-23T09:00:00.000Z',
          completedAt: null,
          outcome: null,
        },
      ],
    });
    const hidden = await h.as('seller2', { method: 'GET', url: `/api/enrollments/${enrollmentId}` });
    expect(hidden.statusCode).toBe(404);
    expect(hidden.headers['content-type']).toContain('application/problem+json');
    expect(
      (await h.as('seller2', { method: 'POST', url: `/api/enrollments/${enrollmentId}/pause` })).statusCode,
    ).toBe(404);
    expect(
      (
        await h.as('seller2', {
          method: 'POST',
          url: `/api/enrollment-steps/${stepRowId}/complete`,
          payload: {},
        })
      ).statusCode,
    ).toBe(404);
    expect((await h.as('seller2', { method: 'GET', url: '/api/enrollments/enr_nope' })).statusCode).toBe(404);
  });

  it('gives each seller their own work list; managers pick an owner', async () => {
    const { stepRowId } = await enrolledLead(h.deps, h.users.admin, h.users.salesperson, callSequence);
    const mine = await worklist('salesperson');
    const item = mine.items.find((i) => i.id === stepRowId);
    expect(item).toMatchObject({
      record: { name: 'Ada Lovelace', type: 'lead' },
      sequence: { id: callSequence },
      step: { id: 'call', type: 'phone_call', name: 'Call them', description: 'Ask about the demo' },
      dueAt: '2026-11-23T09:00:00.000Z',
      state: 'open',
      snoozedAt: null,
    });
    expect((await worklist('salesperson', '?when=today')).items.map((i) => i.id)).toContain(stepRowId);
    expect((await worklist('salesperson', '?when=overdue')).items.map((i) => i.id)).not.toContain(stepRowId);
    expect((await worklist('seller2')).items.map((i) => i.id)).not.toContain(stepRowId);
    expect((await worklist('sales_manager')).items.map((i) => i.id)).not.toContain(stepRowId);
    expect(
      (await worklist('sales_manager', `?ownerId=${h.users.salesperson.id}&when=today`)).items.map(
        (i) => i.id,
      ),
    ).toContain(stepRowId);
    const peek = await h.as('salesperson', {
      method: 'GET',
      url: `/api/worklist?ownerId=${h.users.seller2.id}`,
    });
    expect(peek.statusCode).toBe(403);
    expect((await h.as('salesperson', { method: 'GET', url: '/api/worklist?when=someday' })).statusCode).toBe(
      400,
    );
    expect(
      (await h.as('salesperson', { method: 'GET', url: '/api/worklist?cursor=forged' })).statusCode,
    ).toBe(400);
  });

  it('pages the work list by due time without repeats', async () => {
    const sequence = await activeSequence(h.deps, h.users.admin, 'call');
    for (let i = 0; i < 5; i++) await enrolledLead(h.deps, h.users.admin, h.users.sequence_manager, sequence);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: WorkItemBody[]; nextCursor: string | null } = await worklist(
        'sequence_manager',
        `?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it('completes, skips and snoozes steps; a snoozed step is upcoming and paused enrollments leave the list', async () => {
    const first = await enrolledLead(h.deps, h.users.admin, h.users.salesperson, callSequence);
    const complete = await h.as('salesperson', {
      method: 'POST',
      url: `/api/enrollment-steps/${first.stepRowId}/complete`,
      payload: { outcome: 'left_voicemail', notes: 'Call back Tuesday' },
    });
    expect(complete.statusCode).toBe(200);
    expect(complete.json()).toMatchObject({
      id: first.enrollmentId,
      currentStepId: 'task',
      history: [
        { stepId: 'call', state: 'completed', outcome: 'left_voicemail', notes: 'Call back Tuesday' },
        { stepId: 'task', state: 'open' },
      ],
    });
    const badOutcome = await h.as('salesperson', {
      method: 'POST',
      url: `/api/enrollment-steps/${first.stepRowId}/complete`,
      payload: { outcome: 'maybe' },
    });
    expect(badOutcome.statusCode).toBe(400);

    const task = complete.json().history[1].id as string;
    const snooze = await h.as('salesperson', {
      method: 'POST',
      url: `/api/enrollment-steps/${task}/snooze`,
      payload: { until: '2026-11-25T10:00:00.000Z' },
    });
    expect(snooze.statusCode).toBe(200);
    const upcoming = await worklist('salesperson', '?when=upcoming');
    const snoozedAt = new Date(h.clock.now()).toISOString();
    expect(upcoming.items.find((i) => i.id === task)).toMatchObject({
      state: 'waiting',
      dueAt: '2026-11-25T10:00:00.000Z',
      snoozedAt,
    });
    // Snoozed again, by their manager from the seller's list: still a snoozed step, at the new time.
    const again = await h.as('sales_manager', {
      method: 'POST',
      url: `/api/enrollment-steps/${task}/snooze`,
      payload: { until: '2026-11-24T15:00:00.000Z' },
    });
    expect(again.statusCode).toBe(200);
    const theirs = await worklist('sales_manager', `?ownerId=${h.users.salesperson.id}&when=upcoming`);
    expect(theirs.items.find((i) => i.id === task)).toMatchObject({
      state: 'waiting',
      dueAt: '2026-11-24T15:00:00.000Z',
      snoozedAt,
    });
    expect((await worklist('salesperson', '?when=today')).items.map((i) => i.id)).not.toContain(task);

    const second = await enrolledLead(h.deps, h.users.admin, h.users.salesperson, callSequence);
    const pause = await h.as('salesperson', {
      method: 'POST',
      url: `/api/enrollments/${second.enrollmentId}/pause`,
    });
    expect(pause.statusCode).toBe(200);
    expect(pause.json().status).toBe('paused');
    expect((await worklist('salesperson')).items.map((i) => i.id)).not.toContain(second.stepRowId);
    const resume = await h.as('salesperson', {
      method: 'POST',
      url: `/api/enrollments/${second.enrollmentId}/resume`,
    });
    expect(resume.json().status).toBe('active');
    expect((await worklist('salesperson')).items.map((i) => i.id)).toContain(second.stepRowId);

    const skip = await h.as('salesperson', {
      method: 'POST',
      url: `/api/enrollment-steps/${second.stepRowId}/skip`,
    });
    expect(skip.statusCode).toBe(200);
    expect(skip.json().history[0]).toMatchObject({ state: 'skipped' });
  });

  it('shows a record’s up-next step, and [] when it runs in no sequence', async () => {
    const { recordId } = await enrolledLead(h.deps, h.users.admin, h.users.salesperson, waitSequence);
    const upNext = await h.as('salesperson', { method: 'GET', url: `/api/records/${recordId}/up-next` });
    expect(upNext.statusCode).toBe(200);
    expect(upNext.json()).toEqual([
      expect.objectContaining({
        step: expect.objectContaining({ id: 'wait', type: 'wait' }),
        state: 'waiting',
      }),
    ]);
    const idle = await aLead(h.deps, h.users.salesperson);
    expect(
      (await h.as('salesperson', { method: 'GET', url: `/api/records/${idle}/up-next` })).json(),
    ).toEqual([]);
    expect(
      (await h.as('seller2', { method: 'GET', url: `/api/records/${recordId}/up-next` })).statusCode,
    ).toBe(404);
  });

  it('up-next says when the enrollment is paused (the work list leaves it out), and active again on resume', async () => {
    const { recordId, enrollmentId, stepRowId } = await enrolledLead(
      h.deps,
      h.users.admin,
      h.users.salesperson,
      callSequence,
    );
    const upNext = async () =>
      (await h.as('salesperson', { method: 'GET', url: `/api/records/${recordId}/up-next` })).json();
    expect(await upNext()).toEqual([expect.objectContaining({ id: stepRowId, enrollmentStatus: 'active' })]);
    const paused = await h.as('salesperson', {
      method: 'POST',
      url: `/api/enrollments/${enrollmentId}/pause`,
    });
    expect(paused.statusCode).toBe(200);
    expect(await upNext()).toEqual([
      expect.objectContaining({ id: stepRowId, state: 'open', enrollmentStatus: 'paused' }),
    ]);
    expect((await worklist('salesperson')).items.map((i) => i.id)).not.toContain(stepRowId);
    await h.as('salesperson', { method: 'POST', url: `/api/enrollments/${enrollmentId}/resume` });
    expect(await upNext()).toEqual([expect.objectContaining({ id: stepRowId, enrollmentStatus: 'active' })]);
    expect((await worklist('salesperson')).items).toContainEqual(
      expect.objectContaining({ id: stepRowId, enrollmentStatus: 'active' }),
    );
  });

  it('runs the test clock end to end: connect, advance a day, work the call, see what is next', async () => {
    const clock = await h.as('salesperson', { method: 'GET', url: '/api/clock' });
    expect(clock.statusCode).toBe(200);
    const start = Date.parse(clock.json().now);

    const recordId = await aLead(h.deps, h.users.salesperson, 'Grace Hopper');
    const connect = await h.as('salesperson', {
      method: 'POST',
      url: `/api/sequences/${waitSequence}/enrollments`,
      payload: { recordIds: [recordId] },
    });
    expect(connect.json().enrolled).toHaveLength(1);
    const named = (items: WorkItemBody[]) => items.filter((i) => i.record.name === 'Grace Hopper');
    expect(named((await worklist('salesperson')).items)).toEqual([]);

    const advance = await h.as('admin', { method: 'POST', url: '/api/clock', payload: { advance: 'P1D' } });
    expect(advance.statusCode).toBe(200);
    expect(Date.parse(advance.json().now)).toBe(start + 86_400_000);
    expect(advance.json().processed).toBeGreaterThanOrEqual(1);

    const [call] = named((await worklist('salesperson', '?when=today')).items);
    expect(call).toMatchObject({
      step: { id: 'call', type: 'phone_call', name: 'Call them' },
      state: 'open',
    });
    const done = await h.as('salesperson', {
      method: 'POST',
      url: `/api/enrollment-steps/${call?.id}/complete`,
      payload: { outcome: 'answered' },
    });
    expect(done.statusCode).toBe(200);

    const upNext = await h.as('salesperson', { method: 'GET', url: `/api/records/${recordId}/up-next` });
    expect(upNext.json()).toEqual([
      expect.objectContaining({
        step: expect.objectContaining({ id: 'task', name: 'Send the proposal' }),
        state: 'open',
      }),
    ]);

    const set = await h.as('admin', {
      method: 'POST',
      url: '/api/clock',
      payload: { set: '2026-11-24T12:00:00Z' },
    });
    expect(set.statusCode).toBe(200);
    expect(set.json().now).toBe('2026-11-24T12:00:00.000Z');
    const back = await h.as('admin', {
      method: 'POST',
      url: '/api/clock',
      payload: { set: '2026-01-01T00:00:00Z' },
    });
    expect(back.statusCode).toBe(409);
    const garbage = await h.as('admin', { method: 'POST', url: '/api/clock', payload: { advance: 'soon' } });
    expect(garbage.statusCode).toBe(400);
  });

  it('takes signals in batches and counts a repeated id as a duplicate', async () => {
    const recordId = await aLead(h.deps, h.users.salesperson);
    const batch = {
      signals: [
        { id: 'sig-1', type: 'email_opened', recordId },
        { id: 'sig-2', type: 'email_clicked', recordId, at: '2026-11-23T09:00:00Z' },
      ],
    };
    const first = await h.as('admin', { method: 'POST', url: '/api/signals', payload: batch });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ accepted: 2, duplicates: 0, unknown: 0 });
    const again = await h.as('admin', { method: 'POST', url: '/api/signals', payload: batch });
    expect(again.json()).toEqual({ accepted: 0, duplicates: 2, unknown: 0 });
    const unknown = await h.as('admin', {
      method: 'POST',
      url: '/api/signals',
      payload: { signals: [{ type: 'email_opened', recordId: 'rec_nope' }] },
    });
    expect(unknown.json()).toEqual({ accepted: 0, duplicates: 0, unknown: 1 });
    const badType = await h.as('admin', {
      method: 'POST',
      url: '/api/signals',
      payload: { signals: [{ type: 'email_liked', recordId }] },
    });
    expect(badType.statusCode).toBe(400);
  });

  it('serves Prometheus metrics of this instance', async () => {
    await h.as('salesperson', { method: 'GET', url: '/api/worklist' });
    const response = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    for (const name of [
      'stepwise_http_request_duration_seconds_bucket',
      'stepwise_engine_due_backlog',
      'stepwise_engine_due_lateness_seconds',
      'stepwise_outbox_depth{status="pending"}',
      'stepwise_email_sends_total',
    ])
      expect(response.body).toContain(name);
    expect(response.body).toMatch(/route="\/api\/worklist",method="GET",status="200"/);
  });
});

describe('an enrollment’s dueAt: when its current step is due', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env: { STEPWISE_CLOCK: 'manual' } });
    // Saturday: the owner's working hours (Monday to Friday, 08:00 to 17:00 UTC) start on Monday.
    h.clock.set(Date.parse('2026-11-28T10:00:00Z'));
  });

  afterAll(async () => {
    await h.close();
  });

  /** A new active lead sequence of `steps`, and a lead of the salesperson connected to it. */
  const connected = async (steps: unknown[]) => {
    const created = await h.as('admin', {
      method: 'POST',
      url: '/api/sequences',
      payload: {
        name: `Due times ${h.deps.ids.newId('n')}`,
        entityType: 'lead',
        definition: { start: 'first', steps },
      },
    });
    expect(created.statusCode).toBe(201);
    const sequenceId = created.json().id as string;
    const activated = await h.as('admin', { method: 'POST', url: `/api/sequences/${sequenceId}/activate` });
    expect(activated.statusCode).toBe(200);
    const recordId = await aLead(h.deps, h.users.salesperson);
    const connect = await h.as('admin', {
      method: 'POST',
      url: `/api/sequences/${sequenceId}/enrollments`,
      payload: { recordIds: [recordId] },
    });
    const enrollmentId = connect.json().enrolled[0].enrollmentId as string;
    return { sequenceId, enrollmentId };
  };

  const enrollment = async (id: string) =>
    (await h.as('admin', { method: 'GET', url: `/api/enrollments/${id}` })).json();
  const listed = async (sequenceId: string) =>
    (await h.as('admin', { method: 'GET', url: `/api/sequences/${sequenceId}/enrollments` })).json().items;

  it('is the send time of an automated email waiting for the owner’s working hours', async () => {
    const template = await h.as('admin', {
      method: 'POST',
      url: '/api/email-templates',
      payload: { name: 'Hello', subject: 'Hello {{ record.name }}', body: 'Hi' },
    });
    expect(template.statusCode).toBe(201);
    const { sequenceId, enrollmentId } = await connected([
      { id: 'first', type: 'automated_email', templateId: template.json().id, next: 'task' },
      { id: 'task', type: 'task', name: 'Follow up' },
    ]);
    const monday = '2026-11-30T08:00:00.000Z';
    const detail = await enrollment(enrollmentId);
    expect(detail).toMatchObject({
      status: 'active',
      currentStepId: 'first',
      history: [{ stepId: 'first', state: 'waiting', dueAt: monday }],
    });
    expect(detail.dueAt).toBe(monday);
    expect(await listed(sequenceId)).toEqual([expect.objectContaining({ enrollmentId, dueAt: monday })]);
  });

  it('is the due time of an open manual step, in the detail and the list; null while paused', async () => {
    const { sequenceId, enrollmentId } = await connected([
      { id: 'first', type: 'task', name: 'Research them', next: 'call' },
      { id: 'call', type: 'phone_call', name: 'Call them' },
    ]);
    // The task opens on Monday at 08:00; afterwards it stays open, and due then.
    h.clock.set(Date.parse('2026-11-30T10:00:00Z'));
    const ticked = await h.as('admin', { method: 'POST', url: '/api/clock', payload: { advance: 'PT1M' } });
    expect(ticked.statusCode).toBe(200);
    const monday = '2026-11-30T08:00:00.000Z';
    const detail = await enrollment(enrollmentId);
    expect(detail).toMatchObject({ history: [{ stepId: 'first', state: 'open', dueAt: monday }] });
    expect(detail.dueAt).toBe(monday);
    expect(await listed(sequenceId)).toEqual([expect.objectContaining({ enrollmentId, dueAt: monday })]);

    const paused = await h.as('admin', { method: 'POST', url: `/api/enrollments/${enrollmentId}/pause` });
    expect(paused.statusCode).toBe(200);
    expect((await enrollment(enrollmentId)).dueAt).toBeNull();
    expect(await listed(sequenceId)).toEqual([expect.objectContaining({ status: 'paused', dueAt: null })]);
  });
});

describe('without STEPWISE_CLOCK=manual', () => {
  it('has no test clock routes', async () => {
    const h = await startHarness();
    try {
      expect((await h.as('admin', { method: 'GET', url: '/api/clock' })).statusCode).toBe(404);
      const post = await h.as('admin', { method: 'POST', url: '/api/clock', payload: { advance: 'P1D' } });
      expect(post.statusCode).toBe(404);
    } finally {
      await h.close();
    }
  });
});
