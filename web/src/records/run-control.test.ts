import { describe, expect, it } from 'vitest';
import { runControlFor } from './run-control.js';

const seller = { id: 'u_seller', role: 'salesperson' } as const;

describe('runControlFor', () => {
  it('offers Pause on a running run and Resume on a paused one', () => {
    expect(runControlFor({ status: 'active', ownerId: 'u_seller' }, seller)).toBe('pause');
    expect(runControlFor({ status: 'paused', ownerId: 'u_seller' }, seller)).toBe('resume');
  });

  it('offers nothing on a run that ended', () => {
    for (const status of ['completed', 'disconnected', 'error'] as const)
      expect(runControlFor({ status, ownerId: 'u_seller' }, seller)).toBeNull();
  });

  it('lets a salesperson act only on their own records, and every manager on anyone’s', () => {
    expect(runControlFor({ status: 'active', ownerId: 'u_other' }, seller)).toBeNull();
    for (const role of ['admin', 'sequence_manager', 'sales_manager'] as const)
      expect(runControlFor({ status: 'active', ownerId: 'u_other' }, { id: 'u_mgr', role })).toBe('pause');
  });

  it('offers nothing without a session', () => {
    expect(runControlFor({ status: 'active', ownerId: 'u_seller' }, undefined)).toBeNull();
  });
});
