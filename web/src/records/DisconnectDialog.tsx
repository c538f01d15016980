// "Disconnect sequence": ends the selected records' running enrollments (end reason user_disconnected),
// one request per sequence, and shows the result per record.
import { useState } from 'react';
import type { CrmRecord, DisconnectAnswer } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { Dialog } from '../ui/Dialog.js';
import { problemText } from '../ui/problem-text.js';
import { disconnectResults, planDisconnect, type RecordResult } from './disconnect-plan.js';

export function DisconnectDialog({
  records,
  onClose,
}: {
  records: CrmRecord[];
  onClose: (changed: boolean) => void;
}) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<RecordResult[] | null>(null);
  const plan = planDisconnect(records);
  const onSequence = records.filter((r) => r.currentSequence);
  const nameOf = (id: string) => records.find((r) => r.id === id)?.name ?? id;
  const disconnect = async () => {
    setBusy(true);
    const answers = new Map<string, DisconnectAnswer | { error: string }>();
    for (const [sequenceId, ids] of plan.bySequence) {
      try {
        answers.set(sequenceId, await api.enrollment.disconnectRecords(sequenceId, ids));
      } catch (error) {
        answers.set(sequenceId, { error: problemText(error) });
      }
    }
    setResults(disconnectResults(records, plan, answers));
    setBusy(false);
  };
  const close = () => onClose((results ?? []).some((r) => r.ok));
  const title = records.length === 1 ? 'Disconnect from sequence' : 'Disconnect sequence';
  return (
    <Dialog
      title={title}
      open
      onClose={busy ? () => undefined : close}
      size="small"
      footer={
        results === null ? (
          <>
            <button type="button" className="button" onClick={close} disabled={busy}>
              Cancel
            </button>
            <button
              type="button"
              className="button button-danger"
              onClick={disconnect}
              disabled={busy || onSequence.length === 0}
            >
              {busy ? 'Disconnecting…' : 'Disconnect'}
            </button>
          </>
        ) : (
          <button type="button" className="button button-primary" onClick={close}>
            Done
          </button>
        )
      }
    >
      {results === null ? (
        <>
          {onSequence.length === 0 ? (
            <p>None of the selected records runs in a sequence.</p>
          ) : (
            <p>
              {onSequence.length === 1
                ? `${onSequence[0]?.name} stops running “${onSequence[0]?.currentSequence?.name}”.`
                : `${onSequence.length} records stop running their sequences.`}{' '}
              Their open steps leave the work list, and they can be connected to another sequence.
            </p>
          )}
          {plan.notOnSequence.length > 0 && onSequence.length > 0 && (
            <p className="muted">
              {plan.notOnSequence.length} selected record{plan.notOnSequence.length === 1 ? ' is' : 's are'}{' '}
              not on a sequence.
            </p>
          )}
        </>
      ) : (
        <div role="status">
          <p>
            Disconnected {results.filter((r) => r.ok).length} of {records.length} record
            {records.length === 1 ? '' : 's'}.
          </p>
          <ul className="result-list">
            {results.map((r) => (
              <li key={r.recordId} className={r.ok ? 'result-ok' : 'result-failed'}>
                <strong>{nameOf(r.recordId)}</strong>
                {r.ok ? ': disconnected' : ` ${r.message}`}
              </li>
            ))}
          </ul>
        </div>
      )}
    </Dialog>
  );
}
