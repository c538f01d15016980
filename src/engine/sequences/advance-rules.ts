// The activation rules that need other sequences (design.md §4): an `advance_to_sequence` target exists,
// runs (active, or in revision: its active version runs), has the same entity type, and no chain of
// advances leads back. Pure: the caller reads the sequences once, inside its transaction.
import type { EntityType, SequenceDefinition } from '../../domain/definition.js';
import { advanceTargets } from '../../domain/validate-definition.js';
import type { ProblemIssue } from '../errors.js';
import type { RunningSequence, Sequence } from '../ports/store.js';

export const ADVANCE_CODES = [
  'advance_target_missing',
  'advance_target_inactive',
  'advance_target_entity_mismatch',
  'advance_loop',
] as const;

interface Activating {
  id: string;
  name: string;
  entityType: EntityType;
  definition: SequenceDefinition;
}

/**
 * One issue per advance step and broken rule, at `/definition/steps/<i>/sequenceId`.
 * `targets`: the stored rows of `advanceTargets(definition)` (deleted ones included or not);
 * `running`: every live active or revision sequence, with its active version's definition.
 */
export function checkAdvanceTargets(
  activating: Activating,
  targets: readonly Sequence[],
  running: readonly RunningSequence[],
): ProblemIssue[] {
  const targetById = new Map(targets.filter((t) => t.deletedAt === null).map((t) => [t.id, t]));
  const edges = advanceEdges(activating, running);
  const names = new Map<string, string>([
    ...running.map((r) => [r.id, r.name] as const),
    [activating.id, activating.name],
  ]);
  const issues: ProblemIssue[] = [];
  activating.definition.steps.forEach((step, index) => {
    if (step.type !== 'advance_to_sequence' || step.sequenceId.trim() === '') return;
    const at = { stepId: step.id, path: `/definition/steps/${index}/sequenceId` };
    if (step.sequenceId === activating.id) {
      issues.push({ ...at, code: 'advance_loop', message: "A sequence can't move records to itself." });
      return;
    }
    const target = targetById.get(step.sequenceId);
    if (target === undefined) {
      issues.push({
        ...at,
        code: 'advance_target_missing',
        message: `The sequence this step moves records to ("${step.sequenceId}") doesn't exist.`,
      });
      return;
    }
    if (target.status === 'inactive') {
      issues.push({
        ...at,
        code: 'advance_target_inactive',
        message: `"${target.name}" is inactive: activate it first, or choose an active sequence.`,
      });
    }
    if (target.entityType !== activating.entityType) {
      issues.push({
        ...at,
        code: 'advance_target_entity_mismatch',
        message: `"${target.name}" is for ${target.entityType} records; this sequence is for ${activating.entityType} records.`,
      });
    }
    if (target.status === 'inactive') return;
    const chain = pathBack(step.sequenceId, activating.id, edges);
    if (chain !== null) {
      const shown = [activating.id, ...chain].map((id) => `"${names.get(id) ?? id}"`).join(' → ');
      issues.push({
        ...at,
        code: 'advance_loop',
        message: `Records would go round in a loop: ${shown}.`,
      });
    }
  });
  return issues;
}

/** The running sequences (other than `excludeId`) whose active version moves records to `targetId`. */
export function sourcesAdvancingTo(
  targetId: string,
  running: readonly RunningSequence[],
  excludeId: string = targetId,
): RunningSequence[] {
  return running.filter((r) => r.id !== excludeId && advanceTargets(r.definition).includes(targetId));
}

/** Who advances to whom once `activating` runs its new definition (its old active version replaced). */
function advanceEdges(activating: Activating, running: readonly RunningSequence[]): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const r of running) edges.set(r.id, advanceTargets(r.definition));
  edges.set(activating.id, advanceTargets(activating.definition));
  return edges;
}

/** The chain of ids from `from` to `to` along the edges (breadth first: the shortest), or null. */
function pathBack(from: string, to: string, edges: Map<string, string[]>): string[] | null {
  const parent = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head] as string;
    if (id === to) {
      const chain: string[] = [];
      for (let at: string | null | undefined = id; at != null; at = parent.get(at)) chain.unshift(at);
      return chain;
    }
    for (const next of edges.get(id) ?? []) {
      if (!parent.has(next)) {
        parent.set(next, id);
        queue.push(next);
      }
    }
  }
  return null;
}
