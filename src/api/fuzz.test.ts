// No input makes the server answer 5xx (api.md "Errors"): generated bodies, query strings and path
// parameters go to every route, as an administrator and as a salesperson, and the process stays up.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSequenceFromTemplate } from '../engine/sequence-templates.js';
import { type Harness, startHarness } from './test-support/api-harness.js';
import { serverRoutes } from './test-support/route-list.js';

const RUNS_PER_ROUTE = 30;

/** Keys the API's bodies and queries use, so generated input often gets past the first check. */
const KEYS = [
  'name',
  'type',
  'email',
  'password',
  'role',
  'timezone',
  'workingHours',
  'timeOff',
  'disabled',
  'records',
  'fields',
  'ownerId',
  'externalId',
  'company',
  'phone',
  'linkedinUrl',
  'subject',
  'body',
  'entityType',
  'recordId',
  'definition',
  'description',
  'tags',
  'versionDescription',
  'status',
  'q',
  'tag',
  'limit',
  'cursor',
  'mon',
  'recordIds',
  'signals',
  'when',
  'outcome',
  'notes',
  'until',
  'advance',
  'set',
  'at',
];

const weirdString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom(
    '',
    ' ',
    '%',
    '..',
    '../..',
    'null',
    '-1',
    '1e309',
    '\u0000',
    'Europe/Paris',
    'lead',
    'P1D',
    '{{',
    '{% for %}',
    'eyJ4Ijox',
  ),
);

const value: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  fc.jsonValue({ maxDepth: 3 }),
  weirdString,
  fc.array(fc.dictionary(fc.constantFrom(...KEYS), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }), {
    maxLength: 3,
  }),
);

const body = fc.oneof(
  fc.record({
    kind: fc.constant('json' as const),
    value: fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 6 }),
  }),
  fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue({ maxDepth: 3 }) }),
  fc.record({
    kind: fc.constant('raw' as const),
    value: weirdString,
    type: fc.constantFrom('application/json', 'text/csv', 'text/plain'),
  }),
  fc.record({
    kind: fc.constant('raw' as const),
    value: fc
      .array(
        fc.array(weirdString, { maxLength: 4 }).map((cells) => cells.join(',')),
        { maxLength: 5 },
      )
      .map((rows) => rows.join('\n')),
    type: fc.constant('text/csv'),
  }),
  fc.constant({ kind: 'none' as const }),
);

const query = fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 5 })), weirdString, {
  maxKeys: 4,
});

describe('generated requests to every route', () => {
  let h: Harness;
  let knownIds: string[];

  beforeAll(async () => {
    // The test clock's routes exist only in manual mode: fuzz them too.
    h = await startHarness({ env: { STEPWISE_CLOCK: 'manual' } });
    const { deps, users } = h;
    const record = await deps.store.records.create({
      id: deps.ids.newId('rec'),
      type: 'lead',
      name: 'Ada',
      ownerId: users.salesperson.id,
      createdAt: deps.clock.now(),
    });
    const sequence = await createSequenceFromTemplate(deps, {
      key: 'follow-up-no-show',
      ownerId: users.admin.id,
    });
    const templates = await deps.store.emailTemplates.list();
    knownIds = [
      record.id,
      sequence.id,
      users.seller2.id,
      ...templates.items.map((t) => t.id),
      'follow-up-no-show',
    ];
  });

  afterAll(async () => {
    await h.close();
  });

  it('never answers 5xx, and stays up', { timeout: 240_000 }, async () => {
    const routes = serverRoutes(h.app);
    expect(routes.length).toBeGreaterThan(20);
    const param = fc.oneof(
      fc.constantFrom(...knownIds),
      weirdString.filter((s) => s !== ''),
    );
    for (const route of routes) {
      const [method, pattern] = route.split(' ') as [string, string];
      for (const who of ['admin', 'salesperson'] as const) {
        await fc.assert(
          fc.asyncProperty(
            fc.array(param, { minLength: 2, maxLength: 2 }),
            query,
            body,
            async (params, q, b) => {
              let i = 0;
              const path = pattern.replace(/:\w+/g, () => encodeURIComponent(params[i++] ?? 'x'));
              const search = new URLSearchParams(q).toString();
              const response = await h.as(who, {
                method: method as 'GET',
                url: `${path}${search === '' ? '' : `?${search}`}`,
                ...(b.kind === 'json'
                  ? { payload: JSON.stringify(b.value), headers: { 'content-type': 'application/json' } }
                  : {}),
                ...(b.kind === 'raw' ? { payload: b.value, headers: { 'content-type': b.type } } : {}),
              });
              if (response.statusCode >= 500)
                throw new Error(`${route} as ${who}: ${response.statusCode} ${response.body}`);
            },
          ),
          { numRuns: RUNS_PER_ROUTE },
        );
      }
    }
    const health = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
  });
});
