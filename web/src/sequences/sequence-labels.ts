// Words for sequence statuses and record types, shared by the list, the details and the dialogs.
import type { EntityType } from '@domain/definition.js';
import type { SequenceStatus } from '../api/types.js';

export const STATUS_NAMES: Record<SequenceStatus, string> = {
  active: 'Active',
  inactive: 'Inactive',
  revision: 'In revision',
};

export const ENTITY_NAMES: Record<EntityType, string> = {
  lead: 'Lead',
  contact: 'Contact',
  account: 'Account',
  opportunity: 'Opportunity',
};

export function days(n: number): string {
  return `${n} day${n === 1 ? '' : 's'}`;
}

/** "1 step", "4 steps": a count of steps as a sequence's summary says it. */
export function steps(n: number): string {
  return `${n} step${n === 1 ? '' : 's'}`;
}
