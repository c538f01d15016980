// A sequence's statistics (api.md `GET /api/sequences/{id}/stats`), read from counters that are kept as
// things happen, never by scanning history: enrollment counts by status (enrollments_sequence_status_idx,
// index-only) and step_stats summed over versions.
//
// Counter names read from step_stats (a counter nobody writes yet reads as 0):
// - per step: `reached`, `completed`, `skipped`, `failed`, `cancelled` (engine, domain StepCounter);
//   `yes`, `no` and `outcome:<call outcome>` go to `outcomes` (a condition's branches, a call's outcomes);
//   `email_sent`, `email_opened`, `email_clicked`, `email_replied`, `email_bounced` (mail and signals);
// - enrollment level, step id '': `ended:<end reason>` (engine's StatDelta).
//
// `email_sent` is counted by the transition: an automated email when the sender reports it sent, a
// manual one when the seller sends it (`/send`). A manual email step merely completed is not a send.
import type { SequenceDefinition } from '../../domain/definition.js';
import { END_REASONS, type EndReason, zeroCounts } from '../../domain/enrollment.js';
import type { EngineDeps } from '../deps.js';
import { NotFoundError } from '../errors.js';
import { liveSequence, storedVersion } from './stored-sequence.js';

export interface StepStatsView {
  stepId: string;
  reached: number;
  completed: number;
  skipped: number;
  failed: number;
  cancelled: number;
  emailsSent: number;
  opened: number;
  clicked: number;
  replied: number;
  bounced: number;
  /** Call outcomes (`answered`…) and condition branches (`yes`, `no`), by name. */
  outcomes: Record<string, number>;
}

export interface SequenceStatsView {
  /** The version these figures are of, or null for all versions together. */
  version: number | null;
  /** The sequence's versions, oldest first: the ones a client may ask for. */
  versions: number[];
  /** The definition the steps are laid out on (the shown version's), for their names and branches. */
  definition: SequenceDefinition;
  /** Every enrollment ever, whatever its status. */
  enrolled: number;
  active: number;
  paused: number;
  completed: number;
  disconnected: number;
  error: number;
  endReasons: Record<EndReason, number>;
  /** The shown definition's steps in its order, then steps only older versions had. */
  steps: StepStatsView[];
}

const STEP_FIELDS = {
  reached: 'reached',
  completed: 'completed',
  skipped: 'skipped',
  failed: 'failed',
  cancelled: 'cancelled',
  email_sent: 'emailsSent',
  email_opened: 'opened',
  email_clicked: 'clicked',
  email_replied: 'replied',
  email_bounced: 'bounced',
} as const satisfies Record<string, Exclude<keyof StepStatsView, 'stepId' | 'outcomes'>>;

const OUTCOME_PREFIX = 'outcome:';
const ENDED_PREFIX = 'ended:';
/** step_stats' step id for counters about whole enrollments. */
const ENROLLMENT_LEVEL = '';

function emptyStep(stepId: string): StepStatsView {
  return {
    stepId,
    reached: 0,
    completed: 0,
    skipped: 0,
    failed: 0,
    cancelled: 0,
    emailsSent: 0,
    opened: 0,
    clicked: 0,
    replied: 0,
    bounced: 0,
    outcomes: {},
  };
}

/**
 * The figures of every version together (the steps of the active version, or the draft, then steps only
 * older versions had), or of one version (`version`; a version the sequence does not have is a 404).
 */
export async function getSequenceStats(
  deps: EngineDeps,
  id: string,
  version?: number,
): Promise<SequenceStatsView> {
  const sequence = await liveSequence(deps.store, id);
  const versions = (await deps.store.sequences.listVersions(sequence.id))
    .map((v) => v.version)
    .sort((a, b) => a - b);
  if (version !== undefined && !versions.includes(version))
    throw new NotFoundError(`The sequence has no version ${version}.`);
  const shown = await storedVersion(
    deps.store,
    sequence.id,
    version ?? sequence.activeVersion ?? sequence.draftVersion,
  );
  const byStatus = await deps.store.sequenceLifecycle.countEnrollmentsByStatus(sequence.id, version);
  const counters = await deps.store.sequenceLifecycle.stepCounters(sequence.id, version);

  const endReasons = zeroCounts(END_REASONS);
  const steps = new Map<string, StepStatsView>(
    shown.definition.steps.map((step) => [step.id, emptyStep(step.id)]),
  );
  const olderSteps: StepStatsView[] = [];
  for (const { stepId, counter, value } of counters) {
    if (stepId === ENROLLMENT_LEVEL) {
      const reason = counter.slice(ENDED_PREFIX.length);
      if (counter.startsWith(ENDED_PREFIX) && reason in endReasons) endReasons[reason as EndReason] += value;
      continue;
    }
    let step = steps.get(stepId);
    if (step === undefined) {
      step = emptyStep(stepId);
      steps.set(stepId, step);
      olderSteps.push(step);
    }
    if (Object.hasOwn(STEP_FIELDS, counter)) {
      step[STEP_FIELDS[counter as keyof typeof STEP_FIELDS]] += value;
    } else if (counter.startsWith(OUTCOME_PREFIX)) {
      const outcome = counter.slice(OUTCOME_PREFIX.length);
      step.outcomes[outcome] = (step.outcomes[outcome] ?? 0) + value;
    } else if (counter === 'yes' || counter === 'no') {
      step.outcomes[counter] = (step.outcomes[counter] ?? 0) + value;
    }
  }
  olderSteps.sort((a, b) => (a.stepId < b.stepId ? -1 : a.stepId > b.stepId ? 1 : 0));

  return {
    version: version ?? null,
    versions,
    definition: shown.definition,
    enrolled: Object.values(byStatus).reduce((sum, n) => sum + n, 0),
    active: byStatus.active,
    paused: byStatus.paused,
    completed: byStatus.completed,
    disconnected: byStatus.disconnected,
    error: byStatus.error,
    endReasons,
    steps: [
      ...shown.definition.steps.flatMap((step) => {
        const stats = steps.get(step.id);
        return stats === undefined ? [] : [stats];
      }),
      ...olderSteps,
    ],
  };
}
