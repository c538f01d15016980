// Bulk email: several records on the same manual email step of the same sequence are sent in one go.
// Which selections qualify, and in words why not when they don't.
import type { WorkItem } from '../api/types.js';

export type BulkEligibility =
  | { ok: true; sequenceId: string; stepId: string; templateId: string | null }
  | { ok: false; reason: string };

export function bulkEmailEligibility(selected: readonly WorkItem[]): BulkEligibility {
  const [first] = selected;
  if (first === undefined) return { ok: false, reason: 'Select the email steps to send.' };
  if (selected.length < 2) return { ok: false, reason: 'Select at least two email steps.' };
  if (selected.some((i) => i.step.type !== 'email'))
    return { ok: false, reason: 'Only email steps can be sent together.' };
  if (selected.some((i) => i.state !== 'open'))
    return { ok: false, reason: 'Some selected steps are not open yet (snoozed or scheduled).' };
  if (selected.some((i) => i.sequence.id !== first.sequence.id))
    return { ok: false, reason: 'The selected steps belong to different sequences.' };
  if (selected.some((i) => i.step.id !== first.step.id))
    return { ok: false, reason: 'The selected steps are different steps of the sequence.' };
  return {
    ok: true,
    sequenceId: first.sequence.id,
    stepId: first.step.id,
    templateId: first.step.templateId ?? null,
  };
}

/** Whether an item may join the current selection (so the other cards can say they can't). */
export function canJoinBulk(selected: readonly WorkItem[], item: WorkItem): boolean {
  if (item.step.type !== 'email' || item.state !== 'open') return false;
  const [first] = selected;
  return first === undefined || (first.sequence.id === item.sequence.id && first.step.id === item.step.id);
}

/**
 * The due emails among those shown that "Select all" takes: the ones that may join the selection; with
 * nothing selected yet, those of the first shown open email's step (only one step goes out together).
 */
export function selectAllCandidates(shown: readonly WorkItem[], selected: readonly WorkItem[]): WorkItem[] {
  const anchor = selected[0] ?? shown.find((i) => i.step.type === 'email' && i.state === 'open');
  if (anchor === undefined) return [];
  return shown.filter((item) => canJoinBulk([anchor], item));
}

export type BulkResult = { id: string; ok: true } | { id: string; ok: false; error: unknown };

/**
 * Runs `send` once per id, at most `concurrency` at a time, reporting each result as it comes; a failure
 * does not stop the others. Answers every result in the order of `ids`.
 */
export async function sendEach(
  ids: readonly string[],
  send: (id: string) => Promise<unknown>,
  onResult: (result: BulkResult) => void,
  concurrency = 3,
): Promise<BulkResult[]> {
  const results = new Map<string, BulkResult>();
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++] as string;
      let result: BulkResult;
      try {
        await send(id);
        result = { id, ok: true };
      } catch (error) {
        result = { id, ok: false, error };
      }
      results.set(id, result);
      onResult(result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, ids.length)) }, worker));
  return ids.map((id) => results.get(id) as BulkResult);
}
