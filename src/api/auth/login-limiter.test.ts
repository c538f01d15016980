// The login limiter on its own, with a manual clock standing in for the wall clock: only failures
// count, per account from one address, per address, and per account from everywhere (much higher); a
// success clears its account's failures from its address; windows pass in wall time.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.js';
import { DEFAULT_LOGIN_LIMITS, LoginLimiter, type LoginLimits } from './login-limiter.js';

const LIMITS: LoginLimits = { perAccountAndAddress: 3, perAddress: 5, perAccount: 8, windowMs: 60_000 };

function limiter(limits: LoginLimits = LIMITS) {
  const wall = new ManualClock('2026-11-23T09:00:00Z');
  return { wall, limiter: new LoginLimiter(limits, wall) };
}

/** One attempt that turns out right (as the login route does it): null when it was let through. */
function signIn(l: LoginLimiter, email: string, address: string): number | null {
  const wait = l.attempt(email, address);
  if (wait === null) l.succeeded(email, address);
  return wait;
}

describe('LoginLimiter', () => {
  it('never refuses successful sign-ins, however many come from one address', () => {
    const { limiter: l } = limiter(DEFAULT_LOGIN_LIMITS);
    for (let i = 0; i < 200; i++) expect(signIn(l, 'admin@example.com', '127.0.0.1')).toBeNull();
    for (let i = 0; i < 200; i++) expect(signIn(l, `user${i % 7}@example.com`, '127.0.0.1')).toBeNull();
  });

  it('refuses an account from the address that failed, even with the right password, and nowhere else', () => {
    const { wall, limiter: l } = limiter();
    for (let i = 0; i < 3; i++) expect(l.attempt('Seller@Example.com', '10.6.6.6')).toBeNull();
    wall.advance(10_000);
    expect(signIn(l, ' seller@example.com', '10.6.6.6')).toBe(50);
    // Found by the security audit: ten wrong passwords from anywhere locked the account everywhere.
    expect(signIn(l, 'seller@example.com', '10.0.0.1')).toBeNull();
    expect(l.attempt('other@example.com', '10.6.6.6')).toBeNull();
  });

  it('locks the administrator out only where the guesses came from, with the default limits', () => {
    const { limiter: l } = limiter(DEFAULT_LOGIN_LIMITS);
    for (let i = 0; i < 10; i++) expect(l.attempt('admin@example.com', '203.0.113.66')).toBeNull();
    expect(l.attempt('admin@example.com', '203.0.113.66')).toBe(15 * 60);
    expect(signIn(l, 'admin@example.com', '192.0.2.10')).toBeNull();
  });

  it('refuses an account guessed at from many addresses once their failures together reach its limit', () => {
    const { wall, limiter: l } = limiter();
    for (let i = 0; i < 8; i++) expect(l.attempt('seller@example.com', `10.1.0.${i}`)).toBeNull();
    wall.advance(20_000);
    expect(signIn(l, 'seller@example.com', '10.9.9.9')).toBe(40);
    expect(signIn(l, 'other@example.com', '10.9.9.9')).toBeNull();
    // The default: a hundred, more than three addresses' whole allowance.
    const defaults = limiter(DEFAULT_LOGIN_LIMITS).limiter;
    expect(DEFAULT_LOGIN_LIMITS.perAccount).toBeGreaterThan(3 * DEFAULT_LOGIN_LIMITS.perAddress);
    for (let i = 0; i < 100; i++)
      expect(defaults.attempt('admin@example.com', `10.2.${i >> 3}.${i}`)).toBeNull();
    expect(defaults.attempt('admin@example.com', '10.3.0.1')).not.toBeNull();
  });

  it('refuses an address after its failures, for any account', () => {
    const { limiter: l } = limiter();
    for (let i = 0; i < 5; i++) expect(l.attempt(`spray${i}@example.com`, '10.2.0.1')).toBeNull();
    expect(l.attempt('spray9@example.com', '10.2.0.1')).toBe(60);
    expect(signIn(l, 'spray9@example.com', '10.2.0.1')).toBe(60);
    expect(signIn(l, 'spray9@example.com', '10.2.0.2')).toBeNull();
  });

  it("clears the account's failures from that address on success, and keeps the address's and the account's", () => {
    const { limiter: l } = limiter();
    for (let i = 0; i < 2; i++) l.attempt('seller@example.com', '10.0.0.1');
    expect(signIn(l, 'seller@example.com', '10.0.0.1')).toBeNull();
    // From that address the account starts again: three more failures before it is refused there.
    for (let i = 0; i < 3; i++) expect(l.attempt('seller@example.com', '10.0.0.1')).toBeNull();
    expect(l.attempt('seller@example.com', '10.0.0.1')).not.toBeNull();
    // The address holds its five failures (the success itself was not counted): it is refused.
    expect(l.attempt('x9@example.com', '10.0.0.1')).not.toBeNull();
    // The account holds them too: three more from elsewhere reach its eight.
    for (let i = 0; i < 3; i++) expect(l.attempt('seller@example.com', `10.1.0.${i}`)).toBeNull();
    expect(l.attempt('seller@example.com', '10.1.0.9')).not.toBeNull();
  });

  it('does not count refused attempts, so the window ends when it began plus its length', () => {
    const { wall, limiter: l } = limiter();
    for (let i = 0; i < 3; i++) l.attempt('seller@example.com', '10.0.0.1');
    for (let i = 0; i < 10; i++) {
      wall.advance(5_000);
      expect(l.attempt('seller@example.com', '10.0.0.1')).toBe(60 - 5 * (i + 1));
    }
  });

  it('lets the account and the address in again once the window has passed on the wall clock', () => {
    const { wall, limiter: l } = limiter();
    for (let i = 0; i < 5; i++) l.attempt(i < 3 ? 'seller@example.com' : `x${i}@example.com`, '10.0.0.1');
    expect(signIn(l, 'seller@example.com', '10.0.0.1')).not.toBeNull();
    expect(l.attempt('y@example.com', '10.0.0.1')).not.toBeNull();
    wall.advance(59_999);
    expect(signIn(l, 'seller@example.com', '10.0.0.1')).toBe(1);
    wall.advance(1);
    expect(signIn(l, 'seller@example.com', '10.0.0.1')).toBeNull();
    expect(l.attempt('y@example.com', '10.0.0.1')).toBeNull();
  });
});
