// `stepwise templates list`: the built-in sequence gallery with computed step counts and durations.
import type { Command } from 'commander';
import { summarize } from '../../domain/summary.js';
import { SEQUENCE_TEMPLATES } from '../../domain/templates/index.js';
import { type CommandContext, formatTable } from '../context.js';

export function templatesCommand(program: Command, context: CommandContext): void {
  const templates = program.command('templates').description('The built-in sequence templates');
  templates
    .command('list')
    .description('List the built-in sequence templates: key, name, record type, steps and days')
    .option('--json', 'print JSON instead of a table')
    .action((options: { json?: boolean }) => {
      const rows = SEQUENCE_TEMPLATES.map((template) => ({
        key: template.key,
        name: template.name,
        entityType: template.entityType,
        ...summarize(template.definition),
      }));
      if (options.json) {
        context.output.out(JSON.stringify(rows, null, 2));
        return;
      }
      for (const line of formatTable(
        ['KEY', 'NAME', 'ENTITY', 'STEPS', 'DAYS'],
        rows.map((row) => [row.key, row.name, row.entityType, row.stepCount, row.durationDays]),
      )) {
        context.output.out(line);
      }
    });
}
