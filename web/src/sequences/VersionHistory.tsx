// Version history: each published version, when it went live and how many records run on it, and its
// steps as they ran (View steps: a read-only drawing of that version's flow, GET …/versions/{version}),
// so a manager can see what the records still on an old version are doing.

import type { SequenceDefinition } from '@domain/definition.js';
import { useState } from 'react';
import type { Sequence, SequenceVersion } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { DesignerPreview } from '../designer/components/DesignerPreview.js';
import { stepSubtitle, stepTitle } from '../designer/describe-step.js';
import { Dialog } from '../ui/Dialog.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { useResource } from '../ui/use-resource.js';
import { stepsInFlowOrder } from './flow-order.js';
import { formatDate } from './SequencesPage.js';
import { days, steps } from './sequence-labels.js';

export function VersionHistory({ sequence }: { sequence: Sequence }) {
  const api = useApi();
  const versions = useResource(
    () => api.sequences.versions(sequence.id),
    [api, sequence.id, sequence.version],
  );
  const [shown, setShown] = useState<SequenceVersion | null>(null);
  if (versions.status === 'loading') return <Loading label="Loading versions…" />;
  if (versions.status === 'error') return <ErrorState error={versions.error} onRetry={versions.reload} />;
  if (versions.data.length === 0)
    return <Empty title="Not activated yet">Each activation publishes a version.</Empty>;
  return (
    <>
      <ol className="versions">
        {[...versions.data]
          .sort((a, b) => b.version - a.version)
          .map((v) => (
            <li key={v.version} className="version">
              <span className="version-number">Version {v.version}</span>
              <span className="muted">
                {v.activatedAt ? `Activated ${formatDate(v.activatedAt)}` : 'Not activated'} ·{' '}
                {v.enrolledCount ?? 0} record{v.enrolledCount === 1 ? '' : 's'}
              </span>
              {v.description && <p>{v.description}</p>}
              <button
                type="button"
                className="button button-small"
                aria-label={`View the steps of version ${v.version}`}
                onClick={() => setShown(v)}
              >
                View steps
              </button>
            </li>
          ))}
      </ol>
      {shown !== null && (
        <VersionStepsDialog sequence={sequence} version={shown} onClose={() => setShown(null)} />
      )}
    </>
  );
}

function VersionStepsDialog({
  sequence,
  version,
  onClose,
}: {
  sequence: Sequence;
  version: SequenceVersion;
  onClose: () => void;
}) {
  const api = useApi();
  const detail = useResource(
    () => api.sequences.version(sequence.id, version.version),
    [api, sequence.id, version.version],
  );
  // New connections get the active version; a draft (inactive, or a revision) is the one being edited.
  const current =
    version.version === sequence.activeVersion
      ? ' (active)'
      : version.version === sequence.version && sequence.status !== 'active'
        ? ' (draft)'
        : '';
  return (
    <Dialog
      title={`${sequence.name}: version ${version.version}${current}`}
      open
      onClose={onClose}
      size="large"
    >
      {detail.status === 'loading' && <Loading label="Loading the version…" />}
      {detail.status === 'error' && <ErrorState error={detail.error} onRetry={detail.reload} />}
      {detail.status === 'ok' && (
        <div className="version-steps">
          <p className="muted">
            {steps(detail.data.summary.stepCount)} · {days(detail.data.summary.durationDays)} ·{' '}
            {detail.data.enrolledCount ?? 0} record{detail.data.enrolledCount === 1 ? '' : 's'} running on it
            {detail.data.activatedAt ? ` · activated ${formatDate(detail.data.activatedAt)}` : ''}
          </p>
          {detail.data.description && <p>{detail.data.description}</p>}
          <div className="version-steps-body">
            <DesignerPreview
              definition={detail.data.definition}
              label={`Flow of version ${version.version}`}
            />
            <StepList definition={detail.data.definition} label={`Steps of version ${version.version}`} />
          </div>
        </div>
      )}
    </Dialog>
  );
}

/** The steps in reading order, in words: the drawing of a long flow is too small to read. */
function StepList({ definition, label }: { definition: SequenceDefinition; label: string }) {
  const byId = new Map(definition.steps.map((step) => [step.id, step]));
  const nameOf = (id: string) => {
    const step = byId.get(id);
    return step === undefined ? id : stepTitle(step);
  };
  return (
    <ol className="version-step-list" aria-label={label}>
      {stepsInFlowOrder(definition).map(({ step, branch }) => {
        const title = stepTitle(step);
        const subtitle = stepSubtitle(step, nameOf);
        return (
          <li key={step.id}>
            <span className="version-step-title">{title}</span>
            {subtitle !== title && <span className="muted"> · {subtitle}</span>}
            {branch.length > 0 && <span className="version-step-branch"> ({branch.join(' › ')})</span>}
          </li>
        );
      })}
    </ol>
  );
}
