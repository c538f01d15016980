import { describe, expect, it } from 'vitest';
import { isLikelyMachineOpen, MACHINE_OPEN_WINDOW_MS } from './machine-open.js';

const sentAt = Date.UTC(2026, 10, 23, 9, 0, 0);

describe('isLikelyMachineOpen', () => {
  it('flags opens within the window of the send, and opens before it', () => {
    expect(isLikelyMachineOpen(sentAt, sentAt + 1_500)).toBe(true);
    expect(isLikelyMachineOpen(sentAt, sentAt + MACHINE_OPEN_WINDOW_MS - 1)).toBe(true);
    expect(isLikelyMachineOpen(sentAt, sentAt - 1_000)).toBe(true);
  });

  it('trusts later opens', () => {
    expect(isLikelyMachineOpen(sentAt, sentAt + MACHINE_OPEN_WINDOW_MS)).toBe(false);
    expect(isLikelyMachineOpen(sentAt, sentAt + 3_600_000)).toBe(false);
  });
});
