// The sequence as a job-queue team would write it: each step's handler records the step and
// schedules one delayed job for the next step; the condition reads the app's own signal table.

import { DAY_MS, type Mode, REAL_DAY_MS, WAIT_DAYS, WITHIN_DAYS } from '../../workload/workload.js';
import type { StepJob } from '../adapter.js';

export interface FollowUp {
  job: StepJob;
  /** Epoch ms. Burn-down: a real wait (the harness promotes it at its jump); real time: the due time. */
  runAt: number;
}

/** `openedAt`: only read for the condition (same time base as `job.due`). */
export function followUp(
  job: StepJob,
  executedAt: number,
  mode: Mode,
  openedAt: number | null,
): FollowUp | null {
  const day = mode === 'burn' ? DAY_MS : REAL_DAY_MS;
  // Burn-down runs on workload time carried in the job; real time on the clock.
  const base = mode === 'burn' ? job.due : executedAt;
  const after = (days: number, step: StepJob['step']): FollowUp => ({
    job: { i: job.i, step, owner: job.owner, due: base + days * day },
    runAt: mode === 'burn' ? executedAt + days * DAY_MS : executedAt + days * day,
  });
  switch (job.step) {
    case 'email1':
      return after(WAIT_DAYS, 'email2');
    case 'email2':
      return after(WITHIN_DAYS, 'condition');
    case 'condition':
      return { ...after(0, openedAt !== null && openedAt <= job.due ? 'call' : 'task'), runAt: executedAt };
    case 'call':
    case 'task':
      return null;
    default:
      return job.step satisfies never;
  }
}
