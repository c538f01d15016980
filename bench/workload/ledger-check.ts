// The correctness check every run must pass before its numbers count: exactly one ledger row per
// step that should run, none for steps after an exit, none before its due time. Also computes the
// lateness of each step (executed − due) for the real-time mode.
import {
  expectedSteps,
  LEDGER_STEPS,
  type LedgerStep,
  WAIT_DAYS,
  WITHIN_DAYS,
  type Workload,
} from './workload.js';

/** One executed step; `at` in workload milliseconds (0 = the run's start). */
export interface LedgerRow {
  i: number;
  step: LedgerStep;
  at: number;
}

export interface LedgerCheck {
  ok: boolean;
  rows: number;
  duplicates: number;
  misses: number;
  /** Rows for steps that must not run (after an exit, the `no` branch's call). */
  extras: number;
  /** Rows executed before their due time. */
  early: number;
  /** Executed − due per row (ms of the workload's clock), where the due time is known. */
  lateness: number[];
  /** The first few problems, readable. */
  problems: string[];
}

/**
 * `dayMs`: the length of a workload day in the rows' time base; `email1Due(i)`: when the first step
 * fell due; `toleranceMs`: clock rounding between the database's and Node's time (real time only).
 */
export function checkLedger(
  workload: Workload,
  rows: readonly LedgerRow[],
  dayMs: number,
  email1Due: (i: number) => number,
  toleranceMs = 0,
  /** Enrollments whose signal the harness itself injected too late to count (real time under load). */
  excluded: ReadonlySet<number> = new Set(),
): LedgerCheck {
  const seen: Map<LedgerStep, number>[] = Array.from({ length: workload.n }, () => new Map());
  const problems: string[] = [];
  const note = (text: string) => {
    if (problems.length < 10) problems.push(text);
  };
  let duplicates = 0;
  let extras = 0;
  for (const row of rows) {
    const steps = seen[row.i];
    if (steps === undefined) {
      extras++;
      note(`row for unknown enrollment ${row.i}`);
      continue;
    }
    const first = steps.get(row.step);
    if (first !== undefined && !excluded.has(row.i)) {
      duplicates++;
      note(`enrollment ${row.i}: ${row.step} ran twice`);
      steps.set(row.step, Math.min(first, row.at));
    } else steps.set(row.step, row.at);
  }
  let misses = 0;
  let early = 0;
  const lateness: number[] = [];
  for (let i = 0; i < workload.n; i++) {
    if (excluded.has(i)) continue;
    const steps = seen[i] as Map<LedgerStep, number>;
    const expected = new Set(expectedSteps(workload.plans[i] as Workload['plans'][number]));
    for (const step of LEDGER_STEPS) {
      const at = steps.get(step);
      if (expected.has(step) && at === undefined) {
        misses++;
        note(`enrollment ${i}: ${step} never ran`);
      }
      if (!expected.has(step) && at !== undefined) {
        extras++;
        note(`enrollment ${i}: ${step} ran but must not`);
      }
      if (at === undefined) continue;
      const due = dueOf(step, i, steps, dayMs, email1Due);
      if (due === null) continue;
      if (at + toleranceMs < due) {
        early++;
        note(`enrollment ${i}: ${step} ran ${due - at} ms before its due time`);
      }
      lateness.push(Math.max(0, at - due));
    }
  }
  const ok = duplicates === 0 && misses === 0 && extras === 0 && early === 0;
  return { ok, rows: rows.length, duplicates, misses, extras, early, lateness, problems };
}

function dueOf(
  step: LedgerStep,
  i: number,
  steps: Map<LedgerStep, number>,
  dayMs: number,
  email1Due: (i: number) => number,
): number | null {
  const after = (previous: LedgerStep, days: number) => {
    const at = steps.get(previous);
    return at === undefined ? null : at + days * dayMs;
  };
  switch (step) {
    case 'email1':
      return email1Due(i);
    case 'email2':
      return after('email1', WAIT_DAYS);
    case 'condition':
      return after('email2', WITHIN_DAYS);
    case 'call':
    case 'task':
      return after('condition', 0);
    default:
      return step satisfies never;
  }
}
