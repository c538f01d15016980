// The test clock (api.md "Test clock"), registered only under STEPWISE_CLOCK=manual: read it, or move it
// forward and answer once everything that fell due up to the new time has been processed.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DateTime, Duration } from 'luxon';
import { Type } from 'typebox';
import type { ManualClock } from '../../engine/clock.js';
import type { EngineDeps } from '../../engine/deps.js';
import { runDue } from '../../engine/scheduler.js';
import { EVERYONE, requireRole } from '../auth/actor.js';
import { badRequest, ProblemError } from '../problem.js';
import { Instant, iso, Problem } from '../schemas.js';

/** Never further than this in one move: a typo like P1000Y would otherwise run a millennium of sequences. */
const MAX_MOVE_MS = 5 * 366 * 86_400_000;
/** How long POST waits for rows another worker (the one inside serve) holds to be processed. */
const SETTLE_TIMEOUT_MS = 60_000;
const SETTLE_POLL_MS = 10;

const ClockJson = Type.Object({ now: Instant });

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Burns down everything due at `now`, ours or claimed by the in-process worker meanwhile. */
async function processDue(deps: EngineDeps, now: number): Promise<number> {
  let processed = 0;
  for (let waited = 0; ; waited += SETTLE_POLL_MS) {
    processed += await runDue(deps, { now, batchSize: 1_000, leaseOwner: 'test-clock' });
    const next = await deps.store.engine.nextDueAt();
    if (next === null || next > now || waited >= SETTLE_TIMEOUT_MS) return processed;
    await pause(SETTLE_POLL_MS);
  }
}

export const clockRoutes: FastifyPluginAsyncTypebox<{ deps: EngineDeps; clock: ManualClock }> = async (
  app,
  { deps, clock },
) => {
  // Anyone signed in: the test clock exists only on test installations, driven by whoever runs the test.
  const everyone = requireRole(...EVERYONE);
  const tags = ['test clock'];

  app.get(
    '/api/clock',
    {
      preHandler: everyone,
      schema: { tags, summary: 'The test clock (STEPWISE_CLOCK=manual only)', response: { 200: ClockJson } },
    },
    async () => ({ now: iso(clock.now()) }),
  );

  app.post(
    '/api/clock',
    {
      preHandler: everyone,
      schema: {
        tags,
        summary: 'Move the test clock forward; answers after everything due by then has been processed',
        description: '`{advance: "P1D"}` (an ISO 8601 duration, in UTC) or `{set: "2026-12-01T09:00:00Z"}`.',
        body: Type.Union([
          Type.Object(
            { advance: Type.String({ minLength: 2, maxLength: 100 }) },
            { additionalProperties: false },
          ),
          Type.Object({ set: Instant }, { additionalProperties: false }),
        ]),
        response: { 200: Type.Object({ now: Instant, processed: Type.Integer() }), 409: Problem },
      },
    },
    async (request) => {
      const now = clock.now();
      const body = request.body;
      let target: number;
      if ('advance' in body) {
        const duration = Duration.fromISO(body.advance);
        if (!duration.isValid)
          throw badRequest('Not an ISO 8601 duration.', [
            {
              code: 'invalid_duration',
              path: '/advance',
              message: `"${body.advance}" is not a duration like P1D.`,
            },
          ]);
        target = DateTime.fromMillis(now, { zone: 'utc' }).plus(duration).toMillis();
      } else target = Date.parse(body.set);
      if (!Number.isFinite(target) || target - now > MAX_MOVE_MS)
        throw badRequest('The clock can move at most 5 years at a time.', [
          {
            code: 'too_far',
            path: 'advance' in body ? '/advance' : '/set',
            message: 'Move at most 5 years.',
          },
        ]);
      if (target < now)
        throw new ProblemError(409, 'conflict', `The test clock never goes backwards (it is ${iso(now)}).`);
      clock.set(target);
      const processed = await processDue(deps, target);
      return { now: iso(target), processed };
    },
  );
};
