// Shapes GET /api/sequences/{id}/stats for the Stats tab's charts: a per-step funnel in the flow's reading
// order, condition branches, email metrics with rates, call outcomes and why records left.
import type { SequenceDefinition, Step } from '@domain/definition.js';
import type { SequenceStatsAnswer, StepStats } from '../api/types.js';
import { OUTCOME_NAMES, stepTitle } from '../designer/describe-step.js';
import { branchRoutes, stepsInFlowOrder } from './flow-order.js';

export interface FunnelRow {
  stepId: string;
  /** "3. Call the lead" — numbered in reading order so chart labels stay unique. */
  label: string;
  name: string;
  /** "Yes › No", "" on the main path, "Earlier version" for steps only older versions had. */
  branch: string;
  type: Step['type'] | null;
  reached: number;
  completed: number;
  skipped: number;
  /** Reached but neither completed nor skipped: open, waiting, cancelled or failed. */
  unfinished: number;
}

export interface BranchRow {
  stepId: string;
  label: string;
  reached: number;
  yes: number;
  no: number;
  /** Still waiting for the answer. */
  pending: number;
}

export interface EmailRow {
  stepId: string;
  label: string;
  sent: number;
  opened: number;
  clicked: number;
  replied: number;
  bounced: number;
  /** Fractions of `sent`, null when nothing was sent. */
  openRate: number | null;
  clickRate: number | null;
  replyRate: number | null;
  bounceRate: number | null;
}

export interface OutcomeRow {
  stepId: string;
  label: string;
  /** Count per outcome key (`answered`, …), every known outcome present. */
  outcomes: Record<string, number>;
  total: number;
}

export interface ReasonRow {
  reason: string;
  label: string;
  count: number;
}

export interface StatsCharts {
  funnel: FunnelRow[];
  branches: BranchRow[];
  emails: EmailRow[];
  calls: OutcomeRow[];
  /** Outcome keys seen on any call step, known ones first, for the chart's series. */
  callOutcomeKeys: string[];
  endReasons: ReasonRow[];
}

export const ENROLLMENT_STATUS_NAMES: Record<string, string> = {
  active: 'Active',
  paused: 'Paused',
  completed: 'Completed',
  disconnected: 'Disconnected',
  error: 'Error',
};

export const END_REASON_NAMES: Record<string, string> = {
  completed: 'Completed the sequence',
  user_disconnected: 'Disconnected by a user',
  sequence_deactivated: 'Sequence deactivated',
  sequence_deleted: 'Sequence deleted',
  record_deleted: 'Record deleted',
  exit_on_reply: 'Replied (exit on reply)',
  bounced: 'Email bounced',
  unsubscribed: 'Unsubscribed',
  advanced_to_other_sequence: 'Moved to another sequence',
};

export function outcomeName(key: string): string {
  return (OUTCOME_NAMES as Record<string, string>)[key] ?? key.replaceAll('_', ' ');
}

const EMAIL_TYPES = new Set<Step['type']>(['email', 'automated_email']);
const KNOWN_OUTCOMES = Object.keys(OUTCOME_NAMES);

/**
 * The branch a funnel row names: its route (`Yes › No`), or, where branches join, each route it is
 * reached by (`Yes › No or No`; `Main path` for the main path among them).
 */
function routeLabel(found: { routes: string[]; more: boolean } | undefined, branch: string[]): string {
  if (found === undefined || found.routes.length <= 1) return branch.join(' › ');
  const named = found.routes.map((r) => (r === '' ? 'Main path' : r));
  if (found.more) return `${named.join(', ')} or others`;
  return `${named.slice(0, -1).join(', ')} or ${named.at(-1)}`;
}

function rate(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

export function statsCharts(definition: SequenceDefinition, stats: SequenceStatsAnswer): StatsCharts {
  const byStep = new Map(stats.steps.map((s) => [s.stepId, s]));
  const zero: StepStats = { stepId: '', reached: 0, completed: 0, skipped: 0 };
  const funnel: FunnelRow[] = [];
  const branches: BranchRow[] = [];
  const emails: EmailRow[] = [];
  const calls: OutcomeRow[] = [];
  const ordered = stepsInFlowOrder(definition);
  const routes = branchRoutes(definition);
  const inDefinition = new Set(definition.steps.map((s) => s.id));

  let number = 0;
  for (const { step, branch } of ordered) {
    if (step.type === 'wait') continue;
    number += 1;
    const s = byStep.get(step.id) ?? { ...zero, stepId: step.id };
    const name = stepTitle(step);
    const label = `${number}. ${name}`;
    if (step.type === 'condition') {
      const yes = s.outcomes?.yes ?? 0;
      const no = s.outcomes?.no ?? 0;
      branches.push({
        stepId: step.id,
        label,
        reached: s.reached,
        yes,
        no,
        pending: Math.max(0, s.reached - yes - no),
      });
      continue;
    }
    funnel.push(funnelRow(s, label, name, routeLabel(routes.get(step.id), branch), step.type));
    if (EMAIL_TYPES.has(step.type)) emails.push(emailRow(s, label));
    if (step.type === 'phone_call') calls.push(outcomeRow(s, label));
  }
  // Steps that only earlier versions had still count: records ran them.
  for (const s of stats.steps) {
    if (inDefinition.has(s.stepId) || s.reached === 0) continue;
    number += 1;
    const label = `${number}. ${s.stepId}`;
    funnel.push(funnelRow(s, label, s.stepId, 'Earlier version', null));
    if ((s.emailsSent ?? 0) > 0) emails.push(emailRow(s, label));
    if (Object.keys(s.outcomes ?? {}).some((k) => KNOWN_OUTCOMES.includes(k)))
      calls.push(outcomeRow(s, label));
  }

  const seen = new Set(calls.flatMap((c) => Object.keys(c.outcomes)));
  const callOutcomeKeys = [...KNOWN_OUTCOMES, ...[...seen].filter((k) => !KNOWN_OUTCOMES.includes(k)).sort()];
  for (const call of calls) for (const key of callOutcomeKeys) call.outcomes[key] ??= 0;

  const endReasons = Object.entries(stats.endReasons)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => ({
      reason,
      label: END_REASON_NAMES[reason] ?? reason.replaceAll('_', ' '),
      count,
    }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));

  return { funnel, branches, emails, calls, callOutcomeKeys, endReasons };
}

function funnelRow(
  s: StepStats,
  label: string,
  name: string,
  branch: string,
  type: Step['type'] | null,
): FunnelRow {
  return {
    stepId: s.stepId,
    label,
    name,
    branch,
    type,
    reached: s.reached,
    completed: s.completed,
    skipped: s.skipped,
    unfinished: Math.max(0, s.reached - s.completed - s.skipped),
  };
}

function emailRow(s: StepStats, label: string): EmailRow {
  const sent = s.emailsSent ?? 0;
  const opened = s.opened ?? 0;
  const clicked = s.clicked ?? 0;
  const replied = s.replied ?? 0;
  const bounced = s.bounced ?? 0;
  return {
    stepId: s.stepId,
    label,
    sent,
    opened,
    clicked,
    replied,
    bounced,
    openRate: rate(opened, sent),
    clickRate: rate(clicked, sent),
    replyRate: rate(replied, sent),
    bounceRate: rate(bounced, sent),
  };
}

function outcomeRow(s: StepStats, label: string): OutcomeRow {
  const outcomes: Record<string, number> = {};
  for (const [key, count] of Object.entries(s.outcomes ?? {}))
    if (key !== 'yes' && key !== 'no') outcomes[key] = count;
  return { stepId: s.stepId, label, outcomes, total: Object.values(outcomes).reduce((a, b) => a + b, 0) };
}

/** "42%" or "—" when there is nothing to divide by. */
export function percent(value: number | null): string {
  return value === null ? '—' : `${Math.round(value * 100)}%`;
}
