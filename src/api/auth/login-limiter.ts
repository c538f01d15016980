// Login throttling per account and per client address: fixed windows counted in memory, on the
// injected clock. One process holds the counts; behind several processes each one limits its share.
import type { Clock } from '../../engine/ports/clock.js';

export interface LoginLimits {
  /** Attempts one account may see per window, from any address. */
  perAccount: number;
  /** Attempts one address may make per window, for any accounts. */
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 10, perAddress: 30, windowMs: 15 * 60_000 };

interface Window {
  startedAt: number;
  count: number;
}

/** Past this many tracked keys, finished windows are swept so that spraying addresses cannot grow memory forever. */
const SWEEP_AT = 10_000;

export class LoginLimiter {
  readonly #clock: Clock;
  readonly #limits: LoginLimits;
  readonly #windows = new Map<string, Window>();

  constructor(clock: Clock, limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
    this.#clock = clock;
    this.#limits = limits;
  }

  /**
   * Counts one attempt for the account and the address. Returns the seconds to wait when either is
   * over its limit (the attempt is then refused without checking the password), or null.
   */
  attempt(email: string, address: string): number | null {
    const now = this.#clock.now();
    if (this.#windows.size > SWEEP_AT) this.#sweep(now);
    const account = this.#count(`a:${email.trim().toLowerCase()}`, now);
    const client = this.#count(`c:${address}`, now);
    const over = [
      account.count > this.#limits.perAccount ? account : null,
      client.count > this.#limits.perAddress ? client : null,
    ].filter((w): w is Window => w !== null);
    if (over.length === 0) return null;
    const until = Math.max(...over.map((w) => w.startedAt + this.#limits.windowMs));
    return Math.max(1, Math.ceil((until - now) / 1000));
  }

  /** A successful sign-in clears the account's count (the address keeps its own). */
  succeeded(email: string): void {
    this.#windows.delete(`a:${email.trim().toLowerCase()}`);
  }

  #count(key: string, now: number): Window {
    let window = this.#windows.get(key);
    if (window === undefined || now - window.startedAt >= this.#limits.windowMs) {
      window = { startedAt: now, count: 0 };
      this.#windows.set(key, window);
    }
    window.count += 1;
    return window;
  }

  #sweep(now: number): void {
    for (const [key, window] of this.#windows) {
      if (now - window.startedAt >= this.#limits.windowMs) this.#windows.delete(key);
    }
  }
}
