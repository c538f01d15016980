// `stepwise simulate`: an enrollment's timeline from JSON files, without a database or a mail server.
// This file is the edge: it reads the files and turns their JSON into the engine's typed input.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { isValidTimeZone, parseWeeklyHours, type TimeOff } from '../../domain/calendar.js';
import {
  CALL_OUTCOMES,
  type CallOutcome,
  EMAIL_SIGNALS,
  MANUAL_ACTIVITY_TYPES,
  type SequenceDefinition,
  type Step,
} from '../../domain/definition.js';
import { parseDuration } from '../../domain/duration.js';
import type { EnrollmentSignal } from '../../domain/enrollment.js';
import { SystemClock } from '../../engine/clock.js';
import {
  definitionForSimulation,
  type ScriptedAction,
  type ScriptedSignal,
  type ScriptedTime,
  type SimulationOwner,
  type SimulationRecord,
  simulateEnrollment,
  type TimelineEntry,
} from '../../engine/simulate.js';
import { type CommandContext, formatTable } from '../context.js';

const SIGNAL_TYPES: Record<EnrollmentSignal, true> = {
  email_opened: true,
  email_clicked: true,
  email_replied: true,
  email_attachment_opened: true,
  email_bounced: true,
  email_unsubscribed: true,
  linkedin_connection_accepted: true,
};

function signalTypes(): EnrollmentSignal[] {
  return Object.keys(SIGNAL_TYPES) as EnrollmentSignal[];
}

function isSignalType(value: unknown): value is EnrollmentSignal {
  return typeof value === 'string' && Object.hasOwn(SIGNAL_TYPES, value);
}

const SIGNALS_HELP = `
The signals file (--signals) is a JSON array. An entry with a "type" is a signal; one without is
what the seller does with a step:
  {"type": "email_replied", "stepId": "s1", "at": "2026-11-24T10:00:00Z"}
  {"type": "email_opened", "stepId": "s3", "after": "PT2H"}   2 hours after s3 was sent
  {"type": "email_unsubscribed", "after": "P5D"}               5 days after --start
  {"stepId": "s2", "outcome": "no_answer"}                     the call, completed when it opens
  {"stepId": "t1", "after": "PT3H", "notes": "..."}            completed 3 hours after it opens
  {"stepId": "s4", "skip": true}                               skipped (a wait too: it ends at once)
Signal types: ${signalTypes().join(', ')}.
Outcomes (phone calls): ${CALL_OUTCOMES.join(', ')}.
Without an entry, a manual step is completed when it opens and an automated email is sent at its
send time. Times without an offset are read in the owner's zone.

The owner (--owner, else the record's "owner" property, else UTC) is
  {"timezone": "America/New_York", "workingHours": {"mon": [["08:00", "17:00"]], ...},
   "timeOff": [{"start": "2026-12-24T00:00:00Z", "end": "2026-12-28T00:00:00Z"}]}
The record is {"name": ..., "timezone"?: ..., "fields"?: {...}, "owner"?: {...}}; other properties are ignored.
See docs/simulate.md.`;

interface SimulateOptions {
  sequence: string;
  record: string;
  signals?: string;
  owner?: string;
  start?: string;
  until?: string;
  json?: boolean;
}

export function simulateCommand(program: Command, context: CommandContext): void {
  program
    .command('simulate')
    .description("Print an enrollment's timeline (due times, branches, end) without a database")
    .requiredOption('--sequence <file>', 'the sequence definition (JSON, as in the API)')
    .requiredOption('--record <file>', 'the record (JSON): its fields, time zone and owner')
    .option('--signals <file>', 'scripted signals and seller actions (JSON array, below)')
    .option('--owner <file>', "the owner's time zone, working hours and time off (JSON)")
    .option('--start <iso>', 'when the record is connected (default: now)')
    .option('--until <iso>', 'stop the simulation at this instant')
    .option('--json', 'print the timeline as JSON instead of a table')
    .addHelpText('after', SIGNALS_HELP)
    .action(async (options: SimulateOptions) => {
      const definition = await readDefinition(options.sequence);
      const recordJson = await readJson(options.record);
      const record = parseRecord(recordJson, options.record);
      const owner =
        options.owner !== undefined
          ? parseOwner(await readJson(options.owner), options.owner)
          : record.owner !== undefined
            ? parseOwner(record.owner, `${options.record} "owner"`)
            : { timezone: 'UTC' };
      const zone = owner.timezone;
      const start =
        options.start === undefined
          ? Math.floor(new SystemClock().now() / MINUTE) * MINUTE
          : instant(options.start, zone, '--start');
      const until = options.until === undefined ? undefined : instant(options.until, zone, '--until');
      const script =
        options.signals === undefined
          ? { signals: [], actions: [] }
          : parseScript(await readJson(options.signals), options.signals, definition, zone);
      const timeline = simulateEnrollment({
        definition,
        owner,
        record: record.value,
        signals: script.signals,
        actions: script.actions,
        start,
        ...(until !== undefined && { until }),
      });
      if (options.json) {
        context.output.out(JSON.stringify(timeline, null, 2));
        return;
      }
      for (const line of formatTimeline(timeline, zone)) context.output.out(line);
    });
}

function formatTimeline(timeline: TimelineEntry[], zone: string): string[] {
  return formatTable(
    ['WHEN (UTC)', `WHEN (${zone})`, 'STEP', 'EVENT', 'DETAIL'],
    timeline.map((entry) => [
      entry.utc,
      `${entry.ownerTime} ${DateTime.fromMillis(entry.at, { zone }).toFormat('ccc')}`,
      [entry.stepId ?? '-', entry.event === 'entered' ? entry.stepName : null].filter((p) => p).join(' '),
      entry.branch === undefined ? entry.event : `${entry.event} ${entry.branch}`,
      entry.detail,
    ]),
  );
}

// ---------- files ----------

/** Fails with the path and what is wrong: missing, unreadable, or not JSON. */
async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${path}: file not found`);
    throw new Error(`${path}: can't be read (${code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${path}: not JSON (${(error as Error).message})`);
  }
}

async function readDefinition(path: string): Promise<SequenceDefinition> {
  const result = definitionForSimulation(await readJson(path));
  if (result.ok) return result.definition;
  const lines = result.issues.map(
    (issue) =>
      `  ${issue.code} at ${issue.path || '/'}${issue.stepId === undefined ? '' : ` (step ${issue.stepId})`}: ${issue.message}`,
  );
  throw new Error(`${path}: the sequence can't be activated, so it can't be simulated:\n${lines.join('\n')}`);
}

// ---------- owner, record, script ----------

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(where: string, problems: string[]): never {
  throw new Error(`${where}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
}

function instant(text: unknown, zone: string, where: string): number {
  const parsed = typeof text === 'string' ? DateTime.fromISO(text, { zone }) : undefined;
  if (parsed === undefined || !parsed.isValid)
    throw new Error(`${where}: ${JSON.stringify(text)} is not an ISO 8601 time (e.g. 2026-11-24T10:00:00Z)`);
  return parsed.toMillis();
}

function parseOwner(json: unknown, where: string): SimulationOwner {
  if (!isObject(json)) fail(where, ['expected an object like {"timezone": "America/New_York"}']);
  const problems: string[] = [];
  const timezone = json.timezone ?? 'UTC';
  if (typeof timezone !== 'string' || !isValidTimeZone(timezone))
    problems.push(`timezone: ${JSON.stringify(timezone)} is not an IANA time zone (e.g. Europe/Paris)`);
  const owner: SimulationOwner = { timezone: String(timezone) };
  if (json.workingHours !== undefined) {
    const hours = parseWeeklyHours(json.workingHours);
    if (hours.ok) owner.workingHours = hours.value;
    else for (const e of hours.errors) problems.push(`workingHours${e.path}: ${e.message}`);
  }
  if (json.timeOff !== undefined) {
    if (!Array.isArray(json.timeOff)) problems.push('timeOff: expected a list of {"start", "end"} instants');
    else {
      const timeOff: TimeOff[] = [];
      json.timeOff.forEach((block: unknown, i) => {
        try {
          if (!isObject(block)) throw new Error('expected {"start", "end"}');
          timeOff.push({
            start: instant(block.start, 'UTC', 'start'),
            end: instant(block.end, 'UTC', 'end'),
          });
        } catch (error) {
          problems.push(`timeOff[${i}]: ${(error as Error).message}`);
        }
      });
      owner.timeOff = timeOff;
    }
  }
  if (problems.length > 0) fail(where, problems);
  return owner;
}

function parseRecord(json: unknown, where: string): { value: SimulationRecord; owner?: unknown } {
  if (!isObject(json)) fail(where, ['expected a record object like {"name": "Ada", "fields": {}}']);
  const problems: string[] = [];
  const value: SimulationRecord = {};
  if (json.timezone !== undefined && json.timezone !== null) {
    if (typeof json.timezone === 'string' && isValidTimeZone(json.timezone)) value.timezone = json.timezone;
    else problems.push(`timezone: ${JSON.stringify(json.timezone)} is not an IANA time zone`);
  }
  if (json.fields !== undefined) {
    if (isObject(json.fields)) value.fields = json.fields;
    else problems.push('fields: expected an object of field names to values');
  }
  if (problems.length > 0) fail(where, problems);
  return json.owner === undefined ? { value } : { value, owner: json.owner };
}

const MINUTE = 60_000;
const MANUAL: readonly string[] = MANUAL_ACTIVITY_TYPES;

function parseScript(
  json: unknown,
  where: string,
  definition: SequenceDefinition,
  zone: string,
): { signals: ScriptedSignal[]; actions: ScriptedAction[] } {
  if (!Array.isArray(json)) fail(where, ['expected a JSON array of signals and actions (see --help)']);
  const steps = new Map(definition.steps.map((step) => [step.id, step]));
  const signals: ScriptedSignal[] = [];
  const actions: ScriptedAction[] = [];
  const problems: string[] = [];
  for (const [index, entry] of json.entries()) {
    const problem = (text: string) => {
      problems.push(`[${index}] ${text}`);
    };
    if (!isObject(entry)) {
      problem('expected an object');
      continue;
    }
    const isSignal = Object.hasOwn(entry, 'type');
    const allowed = isSignal
      ? ['type', 'stepId', 'at', 'after']
      : ['stepId', 'at', 'after', 'outcome', 'skip', 'notes'];
    for (const key of Object.keys(entry))
      if (!allowed.includes(key)) problem(`unknown property "${key}"; expected ${allowed.join(', ')}`);
    const stepId = entry.stepId;
    if (stepId !== undefined && (typeof stepId !== 'string' || !steps.has(stepId)))
      problem(`stepId: ${JSON.stringify(stepId)} is not a step of the sequence`);
    const step = typeof stepId === 'string' ? steps.get(stepId) : undefined;
    const time = readTime(entry, zone, problem);
    if (isSignal) {
      const signal = readSignal(entry, step, time, problem);
      if (signal !== undefined) signals.push(signal);
    } else if (step === undefined) {
      if (stepId === undefined) problem('an action needs the "stepId" of a manual step or a wait');
    } else {
      if (actions.some((a) => a.stepId === step.id)) problem(`a second action for ${step.id}`);
      actions.push(readAction(entry, step, time, problem));
    }
  }
  if (problems.length > 0) fail(where, problems);
  return { signals, actions };
}

type Problem = (text: string) => void;

function readTime(entry: JsonObject, zone: string, problem: Problem): ScriptedTime | undefined {
  if (entry.at !== undefined && entry.after !== undefined) {
    problem('give "at" or "after", not both');
    return undefined;
  }
  if (entry.at !== undefined) {
    try {
      return { at: instant(entry.at, zone, 'at') };
    } catch (error) {
      problem((error as Error).message);
      return undefined;
    }
  }
  if (entry.after === undefined) return undefined;
  const duration = typeof entry.after === 'string' ? parseDuration(entry.after) : undefined;
  if (duration?.ok) return { after: duration.duration };
  problem(`after: ${duration?.message ?? 'expected an ISO 8601 duration such as PT2H'}`);
  return undefined;
}

function readSignal(
  entry: JsonObject,
  step: Step | undefined,
  time: ScriptedTime | undefined,
  problem: Problem,
): ScriptedSignal | undefined {
  const type = entry.type;
  if (!isSignalType(type)) {
    problem(`type: ${JSON.stringify(type)} is not one of ${signalTypes().join(', ')}`);
    return undefined;
  }
  const isEmail = step?.type === 'email' || step?.type === 'automated_email';
  if (step !== undefined && (EMAIL_SIGNALS as readonly string[]).includes(type) && !isEmail)
    problem(`stepId: ${type} needs an email or automated_email step, not ${step.id} (${step.type})`);
  if (time === undefined) {
    problem('a signal needs "at" (an instant) or "after" (a duration)');
    return undefined;
  }
  return { type, ...(step !== undefined && { stepId: step.id }), ...time };
}

function readAction(
  entry: JsonObject,
  step: Step,
  time: ScriptedTime | undefined,
  problem: Problem,
): ScriptedAction {
  const { skip, notes, outcome } = entry;
  if (skip !== undefined && skip !== true) problem('skip: expected true');
  if (notes !== undefined && typeof notes !== 'string') problem('notes: expected a string');
  if (outcome !== undefined) {
    if (!(CALL_OUTCOMES as readonly unknown[]).includes(outcome))
      problem(`outcome: ${JSON.stringify(outcome)} is not one of ${CALL_OUTCOMES.join(', ')}`);
    else if (step.type !== 'phone_call')
      problem(`outcome: only a phone_call has one, not ${step.id} (${step.type})`);
    if (skip === true) problem('a skipped step has no outcome');
  }
  if (step.type === 'wait' ? skip !== true : !MANUAL.includes(step.type))
    problem(`${step.id} (${step.type}): actions apply to manual activities, and a wait can only be skipped`);
  return {
    stepId: step.id,
    ...(time ?? {}),
    ...(outcome !== undefined && { outcome: outcome as CallOutcome }),
    ...(skip === true && { skip: true }),
    ...(typeof notes === 'string' && { notes }),
  };
}
