// `stepwise tokens create`: a long-lived API token for scripts and integrations, printed once.
import type { Command } from 'commander';
import { createApiToken } from '../../api/auth/api-tokens.js';
import { loadConfig } from '../../config.js';
import { type CommandContext, withEngine } from '../context.js';
import { parseEmail } from './users.js';

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
}
