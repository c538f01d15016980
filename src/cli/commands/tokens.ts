// `stepwise tokens create|list|revoke`: long-lived API tokens for scripts and integrations. A token is
// printed once, at creation; listings never show it, and a revocation from the shell is audited.
import type { Command } from 'commander';
import { createApiToken, revokeApiTokenOf } from '../../api/auth/api-tokens.js';
import { iso } from '../../api/schemas.js';
import { loadConfig } from '../../config.js';
import type { EngineDeps } from '../../engine/deps.js';
import type { User } from '../../engine/ports/store.js';
import { type CommandContext, formatTable, withEngine } from '../context.js';
import { parseEmail } from './users.js';

async function userByEmail(deps: EngineDeps, email: string): Promise<User> {
  const user = await deps.store.users.getByEmail(email);
  if (user === null) throw new Error(`No user with email ${email}.`);
  return user;
}

const when = (ms: number | null): string => (ms === null ? '-' : iso(ms));

export function tokensCommand(program: Command, context: CommandContext): void {
  const tokens = program.command('tokens').description('Manage API tokens');
  tokens
    .command('create')
    .description('Create an API token for a user and print it (it is shown only once)')
    .requiredOption('--email <email>', 'the user the token acts as', parseEmail)
    .option('--name <name>', 'what the token is for', 'cli')
    .action(async (options: { email: string; name: string }) => {
      await withEngine(loadConfig(context.env), async (deps) => {
        const user = await deps.store.users.getByEmail(options.email);
        if (user === null || user.disabled) throw new Error(`No active user with email ${options.email}.`);
        const { token } = await createApiToken(deps, user.id, options.name);
        context.output.out(token);
      });
    });
  tokens
    .command('list')
    .description("List a user's API tokens, revoked ones included (never the tokens themselves)")
    .requiredOption('--email <email>', 'the user whose tokens to list', parseEmail)
    .action(async (options: { email: string }) => {
      await withEngine(loadConfig(context.env), async (deps) => {
        const user = await userByEmail(deps, options.email);
        const rows = (await deps.store.apiTokens.listForUser(user.id)).map((token) => [
          token.id,
          token.name,
          when(token.createdAt),
          when(token.lastUsedAt),
          when(token.revokedAt),
        ]);
        for (const line of formatTable(['ID', 'NAME', 'CREATED', 'LAST USED', 'REVOKED'], rows))
          context.output.out(line);
      });
    });
  tokens
    .command('revoke')
    .description("Revoke one of a user's API tokens; it stops working at once")
    .requiredOption('--email <email>', 'the user who owns the token', parseEmail)
    .requiredOption('--id <id>', 'the token id (from `stepwise tokens list`)')
    .action(async (options: { email: string; id: string }) => {
      await withEngine(loadConfig(context.env), async (deps) => {
        const user = await userByEmail(deps, options.email);
        // The operator at the shell is not a user: the audit entry's actor is the system (null).
        const result = await revokeApiTokenOf(deps, null, user.id, options.id);
        if (result.outcome === 'not_found')
          throw new Error(`${options.email} has no token with id ${options.id}.`);
        context.output.out(
          result.outcome === 'revoked'
            ? `Revoked token ${options.id} (${result.token.name}) of ${user.email}.`
            : `Token ${options.id} (${result.token.name}) of ${user.email} was already revoked.`,
        );
      });
    });
}
