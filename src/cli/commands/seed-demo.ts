// `stepwise seed-demo`: a demo installation to explore — a manager and sellers, 200 records of the four
// types, and the six built-in templates as (inactive) sequences. Deterministic: the same data every run.
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import type { EntityType } from '../../domain/definition.js';
import { SEQUENCE_TEMPLATES } from '../../domain/templates/index.js';
import type { EngineDeps } from '../../engine/deps.js';
import type { NewRecord, Role } from '../../engine/ports/store.js';
import { createSequenceFromTemplate } from '../../engine/sequence-templates.js';
import { type CommandContext, withEngine } from '../context.js';
import { addUser } from './users.js';

const DEMO_USERS: { email: string; name: string; role: Role; timezone: string }[] = [
  {
    email: 'manager@demo.stepwise.dev',
    name: 'Morgan Reyes',
    role: 'sequence_manager',
    timezone: 'America/New_York',
  },
  {
    email: 'lead@demo.stepwise.dev',
    name: 'Priya Natarajan',
    role: 'sales_manager',
    timezone: 'Europe/London',
  },
  { email: 'sam@demo.stepwise.dev', name: 'Sam Okafor', role: 'salesperson', timezone: 'America/New_York' },
  { email: 'lea@demo.stepwise.dev', name: 'Léa Martin', role: 'salesperson', timezone: 'Europe/Paris' },
  { email: 'kai@demo.stepwise.dev', name: 'Kai Tanaka', role: 'salesperson', timezone: 'Australia/Sydney' },
];

const FIRST = [
  'Nancy',
  'Maria',
  'Oliver',
  'Aisha',
  'Lucas',
  'Mei',
  'Diego',
  'Hannah',
  'Tom',
  'Fatima',
  'Ivan',
  'Zoe',
];
const LAST = [
  'Anderson',
  'Campbell',
  'Schmidt',
  'Khan',
  'Silva',
  'Chen',
  'Lopez',
  'Berg',
  'Novak',
  'Haddad',
  'Rossi',
];
const COMPANIES = [
  'Northwind',
  'Contoso',
  'Fabrikam',
  'Tailspin Toys',
  'Litware',
  'Adventure Works',
  'Woodgrove Bank',
];
const ZONES = [
  'America/New_York',
  'America/Los_Angeles',
  'Europe/London',
  'Europe/Berlin',
  'Asia/Kolkata',
  'Australia/Sydney',
];
const TYPES: EntityType[] = ['lead', 'contact', 'account', 'opportunity'];

export const DEMO_RECORD_COUNT = 200;

/** Demo records: deterministic, `externalId` = `demo-<n>` so a second run updates instead of duplicating. */
export function demoRecords(ownerIds: readonly string[], newId: () => string, at: number): NewRecord[] {
  return Array.from({ length: DEMO_RECORD_COUNT }, (_, n) => {
    const type = TYPES[n % TYPES.length] as EntityType;
    const person = `${FIRST[n % FIRST.length]} ${LAST[(n * 7) % LAST.length]}`;
    const company = COMPANIES[(n * 3) % COMPANIES.length] as string;
    const slug = person.toLowerCase().replace(/[^a-z]+/g, '.');
    const name =
      type === 'account'
        ? `${company} ${n}`
        : type === 'opportunity'
          ? `${company}: ${20 + (n % 80)} seats`
          : person;
    return {
      id: newId(),
      type,
      name,
      email: type === 'account' ? null : `${slug}.${n}@${company.toLowerCase().replace(/\s+/g, '')}.example`,
      phone: `+1 555 01${String(n).padStart(2, '0').slice(-2)}`,
      company,
      timezone: ZONES[n % ZONES.length] as string,
      ownerId: ownerIds[n % ownerIds.length] as string,
      externalId: `demo-${n}`,
      createdAt: at,
    };
  });
}

export async function seedDemo(deps: EngineDeps): Promise<{ password: string; created: boolean }> {
  const password = 'stepwise-demo';
  const existing = await deps.store.users.getByEmail(DEMO_USERS[0]?.email ?? '');
  if (existing !== null) return { password, created: false };
  const users = [];
  for (const user of DEMO_USERS) users.push(await addUser(deps, { ...user, password }));
  const sellers = users.filter((user) => user.role === 'salesperson').map((user) => user.id);
  const results = await deps.store.records.upsertMany(
    demoRecords(sellers, () => deps.ids.newId('rec'), deps.clock.now()),
    deps.clock.now(),
  );
  const failed = results.filter((result) => result.outcome === 'error');
  if (failed.length > 0) throw new Error(`Demo records were refused: ${JSON.stringify(failed.slice(0, 3))}`);
  const manager = users[0];
  if (manager === undefined) throw new Error('no demo manager');
  for (const template of SEQUENCE_TEMPLATES) {
    await createSequenceFromTemplate(deps, { key: template.key, ownerId: manager.id });
  }
  return { password, created: true };
}

export function seedDemoCommand(program: Command, context: CommandContext): void {
  program
    .command('seed-demo')
    .description('Add demo users, 200 records and the six built-in templates as sequences')
    .action(async () => {
      await withEngine(loadConfig(context.env), async (deps) => {
        const { password, created } = await seedDemo(deps);
        if (!created) {
          context.output.out('Demo data is already there; nothing changed.');
          return;
        }
        context.output.out(
          `Added ${DEMO_USERS.length} users, ${DEMO_RECORD_COUNT} records and ${SEQUENCE_TEMPLATES.length} sequences.`,
        );
        for (const user of DEMO_USERS) context.output.out(`  ${user.role.padEnd(16)} ${user.email}`);
        context.output.out(`Every demo user's password: ${password}`);
        // The demo has managers and sellers, no administrator; with users in place, serve prints no set-up link.
        const admins = await deps.store.users.list({ role: 'admin', limit: 1 });
        if (admins.items.length === 0)
          context.output.out(
            'No administrator yet: add one with `stepwise users add --email you@example.com --name "Your Name" --role admin`.',
          );
      });
    });
}
