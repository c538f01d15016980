// Login throttling (issue: "login attempts rate-limited per account and per address"): failed sign-ins
// are counted in fixed windows, in memory, on the wall clock. Abuse is a matter of real time, so the
// limiter never reads the engine's clock, which under STEPWISE_CLOCK=manual only moves when a test moves
// it. One process holds the counts; behind several processes each one limits its share.
//
// Three counts, each refusing once used up for the window:
// - an account from one address (10): the guesser's lockout. It locks out that address only, so one
//   client cannot lock a user, say the administrator, out everywhere (found by a security audit: ten
//   wrong passwords from anywhere locked any account for 15 minutes);
// - an address, for any accounts (30): one client spraying guesses at many accounts;
// - an account, from all addresses together (100): distributed guessing. Much higher than the first, so
//   that reaching it takes more than three addresses' whole allowance.
//
// Only failures count. The route asks `attempt()` before checking the password and calls `succeeded()`
// after a right one, so an attempt is counted provisionally and a success takes it back: the account's
// failures from that address are cleared, and the address and the account-wide counts lose the success's
// own count but keep their earlier failures. Clearing the address too would let a client that owns one
// account spray guesses at others from the same address by signing in to its own account in between;
// clearing the account-wide count would let guessers start again each time the owner signs in.
import { SystemClock } from '../../engine/clock.js';
import type { Clock } from '../../engine/ports/clock.js';

export interface LoginLimits {
  /** Failed attempts at one account from one address per window. */
  perAccountAndAddress: number;
  /** Failed attempts one address may make per window, for any accounts. */
  perAddress: number;
  /** Failed attempts one account may see per window from all addresses together. */
  perAccount: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAccountAndAddress: 10,
  perAddress: 30,
  perAccount: 100,
  windowMs: 15 * 60_000,
};

interface Window {
  startedAt: number;
  count: number;
}

/** Past this many tracked keys, finished windows are swept so that spraying addresses cannot grow memory forever. */
const SWEEP_AT = 10_000;

export class LoginLimiter {
  readonly #limits: LoginLimits;
  readonly #clock: Clock;
  /** Keyed by account and address (accountAndAddressKey). */
  readonly #pairs = new Map<string, Window>();
  readonly #addresses = new Map<string, Window>();
  readonly #accounts = new Map<string, Window>();

  /** `clock` is the wall clock (a manual one only in the limiter's own tests), never the engine's. */
  constructor(limits: LoginLimits = DEFAULT_LOGIN_LIMITS, clock: Clock = new SystemClock()) {
    this.#limits = limits;
    this.#clock = clock;
  }

  /**
   * Before the password is checked: returns the seconds to wait when the account from this address, the
   * address, or the account from everywhere has used up its failures for the window (the attempt is then
   * refused and not counted), else counts the attempt as a failure until `succeeded()` takes it back, and
   * returns null.
   */
  attempt(email: string, address: string): number | null {
    const now = this.#clock.now();
    if (this.#pairs.size + this.#addresses.size + this.#accounts.size > SWEEP_AT) this.#sweep(now);
    const account = accountKey(email);
    const windows: [Window, number][] = [
      [
        this.#current(this.#pairs, accountAndAddressKey(account, address), now),
        this.#limits.perAccountAndAddress,
      ],
      [this.#current(this.#addresses, address, now), this.#limits.perAddress],
      [this.#current(this.#accounts, account, now), this.#limits.perAccount],
    ];
    const over = windows.filter(([w, limit]) => w.count >= limit).map(([w]) => w);
    if (over.length > 0) {
      const until = Math.max(...over.map((w) => w.startedAt + this.#limits.windowMs));
      return Math.max(1, Math.ceil((until - now) / 1000));
    }
    for (const [w] of windows) w.count += 1;
    return null;
  }

  /** The password was right: this attempt is not a failure, and the account's from this address are cleared. */
  succeeded(email: string, address: string): void {
    const account = accountKey(email);
    this.#pairs.delete(accountAndAddressKey(account, address));
    for (const w of [this.#addresses.get(address), this.#accounts.get(account)])
      if (w !== undefined) w.count = Math.max(0, w.count - 1);
  }

  #current(windows: Map<string, Window>, key: string, now: number): Window {
    let window = windows.get(key);
    if (window === undefined || now - window.startedAt >= this.#limits.windowMs) {
      window = { startedAt: now, count: 0 };
      windows.set(key, window);
    }
    return window;
  }

  #sweep(now: number): void {
    for (const windows of [this.#pairs, this.#addresses, this.#accounts]) {
      for (const [key, window] of windows) {
        if (now - window.startedAt >= this.#limits.windowMs) windows.delete(key);
      }
    }
  }
}

function accountKey(email: string): string {
  return email.trim().toLowerCase();
}

/** An address holds no newline, so the key splits at its last one: no two pairs share a key. */
function accountAndAddressKey(account: string, address: string): string {
  return `${account}\n${address}`;
}
