// The login limiter on its own, with a manual clock standing in for the wall clock: only failures
// count, per account and per address, a success clears its account, and windows pass in wall time.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.js';
import { DEFAULT_LOGIN_LIMITS, LoginLimiter, type LoginLimits } from './login-limiter.js';

const LIMITS: LoginLimits = { perAccount: 3, perAddress: 5, windowMs: 60_000 };

function limiter(limits: LoginLimits = LIMITS) {
  const wall = new ManualClock('2026-11-23T09:00:00Z');
  return { wall, limiter: new LoginLimiter(limits, wall) };
}

/** One attempt that turns out right (as the login route does it): null when it was let through. */
function signIn(l: LoginLimiter, email: string, address: string): number | null {
  const wait = l.attempt(email, address);
  if (wait === null) l.succeeded(email);
  return wait;
}

describe('LoginLimiter', () => {
  it('never refuses successful sign-ins, however many come from one address', () => {
    const { limiter: l } = limiter(DEFAULT_LOGIN_LIMITS);
    for (let i = 0; i < 100; i++) expect(signIn(l, 'admin@example.com', '127.0.0.1')).toBeNull();
    for (let i = 0; i < 100; i++) expect(signIn(l, `user${i % 7}@example.com`, '127.0.0.1')).toBeNull();
  });

  it('refuses an account after its failures, even with the right password, from any address', () => {
    const { wall, limiter: l } = limiter();
    for (let i = 0; i < 3; i++) expect(l.attempt('Seller@Example.com', `10.0.0.${i}`)).toBeNull();
    wall.advance(10_000);
    expect(signIn(l, ' seller@example.com', '10.0.0.99')).toBe(50);
    expect(l.attempt('other@example.com', '10.0.0.99')).toBeNull();
  });

  it('refuses an address after its failures, for any account', () => {
    const { limiter: l } = limiter();
    for (let i = 0; i < 5; i++) expect(l.attempt(`spray${i}@example.com`, '10.2.0.1')).toBeNull();
    expect(l.attempt('spray9@example.com', '10.2.0.1')).toBe(60);
    expect(signIn(l, 'spray9@example.com', '10.2.0.1')).toBe(60);
    expect(signIn(l, 'spray9@example.com', '10.2.0.2')).toBeNull();
  });

  it("clears the account's failures on success, and keeps the address's", () => {
    const { limiter: l } = limiter();
    for (let i = 0; i < 2; i++) l.attempt('seller@example.com', '10.0.0.1');
    expect(signIn(l, 'seller@example.com', '10.0.0.1')).toBeNull();
    // The account starts again: three more failures before it is refused.
    for (let i = 0; i < 3; i++) expect(l.attempt('seller@example.com', `10.1.0.${i}`)).toBeNull();
    expect(l.attempt('seller@example.com', '10.1.0.9')).not.toBeNull();
    // The address still holds its two failures (the success itself was not counted): three more refuse it.
    for (let i = 0; i < 3; i++) expect(l.attempt(`x${i}@example.com`, '10.0.0.1')).toBeNull();
    expect(l.attempt('x9@example.com', '10.0.0.1')).not.toBeNull();
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
    expect(signIn(l, 'seller@example.com', '10.0.0.2')).not.toBeNull();
    expect(l.attempt('y@example.com', '10.0.0.1')).not.toBeNull();
    wall.advance(59_999);
    expect(signIn(l, 'seller@example.com', '10.0.0.2')).toBe(1);
    wall.advance(1);
    expect(signIn(l, 'seller@example.com', '10.0.0.2')).toBeNull();
    expect(l.attempt('y@example.com', '10.0.0.1')).toBeNull();
  });
});
