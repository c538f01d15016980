// Which of Pause or Resume a sequence run offers the signed-in user: a running (active) one can pause, a
// paused one can resume; a salesperson only on runs of their own records, a manager on any (as the API's
// ownership check allows).
import type { RecordEnrollment, Role } from '../api/types.js';

export type RunControl = 'pause' | 'resume';

export function runControlFor(
  run: Pick<RecordEnrollment, 'status' | 'ownerId'>,
  viewer: { id: string; role: Role } | undefined,
): RunControl | null {
  if (viewer === undefined) return null;
  if (viewer.role === 'salesperson' && run.ownerId !== viewer.id) return null;
  if (run.status === 'active') return 'pause';
  if (run.status === 'paused') return 'resume';
  return null;
}
