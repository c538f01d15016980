// `stepwise users add|list`: administrators manage accounts from the shell (the first one, above all).
import { type Command, InvalidArgumentError } from 'commander';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../../api/auth/password.js';
import { loadConfig } from '../../config.js';
import { canonicalTimeZone } from '../../domain/calendar.js';
import type { EngineDeps } from '../../engine/deps.js';
import { ROLES, type Role, StoreConflictError, type User } from '../../engine/ports/store.js';
import { type CommandContext, formatTable, withEngine } from '../context.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function parseEmail(value: string): string {
  const email = value.trim();
  if (!EMAIL.test(email)) throw new InvalidArgumentError(`"${value}" is not an email address.`);
  return email;
}

function parseName(value: string): string {
  const name = value.trim();
  if (name === '') throw new InvalidArgumentError('must not be empty.');
  return name;
}

function parseRole(value: string): Role {
  const role = ROLES.find((r) => r === value);
  if (role === undefined) throw new InvalidArgumentError(`must be one of ${ROLES.join(', ')}.`);
  return role;
}

function parseTimeZone(value: string): string {
  const zone = canonicalTimeZone(value);
  if (zone === null)
    throw new InvalidArgumentError(`"${value}" is not an IANA time zone (e.g. Europe/Paris).`);
  return zone;
}

function parsePassword(value: string): string {
  if (value.length < MIN_PASSWORD_LENGTH) {
    throw new InvalidArgumentError(`must be at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  return value;
}

export interface AddUserInput {
  email: string;
  name: string;
  role: Role;
  password: string;
  timezone?: string | undefined;
}

export async function addUser(deps: EngineDeps, input: AddUserInput): Promise<User> {
  return deps.store.users.create({
    id: deps.ids.newId('usr'),
    email: input.email,
    name: input.name,
    role: input.role,
    passwordHash: await hashPassword(input.password),
    timezone: input.timezone,
    createdAt: deps.clock.now(),
  });
}

export function usersCommand(program: Command, context: CommandContext): void {
  const users = program.command('users').description('Manage user accounts');
  users
    .command('add')
    .description('Create a user who can sign in')
    .requiredOption('--email <email>', 'sign-in email', parseEmail)
    .requiredOption('--name <name>', 'display name', parseName)
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, parseRole)
    .option(
      '--password <password>',
      `at least ${MIN_PASSWORD_LENGTH} characters; one is generated when omitted`,
      parsePassword,
    )
    .option('--timezone <zone>', 'IANA time zone of the user (default UTC)', parseTimeZone)
    .action(
      async (options: { email: string; name: string; role: Role; password?: string; timezone?: string }) => {
        await withEngine(loadConfig(context.env), async (deps) => {
          const password = options.password ?? deps.ids.secret(12);
          try {
            const user = await addUser(deps, { ...options, password });
            context.output.out(`Created ${user.role} ${user.email} (${user.id}).`);
            if (options.password === undefined) context.output.out(`Password (shown once): ${password}`);
          } catch (error) {
            if (error instanceof StoreConflictError)
              throw new Error(`A user with email ${options.email} already exists.`);
            throw error;
          }
        });
      },
    );
  users
    .command('list')
    .description('List users')
    .action(async () => {
      await withEngine(loadConfig(context.env), async ({ store }) => {
        const rows: string[][] = [];
        let cursor: string | undefined;
        do {
          const page = await store.users.list({ limit: 500, cursor });
          for (const user of page.items)
            rows.push([user.email, user.name, user.role, user.timezone, user.id]);
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        for (const line of formatTable(['EMAIL', 'NAME', 'ROLE', 'TIMEZONE', 'ID'], rows))
          context.output.out(line);
      });
    });
}
