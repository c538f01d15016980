// Keyset cursors (cursor.ts) on both dialects: each list walks with the cursors it hands out and refuses
// every other with StoreValidationError `invalid_cursor` (a 400): another list's (their keys had the same
// shape: a mailbox's cursor walked the suppressions, a record's enrollments the mailboxes), the same list's
// of another parent (another record's enrollments), and a key whose values the list's sort never produces.
import { expect, it } from 'vitest';
import { type Page, type PageOptions, type Store, StoreValidationError } from '../engine/ports/store.js';
import { forEachDialect } from './test-support/dialects.js';
import { allPages, aRecord, aSequence, aUser, T0, testId } from './test-support/fixtures.js';

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decoded = (cursor: string): unknown[] => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));

type Lister = (options: PageOptions) => Promise<Page<unknown>>;

async function expectRefused(list: Lister, cursor: string, what: string) {
  const error = await list({ cursor }).then(
    (page) => new Error(`${what}: answered a page of ${page.items.length}`),
    (e: unknown) => e,
  );
  expect(error, what).toBeInstanceOf(StoreValidationError);
  expect(error, what).toMatchObject({ code: 'invalid_cursor', issues: [{ code: 'invalid_cursor' }] });
}

/** Two rows or more in each list, and a second parent for each list of one parent's rows. */
async function seed(store: Store) {
  const users = [];
  for (const email of ['Zed@Example.com', 'amy@example.com', 'bo@example.com']) {
    users.push(await store.users.create(aUser({ email })));
  }
  const [owner, other] = users as [(typeof users)[0], (typeof users)[0]];
  const records = [];
  for (const name of ['Ada', 'Grace', 'Hedy'])
    records.push(await store.records.create(aRecord(owner.id, { name })));
  const [ada, grace, hedy] = records as [(typeof records)[0], (typeof records)[0], (typeof records)[0]];
  const sequences = [];
  for (const name of ['Calls', 'Mails'])
    sequences.push(await store.sequences.create(aSequence(owner.id, { name })));
  const [calls, mails] = sequences as [(typeof sequences)[0], (typeof sequences)[0]];
  for (const name of ['Hello', 'Follow-up']) {
    await store.emailTemplates.create({
      id: testId('tpl'),
      name,
      subject: 'Hi',
      body: 'Hello',
      createdAt: T0,
    });
  }
  // Ada runs in both sequences, Grace in the calls: an open call each on the owner's work list.
  for (const [sequence, record] of [
    [calls, ada],
    [mails, ada],
    [calls, grace],
  ] as const) {
    const enrollment = await store.enrollments.create({
      id: testId('enr'),
      sequenceId: sequence.id,
      sequenceVersion: 1,
      recordId: record.id,
      ownerId: owner.id,
      currentStepId: 's1',
      dueAt: null,
      state: { at: 's1' },
      startedAt: T0,
      exclusivity: 'sequence',
    });
    await store.enrollments.createStep({
      id: `${enrollment.id}.0001`,
      enrollmentId: enrollment.id,
      stepId: 's1',
      type: 'phone_call',
      state: 'open',
      ownerId: owner.id,
      recordId: record.id,
      sequenceId: sequence.id,
      dueAt: T0,
      openedAt: T0,
    });
  }
  for (const [i, at] of [T0, T0 + 1].entries()) {
    await store.audit.append({
      id: testId('aud'),
      at,
      actorId: owner.id,
      action: 'test',
      subjectType: 'record',
      subjectId: ada.id,
      data: { i },
    });
    await store.apiTokens.create({
      id: testId('tok'),
      userId: owner.id,
      name: `t${i}`,
      tokenHash: `h${i}`,
      createdAt: at,
    });
    await store.mailboxes.create({
      id: testId('mbx'),
      userId: i === 0 ? null : owner.id,
      host: 'smtp.example.com',
      port: 587,
      createdAt: at,
    });
  }
  await store.suppressions.addMany(
    ['a@example.com', 'b@example.com'].map((email) => ({
      email,
      reason: 'manual' as const,
      at: T0,
      source: null,
    })),
  );
  const hooks = [];
  for (const path of ['one', 'two']) {
    hooks.push(
      await store.webhooks.create({
        id: testId('whk'),
        url: `https://example.com/${path}`,
        events: ['*'],
        secret: 's'.repeat(32),
        createdAt: T0,
      }),
    );
  }
  const [hook, otherHook] = hooks as [(typeof hooks)[0], (typeof hooks)[0]];
  await store.webhooks.enqueue(
    [T0, T0 + 1].map((at) => ({
      id: testId('whd'),
      webhookId: hook.id,
      eventId: testId('evt_ping'),
      eventType: 'ping',
      payload: '{}',
      nextAttemptAt: at,
      retryUntil: at + 1000,
      createdAt: at,
    })),
  );
  return { owner, other, ada, grace, hedy, calls, mails, hook, otherHook };
}

forEachDialect('cursors', (t) => {
  it('walks each list with its own cursors and refuses there every other list’s, and another parent’s', async () => {
    const store = t.store();
    const w = await seed(store);
    const worklist =
      (ownerId: string): Lister =>
      (o) =>
        store.enrollmentViews.worklist({ ...o, ownerId, dueFrom: null, dueBefore: null });
    const lists: Record<string, Lister> = {
      users: (o) => store.users.list(o),
      records: (o) => store.records.list(o),
      sequences: (o) => store.sequences.list(o),
      'email templates': (o) => store.emailTemplates.list(o),
      "a sequence's enrollments": (o) => store.enrollments.listBySequence(w.calls.id, o),
      "a record's enrollments": (o) => store.enrollments.listByRecord(w.ada.id, o),
      worklist: worklist(w.owner.id),
      audit: (o) => store.audit.list(o),
      'api tokens': (o) => store.apiTokens.listPageForUser(w.owner.id, o),
      mailboxes: (o) => store.mailboxes.listPage(o),
      suppressions: (o) => store.suppressions.list(o),
      webhooks: (o) => store.webhooks.list(o),
      "a webhook's deliveries": (o) => store.webhooks.listDeliveries(w.hook.id, o),
    };
    const handedOut = new Map<string, string>();
    for (const [name, list] of Object.entries(lists)) {
      const first = await list({ limit: 1 });
      expect(first.nextCursor, name).not.toBeNull();
      handedOut.set(name, first.nextCursor as string);
      const walked = await allPages((cursor) => list({ limit: 1, cursor }));
      expect(walked.items, name).toEqual((await list({})).items);
      expect(walked.pages, name).toBeGreaterThan(1);
    }
    for (const [name, list] of Object.entries(lists)) {
      for (const [other, cursor] of handedOut) {
        if (other !== name) await expectRefused(list, cursor, `${name} with the cursor of ${other}`);
      }
    }
    // The same list of another parent.
    const elsewhere: [string, Lister][] = [
      ["a sequence's enrollments", (o) => store.enrollments.listBySequence(w.mails.id, o)],
      ["a record's enrollments", (o) => store.enrollments.listByRecord(w.grace.id, o)],
      ['worklist', worklist(w.other.id)],
      ['api tokens', (o) => store.apiTokens.listPageForUser(w.other.id, o)],
      ["a webhook's deliveries", (o) => store.webhooks.listDeliveries(w.otherHook.id, o)],
    ];
    for (const [name, list] of elsewhere) {
      await expectRefused(list, handedOut.get(name) as string, `${name} of another parent`);
    }
  });

  it('refuses a key of the right shape whose values the list never holds', async () => {
    const store = t.store();
    const w = await seed(store);
    const cases: [string, Lister, (key: unknown[]) => unknown[][]][] = [
      [
        'users (lower(email), id)',
        (o) => store.users.list(o),
        ([email, id]) => [
          [String(email).toUpperCase(), id],
          ['no-at-sign', id],
          [email, String(id).replace(/^usr_/, '')],
          [email, String(id).replace(/^usr_/, 'rec_')],
        ],
      ],
      [
        'records (name, id)',
        (o) => store.records.list(o),
        ([name, id]) => [
          [name, String(id).replace(/^rec_/, '')],
          [name, 'usr_1'],
          [name, ''],
        ],
      ],
      [
        "a sequence's enrollments (status, id)",
        (o) => store.enrollments.listBySequence(w.calls.id, o),
        ([, id]) => [
          ['running', id],
          ['ACTIVE', id],
          ['active', String(id).replace(/^enr_/, 'seq_')],
        ],
      ],
      [
        'worklist (due_at, history row id)',
        (o) => store.enrollmentViews.worklist({ ...o, ownerId: w.owner.id, dueFrom: null, dueBefore: null }),
        ([dueAt, id]) => [
          [-1, id],
          [-T0, id],
          [1e17, id],
          [dueAt, String(id).replace(/\.\d+$/, '')],
          [dueAt, 'x.0001'],
        ],
      ],
      [
        'audit (at, id)',
        (o) => store.audit.list(o),
        ([at, id]) => [
          [-1, id],
          [9e15, id],
          [at, String(id).replace(/^aud_/, '')],
        ],
      ],
      [
        'mailboxes (id)',
        (o) => store.mailboxes.listPage(o),
        ([id]) => [[String(id).replace(/^mbx_/, '')], ['rec_1'], ['']],
      ],
      [
        'suppressions (email)',
        (o) => store.suppressions.list(o),
        ([email]) => [[String(email).toUpperCase()], ['mbx_1'], ['']],
      ],
      [
        "a record's enrollments (id)",
        (o) => store.enrollments.listByRecord(w.ada.id, o),
        ([id]) => [[String(id).replace(/^enr_/, '')], ['mbx_1'], ['zzz']],
      ],
    ];
    for (const [name, list, forge] of cases) {
      const cursor = (await list({ limit: 1 })).nextCursor as string;
      const [tag, ...key] = decoded(cursor);
      expect((await list({ cursor })).items.length, name).toBeGreaterThan(0);
      for (const forged of [...forge(key), key.map((v) => (typeof v === 'number' ? String(v) : 1))]) {
        await expectRefused(list, base64url([tag, ...forged]), `${name}: ${JSON.stringify(forged)}`);
      }
      // The key alone (as cursors were before they named their list), random text, wrong arity.
      for (const forged of [base64url(key), 'garbage', base64url([tag]), base64url([tag, ...key, 1])]) {
        await expectRefused(list, forged, `${name}: ${forged}`);
      }
    }
  });
});
