// Connected records: who is on the sequence, how far, on which version; select some and disconnect them.
import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { Sequence } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { stepTitle } from '../designer/describe-step.js';
import { ENTITY_PATHS } from '../records/record-types.js';
import { Dialog } from '../ui/Dialog.js';
import { Empty, ErrorState, FormError, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';

export function ConnectedRecords({ sequence }: { sequence: Sequence }) {
  const api = useApi();
  const enrollments = useResource(() => api.enrollments.ofSequence(sequence.id), [api, sequence.id]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const stepName = (id: string | null | undefined) => {
    const step = sequence.definition.steps.find((s) => s.id === id);
    return step === undefined ? '—' : stepTitle(step);
  };
  const toggle = (recordId: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(recordId)) next.delete(recordId);
      else next.add(recordId);
      return next;
    });

  const disconnect = async () => {
    setConfirming(false);
    setError(null);
    try {
      await api.enrollments.disconnect(sequence.id, [...selected]);
      setSelected(new Set());
      enrollments.reload();
    } catch (caught) {
      setError(caught);
    }
  };

  if (enrollments.status === 'loading' && enrollments.data === undefined)
    return <Loading label="Loading connected records…" />;
  if (enrollments.status === 'error')
    return <ErrorState error={enrollments.error} onRetry={enrollments.reload} />;
  const items = enrollments.data?.items ?? [];
  const recordsPath = `/records/${ENTITY_PATHS[sequence.entityType]}`;
  return (
    <div>
      <div className="toolbar">
        <button
          type="button"
          className="button button-danger"
          disabled={selected.size === 0}
          onClick={() => setConfirming(true)}
        >
          Disconnect{selected.size > 0 ? ` (${selected.size})` : ''}
        </button>
        {sequence.status === 'active' && (
          <Link className="button" to={recordsPath}>
            + Connect records
          </Link>
        )}
      </div>
      <FormError error={error} />
      {items.length === 0 ? (
        <Empty title="No records are connected">
          {sequence.status === 'active'
            ? 'Connect records from their list: select them and choose Connect sequence.'
            : 'Activate the sequence to connect records to it.'}
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Select</span>
                </th>
                <th scope="col">Record</th>
                <th scope="col">Status</th>
                <th scope="col">Current step</th>
                <th scope="col">Days elapsed</th>
                <th scope="col">Version</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id}>
                  <td>
                    <input
                      type="checkbox"
                      checked={selected.has(e.recordId)}
                      onChange={() => toggle(e.recordId)}
                      aria-label={`Select ${e.record?.name ?? e.recordId}`}
                    />
                  </td>
                  <td>
                    <Link to={`${recordsPath}/${encodeURIComponent(e.recordId)}`}>
                      {e.record?.name ?? e.recordId}
                    </Link>
                  </td>
                  <td>{e.status}</td>
                  <td>{stepName(e.currentStepId)}</td>
                  <td>{daysSince(e.startedAt ?? e.createdAt)}</td>
                  <td>{e.sequenceVersion}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog
        title="Disconnect the selected records?"
        open={confirming}
        onClose={() => setConfirming(false)}
        size="small"
        footer={
          <>
            <button type="button" className="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
            <button type="button" className="button button-danger" onClick={disconnect}>
              Disconnect
            </button>
          </>
        }
      >
        <p>
          {selected.size} record{selected.size === 1 ? '' : 's'} will leave this sequence; their open steps
          are cancelled.
        </p>
      </Dialog>
    </div>
  );
}

function daysSince(iso: string | undefined): string {
  if (iso === undefined) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '—';
  return String(Math.max(0, Math.floor((Date.now() - ms) / 86_400_000)));
}
