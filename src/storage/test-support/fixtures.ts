// Small builders for storage tests: valid rows with readable, unique ids and fixed times.
import { EMPTY_DEFINITION, type EntityType, type SequenceDefinition } from '../../domain/definition.js';
import type { NewRecord, NewSequence, NewUser, Role, Store } from '../../engine/ports/store.js';

export const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);

let counter = 0;
/** A fresh id with a readable prefix; ids sort in creation order, as the Ids port's do. */
export function testId(prefix: string): string {
  counter += 1;
  return `${prefix}_${String(counter).padStart(8, '0')}`;
}

export function aUser(overrides: Partial<NewUser> = {}): NewUser {
  const id = overrides.id ?? testId('usr');
  return {
    id,
    email: `${id}@example.com`,
    name: `User ${id}`,
    role: 'salesperson' as Role,
    createdAt: T0,
    ...overrides,
  };
}

export function aRecord(ownerId: string, overrides: Partial<NewRecord> = {}): NewRecord {
  const id = overrides.id ?? testId('rec');
  return { id, type: 'lead' as EntityType, name: `Record ${id}`, ownerId, createdAt: T0, ...overrides };
}

export const ONE_EMAIL: SequenceDefinition = {
  ...EMPTY_DEFINITION,
  start: 's1',
  steps: [{ id: 's1', type: 'email', name: 'Say hello' }],
};

export function aSequence(ownerId: string, overrides: Partial<NewSequence> = {}): NewSequence {
  const id = overrides.id ?? testId('seq');
  return {
    id,
    name: `Sequence ${id}`,
    entityType: 'lead',
    ownerId,
    definition: ONE_EMAIL,
    createdAt: T0,
    ...overrides,
  };
}

/** A user, a lead owned by them, and an (inactive) sequence for leads: what an enrollment needs. */
export async function enrollmentWorld(store: Store) {
  const owner = await store.users.create(aUser());
  const record = await store.records.create(aRecord(owner.id));
  const sequence = await store.sequences.create(aSequence(owner.id));
  return { owner, record, sequence };
}

/** Every item of a paginated list, page by page. */
export async function allPages<T>(
  fetch: (cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await fetch(cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 10_000);
  return { items, pages };
}
