// Clock implementations: the system clock for production, a manual clock for tests,
// `stepwise simulate` and the server's STEPWISE_CLOCK=manual mode.
import type { Clock } from './ports/clock.js';

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
