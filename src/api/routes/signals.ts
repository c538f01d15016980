// Engagement signals in batches (api.md "Signals"): thin on purpose — the schema parses the batch and
// ingestSignals resolves, deduplicates and delivers it in one go (the target: ≥ 50,000 signals/s
// in batches of 1,000), so nothing here loops per signal beyond turning `at` into a number.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { EngineDeps } from '../../engine/deps.js';
import type { JsonObject } from '../../engine/ports/store.js';
import { ingestSignals, SIGNAL_TYPES, type SignalInput } from '../../engine/signals.js';
import { MANAGERS, requireRole } from '../auth/actor.js';
import { BULK_BODY_LIMIT } from '../json-body.js';
import { Instant, Problem } from '../schemas.js';

export const MAX_SIGNALS_PER_BATCH = 10_000;

const Id = Type.String({ minLength: 1, maxLength: 500 });
const SignalJson = Type.Object(
  {
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Makes a repeat a no-op.' })),
    type: Type.Enum(SIGNAL_TYPES),
    recordId: Type.Optional(Id),
    messageId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1000,
        description: 'The Message-ID of the email the signal is about (or its outbox id).',
      }),
    ),
    enrollmentId: Type.Optional(Id),
    stepRowId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 500, description: 'An enrollment step id.' }),
    ),
    at: Type.Optional(Instant),
    data: Type.Optional(Type.Unsafe<JsonObject>({ type: 'object', maxProperties: 100 })),
  },
  { additionalProperties: false },
);

export const signalRoutes: FastifyPluginAsyncTypebox<{ deps: EngineDeps }> = async (app, { deps }) => {
  app.post(
    '/api/signals',
    {
      preHandler: requireRole(...MANAGERS),
      bodyLimit: BULK_BODY_LIMIT,
      schema: {
        tags: ['signals'],
        summary: 'Record engagement signals (a batch), deduplicated by id',
        description: `At most ${MAX_SIGNALS_PER_BATCH} signals per call. \`unknown\` counts signals that match no record, enrollment or message.`,
        body: Type.Object(
          { signals: Type.Array(SignalJson, { maxItems: MAX_SIGNALS_PER_BATCH }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ accepted: Type.Integer(), duplicates: Type.Integer(), unknown: Type.Integer() }),
          400: Problem,
        },
      },
    },
    async (request) => {
      const signals = request.body.signals as (Omit<SignalInput, 'at'> & { at?: string | number })[];
      for (const signal of signals) if (typeof signal.at === 'string') signal.at = Date.parse(signal.at);
      return ingestSignals(deps, signals as SignalInput[]);
    },
  );
};
