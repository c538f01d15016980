// "Connect to": the active sequences of the same record type, other than this one.
import { useApi } from '../../app/api-context.js';
import { useResource } from '../../ui/use-resource.js';
import { useDesignerEnvironment } from '../designer-context.js';

export function AdvanceTargetSelect({
  value,
  onChange,
  disabled,
}: {
  value: string;
  onChange: (sequenceId: string) => void;
  disabled: boolean;
}) {
  const api = useApi();
  const { sequenceId, entityType } = useDesignerEnvironment();
  const sequences = useResource((signal) => api.sequences.all({ status: 'active' }, signal), [api]);
  const targets = (sequences.data ?? []).filter((s) => s.entityType === entityType && s.id !== sequenceId);
  return (
    <label className="field">
      <span className="field-label">Connect to</span>
      <select
        value={value}
        disabled={disabled || sequences.status !== 'ok'}
        onChange={(e) => onChange(e.target.value)}
      >
        <option value="">
          {sequences.status === 'loading' ? 'Loading sequences…' : 'Choose an active sequence'}
        </option>
        {value !== '' && !targets.some((t) => t.id === value) && <option value={value}>{value}</option>}
        {targets.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
      {sequences.status === 'error' && (
        <span className="field-error">{(sequences.error as Error).message}</span>
      )}
      {sequences.status === 'ok' && targets.length === 0 && (
        <span className="field-hint">No other active sequence is for this record type.</span>
      )}
    </label>
  );
}
