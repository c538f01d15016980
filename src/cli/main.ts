// The `stepwise` command: one executable for the server and the administrator's work.
import { Command, CommanderError } from 'commander';
import { ConfigError, unknownSettings } from '../config.js';
import { inboundCommand } from './commands/inbound.js';
import { migrateCommand } from './commands/migrate.js';
import { seedDemoCommand } from './commands/seed-demo.js';
import { serveCommand } from './commands/serve.js';
import { simulateCommand } from './commands/simulate.js';
import { templatesCommand } from './commands/templates.js';
import { tokensCommand } from './commands/tokens.js';
import { usersCommand } from './commands/users.js';
import { workerCommand } from './commands/worker.js';
import type { CommandContext, Output } from './context.js';

const CONSOLE: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export function buildProgram(context: CommandContext): Command {
  const program = new Command('stepwise')
    .description('Stepwise: an open, self-hostable sales-sequence engine')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.output.out(text.trimEnd()),
      writeErr: (text) => context.output.err(text.trimEnd()),
    });
  serveCommand(program, context);
  migrateCommand(program, context);
  usersCommand(program, context);
  tokensCommand(program, context);
  templatesCommand(program, context);
  seedDemoCommand(program, context);
  simulateCommand(program, context);
  workerCommand(program, context);
  inboundCommand(program, context);
  return program;
}

/** Runs the CLI; resolves with the exit code instead of exiting, so tests can call it. */
export async function run(argv: string[], context: CommandContext): Promise<number> {
  const program = buildProgram(context);
  if (argv.length <= 2) {
    program.outputHelp();
    return 1;
  }
  const unknown = unknownSettings(context.env);
  if (unknown.length > 0)
    context.output.err(
      `stepwise: ignoring ${unknown.join(', ')}: not a setting (see "Configuration" in README.md)`,
    );
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed the message (or the help / version, which exit 0).
      return error.exitCode;
    }
    context.output.err(
      error instanceof ConfigError || error instanceof Error ? `stepwise: ${describe(error)}` : String(error),
    );
    return 1;
  }
}

/**
 * The message, and its causes' ("Cannot open the database postgres://…/crm (DATABASE_URL): The database
 * failed: connect ECONNREFUSED 127.0.0.1:5999", "…: database \"crm\" does not exist"), so the operator sees
 * which setting is wrong and why.
 */
function describe(error: Error): string {
  const parts = [error.message];
  let cause: unknown = error.cause;
  for (let depth = 0; depth < 3 && cause instanceof Error; depth++) {
    const text = cause.message || cause.name;
    if (text !== '' && !parts.includes(text)) parts.push(text);
    cause = cause.cause;
  }
  return parts.join(': ').replace(/\.: /g, ': ');
}

export async function main(argv: string[]): Promise<void> {
  // `stepwise users list | head -1`: the reader went away; the rest of the listing is not wanted.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.exitCode = await run(argv, { output: CONSOLE, env: process.env });
}

// `tsx src/cli/main.ts …` (npm run dev) runs the CLI directly; bin/stepwise.js imports the built module instead.
if (process.argv[1] === import.meta.filename) void main(process.argv);
