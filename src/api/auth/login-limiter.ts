// Login throttling (issue: "login attempts rate-limited per account and per address"): failed sign-ins
// are counted in fixed windows per account and per client address, in memory, on the wall clock. Abuse
// is a matter of real time, so the limiter never reads the engine's clock, which under
// STEPWISE_CLOCK=manual only moves when a test moves it. One process holds the counts; behind several
// processes each one limits its share.
//
// Only failures count. The route asks `attempt()` before checking the password and calls `succeeded()`
// after a right one, so an attempt is counted provisionally and a success takes it back: the account's
// failures are cleared, and the address loses the success's own count but keeps its earlier failures.
// Clearing the address too would let a client that owns one account spray guesses at others from the
// same address by signing in to its own account in between. The success is taken back from the address
// of the account's latest counted attempt: exact for one sign-in at a time; when two addresses try one
// account at the same moment it may credit the other one's count, a single attempt per success.
import { SystemClock } from '../../engine/clock.js';
import type { Clock } from '../../engine/ports/clock.js';

export interface LoginLimits {
  /** Failed attempts one account may see per window, from any address. */
  perAccount: number;
  /** Failed attempts one address may make per window, for any accounts. */
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 10, perAddress: 30, windowMs: 15 * 60_000 };

interface Window {
  startedAt: number;
  count: number;
}

interface AccountWindow extends Window {
  /** The address windows this account's counted attempts were also counted in, oldest first. */
  addresses: Window[];
}

/** Past this many tracked keys, finished windows are swept so that spraying addresses cannot grow memory forever. */
const SWEEP_AT = 10_000;

export class LoginLimiter {
  readonly #limits: LoginLimits;
  readonly #clock: Clock;
  readonly #accounts = new Map<string, AccountWindow>();
  readonly #addresses = new Map<string, Window>();

  /** `clock` is the wall clock (a manual one only in the limiter's own tests), never the engine's. */
  constructor(limits: LoginLimits = DEFAULT_LOGIN_LIMITS, clock: Clock = new SystemClock()) {
    this.#limits = limits;
    this.#clock = clock;
  }

  /**
   * Before the password is checked: returns the seconds to wait when the account or the address has
   * used up its failures for the window (the attempt is then refused and not counted), else counts the
   * attempt as a failure until `succeeded()` takes it back, and returns null.
   */
  attempt(email: string, address: string): number | null {
    const now = this.#clock.now();
    if (this.#accounts.size + this.#addresses.size > SWEEP_AT) this.#sweep(now);
    const account = this.#current(this.#accounts, accountKey(email), now, () => ({
      startedAt: now,
      count: 0,
      addresses: [],
    }));
    const client = this.#current(this.#addresses, address, now, () => ({ startedAt: now, count: 0 }));
    const over = [
      account.count >= this.#limits.perAccount ? account : null,
      client.count >= this.#limits.perAddress ? client : null,
    ].filter((w): w is Window => w !== null);
    if (over.length > 0) {
      const until = Math.max(...over.map((w) => w.startedAt + this.#limits.windowMs));
      return Math.max(1, Math.ceil((until - now) / 1000));
    }
    account.count += 1;
    account.addresses.push(client);
    client.count += 1;
    return null;
  }

  /** The password was right: the account's failures are cleared and this attempt is not one. */
  succeeded(email: string): void {
    const key = accountKey(email);
    const client = this.#accounts.get(key)?.addresses.at(-1);
    if (client !== undefined) client.count = Math.max(0, client.count - 1);
    this.#accounts.delete(key);
  }

  #current<W extends Window>(windows: Map<string, W>, key: string, now: number, fresh: () => W): W {
    let window = windows.get(key);
    if (window === undefined || now - window.startedAt >= this.#limits.windowMs) {
      window = fresh();
      windows.set(key, window);
    }
    return window;
  }

  #sweep(now: number): void {
    for (const windows of [this.#accounts, this.#addresses] as Map<string, Window>[]) {
      for (const [key, window] of windows) {
        if (now - window.startedAt >= this.#limits.windowMs) windows.delete(key);
      }
    }
  }
}

function accountKey(email: string): string {
  return email.trim().toLowerCase();
}
