// `stepwise migrate`: apply pending database migrations (the server also does this on start).
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { isPostgresUrl, migrate } from '../../storage/open-store.js';
import { type CommandContext, cannotOpenDatabase, databaseLocation } from '../context.js';

export function migrateCommand(program: Command, context: CommandContext): void {
  program
    .command('migrate')
    .description('Create or upgrade the database schema (SQLite file or PostgreSQL)')
    .action(async () => {
      const config = loadConfig(context.env);
      const applied = await migrate(config.databaseUrl).catch((error: unknown) => {
        throw cannotOpenDatabase(config.databaseUrl, error);
      });
      for (const name of applied) context.output.out(`applied ${name}`);
      const where = `${databaseLocation(config.databaseUrl)} (${isPostgresUrl(config.databaseUrl) ? 'postgres' : 'sqlite'})`;
      context.output.out(`Database is up to date: ${where}.`);
    });
}
