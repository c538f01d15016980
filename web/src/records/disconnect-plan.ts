// Disconnecting several records from their sequences: the API disconnects per sequence, so the selection
// is grouped by the sequence each record runs in, and the answers are read back as one result per record.
import type { CrmRecord, DisconnectAnswer } from '../api/types.js';

export interface DisconnectPlan {
  /** Record ids by the sequence they run in. */
  bySequence: Map<string, string[]>;
  /** Records that run in no sequence: nothing to do. */
  notOnSequence: string[];
}

export function planDisconnect(records: readonly CrmRecord[]): DisconnectPlan {
  const bySequence = new Map<string, string[]>();
  const notOnSequence: string[] = [];
  for (const record of records) {
    const sequenceId = record.currentSequence?.id;
    if (sequenceId === undefined) notOnSequence.push(record.id);
    else bySequence.set(sequenceId, [...(bySequence.get(sequenceId) ?? []), record.id]);
  }
  return { bySequence, notOnSequence };
}

export type RecordResult = { recordId: string; ok: true } | { recordId: string; ok: false; message: string };

/** One result per planned record, in the order of `records`. */
export function disconnectResults(
  records: readonly CrmRecord[],
  plan: DisconnectPlan,
  answers: ReadonlyMap<string, DisconnectAnswer | { error: string }>,
): RecordResult[] {
  const outcome = new Map<string, RecordResult>();
  for (const id of plan.notOnSequence)
    outcome.set(id, { recordId: id, ok: false, message: 'is not on a sequence.' });
  for (const [sequenceId, ids] of plan.bySequence) {
    const answer = answers.get(sequenceId);
    for (const id of ids) {
      if (answer === undefined) outcome.set(id, { recordId: id, ok: false, message: 'was not sent.' });
      else if ('error' in answer) outcome.set(id, { recordId: id, ok: false, message: answer.error });
      else if (answer.disconnected.includes(id)) outcome.set(id, { recordId: id, ok: true });
      else
        outcome.set(id, {
          recordId: id,
          ok: false,
          message: 'was no longer running in the sequence (or is not yours to disconnect).',
        });
    }
  }
  return records.flatMap((r) => {
    const result = outcome.get(r.id);
    return result === undefined ? [] : [result];
  });
}
