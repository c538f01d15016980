// The test clock (api.md "Test clock"), registered only under STEPWISE_CLOCK=manual: read it, or move it
// forward and answer once everything that fell due up to the new time has been processed — engine steps
// and automated emails alike, each at its own instant of simulated time (scheduler.ts `runUntil`). A move
// answers within its time limit whatever the mail server does: an SMTP exchange still hanging then is broken
// off (its message retried, or `send_unknown` once it was out) and the answer is a 504 `smtp_timeout`.
// Each move's target is kept in the settings table before the walk, so the clock survives a restart.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DateTime, Duration } from 'luxon';
import { Type } from 'typebox';
import { type ManualClock, SystemClock, TEST_CLOCK_SETTING } from '../../engine/clock.js';
import type { EngineDeps } from '../../engine/deps.js';
import { runUntil, type WalkMailSender } from '../../engine/scheduler.js';
import { EVERYONE, requireRole } from '../auth/actor.js';
import { badRequest, ProblemError } from '../problem.js';
import { Instant, iso, Problem } from '../schemas.js';

/** Never further than this in one move: a typo like P1000Y would otherwise run a millennium of sequences. */
const MAX_MOVE_MS = 5 * 366 * 86_400_000;
/**
 * One move stops at most this often (an instant where something falls due, or a round within one), and
 * walks for at most this long (counted from the request's arrival, a wait behind an earlier move included);
 * past either it runs what is left at the target, as a jump would. No SMTP exchange starts past the limit,
 * and one still in flight a grace later is broken off: the request answers by then, whatever SMTP does.
 */
const MAX_STOPS = 50_000;
const MAX_WALK_MS = 120_000;
const WALK_GRACE_MS = 5_000;

const ClockJson = Type.Object({ now: Instant });

export interface ClockRouteOptions {
  deps: EngineDeps;
  clock: ManualClock;
  /** This process's mail sender (serve); absent, queued emails are left pending for another sender. */
  mail?: WalkMailSender | null;
  /**
   * A move's wall-clock limit (default 2 minutes) and the grace after it before SMTP exchanges in flight
   * are broken off (default 5 s, at most a tenth of the limit): tests shorten it.
   */
  walkLimit?: { ms: number; graceMs?: number } | undefined;
}

export const clockRoutes: FastifyPluginAsyncTypebox<ClockRouteOptions> = async (
  app,
  { deps, clock, mail = null, walkLimit },
) => {
  const wallClock = new SystemClock();
  const limitMs = walkLimit?.ms ?? MAX_WALK_MS;
  const graceMs = walkLimit?.graceMs ?? Math.min(WALK_GRACE_MS, limitMs / 10);
  // Moves one at a time: each starts from where the previous one left the clock.
  let moving: Promise<unknown> = Promise.resolve();
  // Anyone signed in: the test clock exists only on test installations, driven by whoever runs the test.
  const everyone = requireRole(...EVERYONE);
  const tags = ['test clock'];

  type Move = { advance: string } | { set: string };

  async function moveTo(body: Move, arrivedAt: number): Promise<{ now: string; processed: number }> {
    const now = clock.now();
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
    // Kept before the walk writes rows at instants up to the target: a restarted server resumes there
    // (serve.ts), never before a row this move wrote. A failed store fails the move with the clock unmoved.
    await deps.store.settings.set(TEST_CLOCK_SETTING, iso(target));
    const walked = await runUntil(deps, clock, target, {
      batchSize: 1_000,
      leaseOwner: 'test-clock',
      mail,
      maxStops: MAX_STOPS,
      budget: { clock: wallClock, ms: Math.max(0, limitMs - (wallClock.now() - arrivedAt)), graceMs },
    });
    if (walked.cutShort)
      app.log.warn(
        { stops: walked.stops, steps: walked.steps, emails: walked.emails, brokenOff: walked.brokenOff },
        'test clock: the walk to the target was cut short; the rest ran at the target',
      );
    const processed = walked.steps + walked.emails;
    if (walked.brokenOff > 0)
      // The clock is at the target and the steps due by then ran, as for any move cut short; but emails
      // did not go out, so the move did not do all it says: a problem, with what it did do.
      throw new ProblemError(
        504,
        'smtp_timeout',
        `The mail server did not answer within the test clock's limit of ${limitMs / 1000} s: ` +
          `${walked.brokenOff} SMTP exchange(s) broken off. The clock is at ${iso(target)} and the steps ` +
          'due by then were processed; an email not handed over waits for a retry, one that was is ' +
          'send_unknown for an administrator.',
        undefined,
        { now: iso(target), processed, brokenOff: walked.brokenOff },
      );
    return { now: iso(target), processed };
  }

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
        description:
          '`{advance: "P1D"}` (an ISO 8601 duration, in UTC) or `{set: "2026-12-01T09:00:00Z"}`. Time is walked ' +
          'forward from one due instant to the next: at each, the steps due then run and the automated emails ' +
          'that may go out then are sent over SMTP (mailbox spacing and daily caps count in test time), so a ' +
          'sent email completes its step and what follows it is processed too. `processed` counts the ' +
          'enrollments moved by due steps and timers plus the automated emails sent. A move answers within ' +
          '2 minutes: past that it runs what is left at the target; when the SMTP server did not answer in ' +
          'time, the exchanges in flight are broken off (each email retried later, or `send_unknown` once it ' +
          'was handed over) and the answer is `504 smtp_timeout`, with `now`, `processed` and `brokenOff`.',
        body: Type.Union([
          Type.Object(
            { advance: Type.String({ minLength: 2, maxLength: 100 }) },
            { additionalProperties: false },
          ),
          Type.Object({ set: Instant }, { additionalProperties: false }),
        ]),
        response: {
          200: Type.Object({ now: Instant, processed: Type.Integer() }),
          409: Problem,
          504: Problem,
        },
      },
    },
    async (request) => {
      const arrivedAt = wallClock.now();
      const move = moving.then(() => moveTo(request.body, arrivedAt));
      moving = move.catch(() => undefined);
      return move;
    },
  );
};
