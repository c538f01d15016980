// Record types as they appear in addresses (/records/leads) and headings.
import type { EntityType } from '@domain/definition.js';

export const ENTITY_PATHS: Record<EntityType, string> = {
  lead: 'leads',
  contact: 'contacts',
  account: 'accounts',
  opportunity: 'opportunities',
};

export const ENTITY_PLURALS: Record<EntityType, string> = {
  lead: 'Leads',
  contact: 'Contacts',
  account: 'Accounts',
  opportunity: 'Opportunities',
};

export function entityFromPath(path: string | undefined): EntityType | undefined {
  return (Object.entries(ENTITY_PATHS) as [EntityType, string][]).find(([, p]) => p === path)?.[0];
}
