// The one workload every adapter runs (issue 7): N enrollments on `email → wait 2 days → email →
// condition (opened the second email within 3 days) → yes: call task, no: a nurture task` (Stepwise's
// validator, like Dynamics, wants both branches), a reply for 3 % before the second
// email (exit on reply), an open of the second email for 10 %; who and when come from a seed.
export const DAY_MS = 86_400_000;
/** Compressed real time: one workload day lasts this many real milliseconds. */
export const REAL_DAY_MS = 1_000;

export const WAIT_DAYS = 2;
export const WITHIN_DAYS = 3;

/** Steps that write a ledger row, in sequence order (the wait has no handler of its own). */
export const LEDGER_STEPS = ['email1', 'email2', 'condition', 'call', 'task'] as const;
export type LedgerStep = (typeof LEDGER_STEPS)[number];

export type Mode = 'burn' | 'real';

export interface EnrollmentPlan {
  /** Replies to the first email `replyAfterDays` after it was sent (before the second email). */
  replyAfterDays: number | null;
  /** Opens the second email `openAfterDays` after it was sent (inside the 3-day window). */
  openAfterDays: number | null;
}

export interface Workload {
  n: number;
  seed: number;
  owners: number;
  plans: EnrollmentPlan[];
}

/** mulberry32: small, fast and the same on every platform. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function buildWorkload(n: number, seed: number, owners = 100): Workload {
  const next = random(seed);
  const plans: EnrollmentPlan[] = [];
  for (let i = 0; i < n; i++) {
    const replies = next() < 0.03;
    const opens = next() < 0.1;
    // Margins keep the outcome independent of how late a system runs a step (see docs/benchmarks.md).
    const replyAfterDays = 0.3 + next() * 1.2;
    const openAfterDays = 0.3 + next() * 1.7;
    plans.push({
      replyAfterDays: replies ? replyAfterDays : null,
      openAfterDays: opens && !replies ? openAfterDays : null,
    });
  }
  return { n, seed, owners, plans };
}

/** The steps enrollment `i` must run, exactly once each. */
export function expectedSteps(plan: EnrollmentPlan): LedgerStep[] {
  if (plan.replyAfterDays !== null) return ['email1'];
  return ['email1', 'email2', 'condition', plan.openAfterDays !== null ? 'call' : 'task'];
}

export function ownerOf(workload: Workload, i: number): number {
  return i % workload.owners;
}

/** How many ledger rows each burn-down phase adds: day 0, day 2, day 5. */
export function phaseTargets(workload: Workload): { day: number; rows: number }[] {
  let email2 = 0;
  for (const plan of workload.plans) {
    if (plan.replyAfterDays === null) email2++;
  }
  return [
    { day: 0, rows: workload.n },
    { day: WAIT_DAYS, rows: email2 },
    { day: WAIT_DAYS + WITHIN_DAYS, rows: 2 * email2 },
  ];
}

export function expectedRows(workload: Workload): number {
  return phaseTargets(workload).reduce((sum, p) => sum + p.rows, 0);
}
