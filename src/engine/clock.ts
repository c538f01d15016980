// Clock implementations: the system clock for production, a manual clock for tests,
// `stepwise simulate` and the server's STEPWISE_CLOCK=manual mode.
import type { Clock } from './ports/clock.js';
import type { SettingsRepository } from './ports/store.js';

/**
 * The settings key holding the server's test clock (an ISO 8601 instant): POST /api/clock stores each move
 * there before it walks, so a restarted `serve` resumes where the rows were written, never before.
 */
export const TEST_CLOCK_SETTING = 'test_clock';

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}

export class ManualClock implements Clock {
  #now: number;

  constructor(start: number | string) {
    this.#now = typeof start === 'number' ? start : Date.parse(start);
    if (!Number.isFinite(this.#now)) throw new Error(`ManualClock: bad start time ${String(start)}`);
  }

  now(): number {
    return this.#now;
  }

  set(at: number): void {
    if (at < this.#now) throw new Error('ManualClock: time never goes backwards');
    this.#now = at;
  }

  advance(ms: number): void {
    this.set(this.#now + ms);
  }
}

/**
 * The test clock of a starting `serve` (STEPWISE_CLOCK=manual): at the stored instant, or else at `now`,
 * stored then (the first of several processes starting at once wins), so that across restarts time only
 * ever moves by POST /api/clock.
 */
export async function resumeTestClock(settings: SettingsRepository, now: number): Promise<ManualClock> {
  const stored = await settings.setIfAbsent(TEST_CLOCK_SETTING, new Date(now).toISOString());
  const at = typeof stored === 'string' ? Date.parse(stored) : Number.NaN;
  if (!Number.isFinite(at))
    throw new Error(`The stored test clock (setting ${TEST_CLOCK_SETTING}) is not an instant`);
  return new ManualClock(at);
}
