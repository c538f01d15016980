// The workload as a Stepwise sequence: two automated emails, a wait, a signal condition, a call.
// Working hours off, so every system runs on the same plain clock; exit on reply on.
import type { Mode } from '../../workload/workload.js';

/** The template both emails name (stepwise-controller.ts creates it). */
export const BENCH_TEMPLATE_ID = 'tpl_peers';

export function stepwiseDefinition(mode: Mode): unknown {
  const wait = mode === 'burn' ? 'P2D' : 'PT2S';
  const within = mode === 'burn' ? 'P3D' : 'PT3S';
  return {
    start: 'email1',
    options: { exitOnReply: true, workingHours: 'none', skipNonWorkingDays: false, tracking: true },
    steps: [
      { id: 'email1', type: 'automated_email', name: 'Intro', templateId: BENCH_TEMPLATE_ID, next: 'wait' },
      { id: 'wait', type: 'wait', duration: wait, next: 'email2' },
      {
        id: 'email2',
        type: 'automated_email',
        name: 'Follow-up',
        templateId: BENCH_TEMPLATE_ID,
        next: 'condition',
      },
      {
        id: 'condition',
        type: 'condition',
        if: { signal: 'email_opened', step: 'email2' },
        within,
        yes: 'call',
        no: 'task',
      },
      { id: 'call', type: 'phone_call', name: 'Call' },
      { id: 'task', type: 'task', name: 'Nurture later' },
    ],
  };
}
