// Email templates as sequences use them: a sequence may activate only with templates that exist, and a
// template may be deleted only when no running sequence sends it. Without these, a step naming a missing
// template failed at send time ("email template … no longer exists") while its enrollment went on.
import type { EntityType, SequenceDefinition } from '../../domain/definition.js';
import type { EngineDeps } from '../deps.js';
import { ConflictError, NotFoundError, type ProblemIssue } from '../errors.js';
import type { EmailTemplate, Store } from '../ports/store.js';

function templateIds(definition: SequenceDefinition): Set<string> {
  const ids = new Set<string>();
  for (const step of definition.steps)
    if ((step.type === 'email' || step.type === 'automated_email') && step.templateId !== undefined)
      ids.add(step.templateId);
  return ids;
}

/**
 * One issue per email step whose template does not exist (`template_not_found`), or is made for another
 * record type than the sequence's (`template_wrong_type`: its merge fields name that type's fields, as a
 * Dynamics template of one entity is offered only for that entity; a template without a type fits all),
 * at `/definition/steps/<i>/templateId`.
 */
export async function checkTemplates(
  store: Store,
  definition: SequenceDefinition,
  entityType: EntityType,
): Promise<ProblemIssue[]> {
  const found = new Map<string, EmailTemplate | null>();
  for (const id of templateIds(definition)) found.set(id, await store.emailTemplates.get(id));
  const issues: ProblemIssue[] = [];
  definition.steps.forEach((step, index) => {
    if ((step.type !== 'email' && step.type !== 'automated_email') || step.templateId === undefined) return;
    const template = found.get(step.templateId);
    const path = `/definition/steps/${index}/templateId`;
    if (template === null || template === undefined)
      issues.push({
        code: 'template_not_found',
        stepId: step.id,
        path,
        message: `The email template of this step ("${step.templateId}") doesn't exist: choose another.`,
      });
    else if (template.entityType !== null && template.entityType !== entityType)
      issues.push({
        code: 'template_wrong_type',
        stepId: step.id,
        path,
        message: `The email template "${template.name}" is for ${template.entityType} records; this sequence is for ${entityType} records: choose another.`,
      });
  });
  return issues;
}

/**
 * The running sequences (active, or in revision) that send `templateId`: from their active version, or
 * from an older version that records still run (a revised sequence; its running versions are read only
 * when the active one does not use the template).
 */
export async function sequencesUsingTemplate(
  store: Store,
  templateId: string,
): Promise<{ id: string; name: string; entityType: EntityType }[]> {
  const using: { id: string; name: string; entityType: EntityType }[] = [];
  for (const sequence of await store.sequenceLifecycle.listRunning()) {
    const user = { id: sequence.id, name: sequence.name, entityType: sequence.entityType };
    if (templateIds(sequence.definition).has(templateId)) {
      using.push(user);
      continue;
    }
    if (sequence.activeVersion === 1) continue;
    const running = await store.sequenceLifecycle.countRunningEnrollmentsByVersion(sequence.id);
    const older = [...running.keys()].filter((v) => v !== sequence.activeVersion);
    if (older.length === 0) continue;
    const versions = await store.sequenceLifecycle.getVersions(
      older.map((version) => ({ sequenceId: sequence.id, version })),
    );
    if (versions.some((v) => templateIds(v.definition).has(templateId))) using.push(user);
  }
  return using;
}

/** Deletes a template no running sequence sends; 409 `template_in_use` naming those that do. */
export async function deleteEmailTemplate(deps: EngineDeps, id: string): Promise<void> {
  if ((await deps.store.emailTemplates.get(id)) === null) throw new NotFoundError('No such email template.');
  const using = await sequencesUsingTemplate(deps.store, id);
  if (using.length > 0) {
    const names = using.map((s) => `"${s.name}"`).join(', ');
    throw new ConflictError(
      'template_in_use',
      `${using.length === 1 ? 'A running sequence sends' : `${using.length} running sequences send`} this template (${names}): choose another template in ${using.length === 1 ? 'it' : 'them'}, or deactivate ${using.length === 1 ? 'it' : 'them'}, first.`,
    );
  }
  if (!(await deps.store.emailTemplates.delete(id))) throw new NotFoundError('No such email template.');
}

/**
 * 409 `template_in_use` when a template a running sequence of another record type sends would be made for
 * `entityType` only: the rule activation keeps (`template_wrong_type`), kept while it runs too.
 */
export async function checkTemplateTypeChange(
  store: Store,
  templateId: string,
  entityType: EntityType | null,
): Promise<void> {
  if (entityType === null) return;
  const others = (await sequencesUsingTemplate(store, templateId)).filter((s) => s.entityType !== entityType);
  if (others.length === 0) return;
  const names = others.map((s) => `"${s.name}" (${s.entityType})`).join(', ');
  throw new ConflictError(
    'template_in_use',
    `Running sequences for other record types send this template (${names}): it can't be made for ${entityType} records only while they do.`,
  );
}
