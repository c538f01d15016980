// The same action arriving several times at once — a double click, a client retrying after a timeout, two
// managers on the same thing — has one effect (design §3: each email goes out once, each step opens once).
// Every other copy answers a repeat's 200 (seller-actions.ts: a repeat answers the current state) or a 4xx
// problem with a stable code, never a 5xx. On both dialects, through the HTTP API of a server wired as
// `serve` wires it under the test clock (its own mail sender, which POST /api/clock drives), with a real
// SMTP listener on loopback counting what goes out.
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { createMailSender } from '../cli/mail-sender.js';
import { loadConfig } from '../config.js';
import type { SequenceDefinition } from '../domain/definition.js';
import type { Role, User } from '../engine/ports/store.js';
import { aUser, definition, engineDeps, T0 } from '../engine/test-support/engine-world.js';
import { type SmtpSink, startSmtpSink } from '../mail/test-support/smtp-sink.js';
import { type DialectTest, forEachDialect } from '../storage/test-support/dialects.js';
import { createApiToken } from './auth/api-tokens.js';
import { buildServer } from './server.js';

/** How many copies of one request are in flight at once. */
const COPIES = 8;

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups = [];
});

interface Answer {
  status: number;
  body: { code?: string; [key: string]: unknown };
}

interface EnrollmentBody {
  status: string;
  endReason: string | null;
  history: { id: string; stepId: string; state: string }[];
}

const MAIL_THEN_TASK: SequenceDefinition['steps'] = [
  { id: 'mail', type: 'email', name: 'Write to them', templateId: 'tpl_intro', next: 'task' },
  { id: 'task', type: 'task', name: 'Send the proposal' },
];
const CALL_THEN_TASK: SequenceDefinition['steps'] = [
  { id: 'call', type: 'phone_call', name: 'Call them', next: 'task' },
  { id: 'task', type: 'task', name: 'Send the proposal' },
];

async function world(t: DialectTest) {
  const sink: SmtpSink = await startSmtpSink();
  const deps = engineDeps(t.store());
  const config = loadConfig({
    DATABASE_URL: ':memory:',
    STEPWISE_CLOCK: 'manual',
    STEPWISE_SECRET: 'a-test-secret-of-at-least-32-characters',
    STEPWISE_MAIL_FROM: 'sales@stepwise.example',
    STEPWISE_SMTP_URL: `smtp://127.0.0.1:${sink.port}?dailyCap=off&minSpacingMs=0`,
  });
  const log = pino({ level: 'silent' });
  const sender = await createMailSender(deps, config, log);
  const app = await buildServer({ config, engine: deps, logger: log, testClockMail: sender.testClock });
  cleanups.push(async () => {
    await app.close();
    await sender.stop();
    await sink.close();
  });
  const users = {} as Record<'admin' | 'sales_manager' | 'salesperson', User>;
  const tokens: Partial<Record<Role, string>> = {};
  for (const role of ['admin', 'sales_manager', 'salesperson'] as const) {
    users[role] = await aUser(deps.store, role, { name: `The ${role}` });
    tokens[role] = (await createApiToken(deps, users[role].id, 'tests')).token;
  }
  await deps.store.emailTemplates.create({
    id: 'tpl_intro',
    name: 'Intro',
    subject: 'Hello {{ record.name }}',
    body: 'Hi there.',
    createdAt: T0,
  });

  const call = async (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: object,
    as: keyof typeof users = 'admin',
  ): Promise<Answer> => {
    const response = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[as]}` },
      ...(payload === undefined ? {} : { payload }),
    });
    const answer = { status: response.statusCode, body: response.body === '' ? {} : response.json() };
    // Whatever raced, never a server error; every refusal a problem with a code.
    expect(answer.status, response.body).toBeLessThan(500);
    if (answer.status >= 400) {
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(answer.body.code).toEqual(expect.any(String));
    }
    return answer;
  };
  /** `count` copies of the same request, all in flight at once. */
  const copies = (count: number, request: () => Promise<Answer>) =>
    Promise.all(Array.from({ length: count }, request));
  const sequence = async (steps: SequenceDefinition['steps'], activate = true) => {
    const created = await call('POST', '/api/sequences', {
      name: `Sequence ${deps.ids.newId('n')}`,
      entityType: 'lead',
      definition: definition(steps),
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    if (activate) expect((await call('POST', `/api/sequences/${id}/activate`, {})).status).toBe(200);
    return id;
  };
  const leads = async (count: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const created = await call('POST', '/api/records', {
        type: 'lead',
        name: `Ada ${i}`,
        email: `ada.${i}@customer.example`,
        ownerId: users.salesperson.id,
      });
      expect(created.status).toBe(201);
      ids.push(created.body.id as string);
    }
    return ids;
  };
  const enrollment = async (id: string) => {
    const answer = await call('GET', `/api/enrollments/${id}`);
    expect(answer.status).toBe(200);
    return answer.body as unknown as EnrollmentBody;
  };
  /** Connects the records; each enrollment's id and its first step's id, in order. */
  const connected = async (sequenceId: string, recordIds: string[]) => {
    const answer = await call('POST', `/api/sequences/${sequenceId}/enrollments`, { recordIds });
    const enrolled = answer.body.enrolled as { recordId: string; enrollmentId: string }[];
    expect(enrolled).toHaveLength(recordIds.length);
    return Promise.all(
      enrolled.map(async ({ enrollmentId }) => ({
        enrollmentId,
        stepId: (await enrollment(enrollmentId)).history[0]?.id as string,
      })),
    );
  };
  const steps = async (enrollmentId: string) =>
    (await enrollment(enrollmentId)).history.map((h) => `${h.stepId} ${h.state}`);
  /** The clock a minute on: the mail sender hands every queued email to the SMTP listener. */
  const deliver = async () =>
    expect((await call('POST', '/api/clock', { advance: 'PT1M' })).status).toBe(200);
  /** Recipients of the messages the SMTP listener took, sorted. */
  const recipients = () =>
    sink.accepted.map((raw) => /^To: .*<(.+)>/m.exec(raw.toString('utf8'))?.[1] ?? '?').sort();
  return { deps, users, call, copies, sequence, leads, enrollment, connected, steps, deliver, recipients };
}

const codes = (answers: Answer[]) => answers.map((a) => `${a.status} ${a.body.code ?? ''}`.trim()).sort();

forEachDialect('the same action at once', (t) => {
  it('a manual email sent many times at once, and from two select-all sends, goes out once per step', async () => {
    const w = await world(t);
    const sequenceId = await w.sequence(MAIL_THEN_TASK);
    const [one, two, three] = await w.connected(sequenceId, await w.leads(3));
    if (one === undefined || two === undefined || three === undefined) throw new Error('not connected');
    const answers = await Promise.all([
      // A double click (and a retry) on one step…
      ...Array.from({ length: COPIES }, () =>
        w.call('POST', `/api/enrollment-steps/${one.stepId}/send`, {}, 'salesperson'),
      ),
      // …and the same two steps in two bulk sends at once, by the seller and their manager.
      ...[two, three, two, three].map((s, i) =>
        w.call('POST', `/api/enrollment-steps/${s.stepId}/send`, {}, i < 2 ? 'salesperson' : 'sales_manager'),
      ),
    ]);
    // The step completed once; every copy answers it, as a repeat does.
    expect(codes(answers)).toEqual(Array(COPIES + 4).fill('200'));
    await w.deliver();
    expect(w.recipients()).toEqual([
      'ada.0@customer.example',
      'ada.1@customer.example',
      'ada.2@customer.example',
    ]);
    for (const { enrollmentId } of [one, two, three])
      expect(await w.steps(enrollmentId)).toEqual(['mail completed', 'task open']);
  });

  it('a send racing a complete of the same email step never answers 200 without an email', async () => {
    const w = await world(t);
    const sequenceId = await w.sequence(MAIL_THEN_TASK);
    const records = await w.leads(4);
    const [first, ...racing] = await w.connected(sequenceId, records);
    if (first === undefined) throw new Error('not connected');
    // Marked done in one tab, then Send in another: the email this asks for never goes out, so no 200.
    expect(
      (await w.call('POST', `/api/enrollment-steps/${first.stepId}/complete`, {}, 'salesperson')).status,
    ).toBe(200);
    const late = await w.call('POST', `/api/enrollment-steps/${first.stepId}/send`, {}, 'salesperson');
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('conflict');
    // At once: whichever wins, a 200 to Send means its email goes out.
    const sent: string[] = [];
    for (const [i, s] of racing.entries()) {
      const [send, complete] = await Promise.all([
        w.call('POST', `/api/enrollment-steps/${s.stepId}/send`, {}, 'salesperson'),
        w.call('POST', `/api/enrollment-steps/${s.stepId}/complete`, {}, 'sales_manager'),
      ]);
      // Completing a step already completed is a repeat (200); a Send that lost is a 409.
      expect(complete.status).toBe(200);
      expect([200, 409]).toContain(send.status);
      if (send.status === 200) sent.push(`ada.${i + 1}@customer.example`);
      expect(await w.steps(s.enrollmentId)).toEqual(['mail completed', 'task open']);
    }
    await w.deliver();
    expect(w.recipients()).toEqual(sent);
  });

  it('a send_unknown email re-sent and dropped several times at once: one of them, at most one email', async () => {
    const w = await world(t);
    const sequenceId = await w.sequence(MAIL_THEN_TASK);
    const [step] = await w.connected(sequenceId, await w.leads(1));
    if (step === undefined) throw new Error('not connected');
    expect(
      (await w.call('POST', `/api/enrollment-steps/${step.stepId}/send`, {}, 'salesperson')).status,
    ).toBe(200);
    // A sender that died after handing the message over: `sending` past its lease, then send_unknown.
    const now = w.deps.clock.now();
    const [row] = await w.deps.store.outbox.claimDue('email', now, 10, now + 60_000);
    if (row === undefined) throw new Error('nothing queued');
    await w.deps.store.outbox.markSending(row.id, {
      at: now,
      leaseUntil: now + 1,
      messageKeyHash: 'a'.repeat(32),
      mailboxKey: 'env',
    });
    expect(await w.deps.store.outbox.expireSending(now + 2)).toHaveLength(1);
    const answers = await Promise.all(
      Array.from({ length: COPIES }, (_, i) =>
        w.call('POST', `/api/outbox/${row.id}/${i % 2 ? 'drop' : 'resend'}`, {}),
      ),
    );
    expect(codes(answers)).toEqual(['200', ...Array(COPIES - 1).fill('409 not_send_unknown')]);
    const resent = answers.some((a) => a.status === 200 && a.body.status === 'pending');
    await w.deliver();
    expect(w.recipients()).toEqual(resent ? ['ada.0@customer.example'] : []);
  });

  it('complete, skip and snooze of one step at once: one effect, the next step opens once', async () => {
    const w = await world(t);
    const sequenceId = await w.sequence(CALL_THEN_TASK);
    const [completed, raced, snoozed] = await w.connected(sequenceId, await w.leads(3));
    if (completed === undefined || raced === undefined || snoozed === undefined)
      throw new Error('not connected');
    const until = new Date(T0 + 86_400_000).toISOString();
    const [completes, race, snoozes] = await Promise.all([
      w.copies(COPIES, () =>
        w.call(
          'POST',
          `/api/enrollment-steps/${completed.stepId}/complete`,
          { outcome: 'answered' },
          'salesperson',
        ),
      ),
      Promise.all(
        Array.from({ length: COPIES }, (_, i) =>
          i % 2 === 0
            ? w.call('POST', `/api/enrollment-steps/${raced.stepId}/complete`, {}, 'salesperson')
            : w.call('POST', `/api/enrollment-steps/${raced.stepId}/skip`, {}, 'sales_manager'),
        ),
      ),
      w.copies(COPIES, () =>
        w.call('POST', `/api/enrollment-steps/${snoozed.stepId}/snooze`, { until }, 'salesperson'),
      ),
    ]);
    expect(codes(completes)).toEqual(Array(COPIES).fill('200'));
    expect(codes(snoozes)).toEqual(Array(COPIES).fill('200'));
    expect(await w.steps(completed.enrollmentId)).toEqual(['call completed', 'task open']);
    expect(await w.steps(snoozed.enrollmentId)).toEqual(['call waiting']);
    // Complete racing skip: one of them; its own copies answer 200, the other action's 409.
    const history = await w.steps(raced.enrollmentId);
    expect([
      ['call completed', 'task open'],
      ['call skipped', 'task open'],
    ]).toContainEqual(history);
    const half = Array(COPIES / 2);
    expect(codes(race)).toEqual([...half.fill('200'), ...Array(COPIES / 2).fill('409 conflict')]);
  });

  it('the same records connected several times at once are enrolled once each', async () => {
    const w = await world(t);
    const sequenceId = await w.sequence(CALL_THEN_TASK);
    const recordIds = await w.leads(3);
    const answers = await w.copies(COPIES, () =>
      w.call('POST', `/api/sequences/${sequenceId}/enrollments`, { recordIds }),
    );
    const enrolled = answers.flatMap((a) => a.body.enrolled as { recordId: string }[]);
    const rejected = answers.flatMap((a) => a.body.rejected as { recordId: string; code: string }[]);
    expect(enrolled.map((e) => e.recordId).sort()).toEqual([...recordIds].sort());
    expect(rejected).toHaveLength(3 * (COPIES - 1));
    expect(new Set(rejected.map((r) => r.code))).toEqual(new Set(['already_enrolled']));
    const list = await w.call('GET', `/api/sequences/${sequenceId}/enrollments?limit=100`);
    expect((list.body.items as unknown[]).length).toBe(3);
  });

  it('activate, revise, deactivate and delete of one sequence at once, and delete racing a connect', async () => {
    const w = await world(t);
    const id = await w.sequence(CALL_THEN_TASK, false);
    const action = (verb: string) =>
      w.copies(COPIES, () => w.call('POST', `/api/sequences/${id}/${verb}`, {}));
    const others = (code: string) => Array(COPIES - 1).fill(`409 ${code}`);
    expect(codes(await action('activate'))).toEqual(['200', ...others('sequence_active')]);
    // A revision of an active sequence is made once; asking again while it is in revision answers it.
    expect(codes(await action('revise'))).toEqual(Array(COPIES).fill('200'));
    expect(codes(await action('activate'))).toEqual(['200', ...others('sequence_active')]);
    const versions = await w.call('GET', `/api/sequences/${id}/versions`);
    expect((versions.body as unknown as { version: number }[]).map((v) => v.version)).toEqual([1, 2]);
    expect(codes(await action('deactivate'))).toEqual(['200', ...others('sequence_not_active')]);

    const doomed = await w.sequence(CALL_THEN_TASK);
    const recordIds = await w.leads(2);
    const mix = await Promise.all([
      w.call('POST', `/api/sequences/${doomed}/enrollments`, { recordIds }),
      w.call('DELETE', `/api/sequences/${doomed}`),
      w.call('POST', `/api/sequences/${doomed}/enrollments`, { recordIds }),
      w.call('DELETE', `/api/sequences/${doomed}`),
    ]);
    expect(codes([mix[1] as Answer, mix[3] as Answer])).toEqual(['204', '404 not_found']);
    // Whatever a connect answered, nothing runs on the deleted sequence.
    for (const recordId of recordIds) {
      const mine = await w.call('GET', `/api/records/${recordId}/enrollments`);
      for (const item of mine.body.items as { status: string; endReason: string | null }[])
        expect(item).toMatchObject({ status: 'disconnected', endReason: 'sequence_deleted' });
    }
  });

  it('a record deleted while it is connected, and its owner changed while its step is completed', async () => {
    const w = await world(t);
    const sequenceId = await w.sequence(CALL_THEN_TASK);
    const [gone, moved] = await w.leads(2);
    if (gone === undefined || moved === undefined) throw new Error('no records');
    const mix = await Promise.all([
      w.call('POST', `/api/sequences/${sequenceId}/enrollments`, { recordIds: [gone] }),
      w.call('DELETE', `/api/records/${gone}`),
      w.call('POST', `/api/sequences/${sequenceId}/enrollments`, { recordIds: [gone] }),
    ]);
    expect(mix[1]?.status).toBe(204);
    const running = await w.call('GET', `/api/sequences/${sequenceId}/enrollments?status=active`);
    expect(running.body.items).toEqual([]);

    const [step] = await w.connected(sequenceId, [moved]);
    if (step === undefined) throw new Error('not connected');
    const [patch, ...completes] = await Promise.all([
      w.call('PATCH', `/api/records/${moved}`, { ownerId: w.users.sales_manager.id }),
      w.call('POST', `/api/enrollment-steps/${step.stepId}/complete`, {}, 'admin'),
      w.call('POST', `/api/enrollment-steps/${step.stepId}/complete`, {}, 'sales_manager'),
    ]);
    expect(patch?.status).toBe(200);
    expect(codes(completes)).toEqual(['200', '200']);
    const after = await w.enrollment(step.enrollmentId);
    expect(after.history.map((h) => `${h.stepId} ${h.state}`)).toEqual(['call completed', 'task open']);
    expect((await w.call('GET', `/api/records/${moved}`)).body.ownerId).toBe(w.users.sales_manager.id);
  });

  it('signals sent in batches at once count once; test clock moves at once each land', async () => {
    const w = await world(t);
    const sequenceId = await w.sequence(CALL_THEN_TASK);
    const [recordId] = await w.leads(1);
    await w.connected(sequenceId, [recordId as string]);
    const signals = Array.from({ length: 20 }, (_, i) => ({
      id: `sig-${i}`,
      type: 'email_opened',
      recordId,
    }));
    const batches = await w.copies(4, () => w.call('POST', '/api/signals', { signals }));
    const sum = (key: string) => batches.reduce((n, b) => n + (b.body[key] as number), 0);
    expect([sum('accepted'), sum('duplicates'), sum('unknown')]).toEqual([20, 60, 0]);

    const moves = await w.copies(5, () => w.call('POST', '/api/clock', { advance: 'PT1H' }, 'salesperson'));
    expect(moves.map((m) => m.body.now).sort()).toEqual(
      [1, 2, 3, 4, 5].map((h) => new Date(T0 + h * 3_600_000).toISOString()),
    );
  });

  it('a built-in template used several times at once makes a sequence each, sharing its emails', async () => {
    const w = await world(t);
    const answers = await w.copies(COPIES, () =>
      w.call('POST', '/api/sequence-templates/high-volume-outbound/use', {}),
    );
    expect(codes(answers)).toEqual(Array(COPIES).fill('201'));
    const templateIds = (answer: Answer) =>
      ((answer.body.definition as SequenceDefinition).steps as { templateId?: string }[])
        .flatMap((s) => (s.templateId === undefined ? [] : [s.templateId]))
        .sort();
    const first = templateIds(answers[0] as Answer);
    expect(first.length).toBeGreaterThan(0);
    for (const answer of answers) expect(templateIds(answer)).toEqual(first);
  });

  it('a mailbox set several times at once is one mailbox; added twice, the other answers mailbox_exists', async () => {
    const w = await world(t);
    const mine = {
      name: 'Mine',
      host: 'smtp.example.com',
      port: 587,
      secure: false,
      username: null,
      password: null,
      fromAddress: w.users.salesperson.email,
    };
    const puts = await w.copies(COPIES, () => w.call('PUT', '/api/users/me/mailbox', mine, 'salesperson'));
    expect(codes(puts)).toEqual(Array(COPIES).fill('200'));
    const added = await w.copies(COPIES, () =>
      w.call('POST', '/api/mailboxes', {
        ...mine,
        userId: null,
        name: 'Default',
        fromAddress: 'sales@example.com',
      }),
    );
    expect(codes(added)).toEqual(['201', ...Array(COPIES - 1).fill('409 mailbox_exists')]);
    const list = await w.call('GET', '/api/mailboxes?limit=100');
    expect((list.body.items as { userId: string | null }[]).map((m) => m.userId).sort()).toEqual(
      [null, w.users.salesperson.id].sort(),
    );
  });
});
