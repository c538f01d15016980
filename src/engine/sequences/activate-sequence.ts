// Use case: activate a sequence (inactive -> active), or publish its revision (revision -> active).
// Activation freezes the draft version: new connections get it, running enrollments stay on theirs.
// Race-safe: the status lock (lockStatusChanges) serialises activations, deactivations and deletions, so
// two activations at the limit, or an activation and the deactivation of its advance target, can't both pass.
import { validateForActivation } from '../../domain/validate-definition.js';
import type { EngineDeps } from '../deps.js';
import { ConflictError, type ProblemIssue, ValidationFailedError } from '../errors.js';
import { checkAdvanceTargets } from './advance-rules.js';
import { type SequenceView, viewOf } from './sequence-view.js';
import { type ActingUser, auditSequence, lockLiveSequence, storedVersion } from './stored-sequence.js';
import { checkTemplates } from './template-usage.js';

export interface ActivateSequenceInput {
  /** Kept on the version (api.md's versions list). */
  versionDescription?: string | undefined;
}

export async function activateSequence(
  deps: EngineDeps,
  actor: ActingUser,
  id: string,
  input: ActivateSequenceInput = {},
): Promise<SequenceView> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    await tx.sequenceLifecycle.lockStatusChanges();
    const sequence = await lockLiveSequence(tx, id);
    if (sequence.status === 'active') {
      throw new ConflictError('sequence_active', `"${sequence.name}" is already active.`);
    }
    const draft = await storedVersion(tx, sequence.id, sequence.draftVersion);

    const targets = await tx.sequences.getMany(
      draft.definition.steps.flatMap((step) =>
        step.type === 'advance_to_sequence' ? [step.sequenceId] : [],
      ),
    );
    const running = await tx.sequenceLifecycle.listRunning();
    const issues: ProblemIssue[] = [
      ...validateForActivation(draft.definition).map((issue) => ({
        ...issue,
        path: `/definition${issue.path}`,
      })),
      ...checkAdvanceTargets(
        {
          id: sequence.id,
          name: sequence.name,
          entityType: sequence.entityType,
          definition: draft.definition,
        },
        targets,
        running,
      ),
      ...(await checkTemplates(tx, draft.definition, sequence.entityType)),
    ];
    if (issues.length > 0) {
      throw new ValidationFailedError(
        issues.length === 1
          ? 'Sequence is not valid: 1 problem.'
          : `Sequence is not valid: ${issues.length} problems.`,
        issues,
      );
    }

    // A sequence in revision already runs (and is counted): publishing its new version adds none.
    if (sequence.status === 'inactive') {
      const limit = deps.settings.maxActiveSequences;
      if ((await tx.sequences.countActive()) >= limit) {
        throw new ConflictError(
          'active_limit_reached',
          `At most ${limit} sequences can be active at a time; deactivate one before activating "${sequence.name}".`,
        );
      }
    }

    await tx.sequences.updateVersion(sequence.id, draft.version, {
      // Re-activating a version activated before (deactivated without edits) keeps its first activation time.
      ...(draft.activatedAt === null ? { activatedAt: now } : {}),
      ...(input.versionDescription === undefined ? {} : { description: input.versionDescription }),
    });
    const activated = await tx.sequences.update(
      sequence.id,
      { status: 'active', activeVersion: draft.version, draftVersion: draft.version },
      now,
    );
    await auditSequence(tx, deps, actor, 'sequence.activated', sequence.id, now, {
      version: draft.version,
      previousVersion: sequence.activeVersion,
      from: sequence.status,
    });
    return viewOf(tx, activated ?? sequence);
  });
}
