// Use case: a manager picks a built-in template from the gallery and gets a new inactive sequence holding
// its definition, with the template's emails created as real, editable email templates.
import { builtInTemplateRef, findSequenceTemplate, replaceTemplateIds } from '../domain/templates/index.js';
import type { EngineDeps } from './deps.js';
import { type EmailTemplate, type Sequence, StoreConflictError } from './ports/store.js';

export class UnknownSequenceTemplateError extends Error {
  override readonly name = 'UnknownSequenceTemplateError';
}

export interface SequenceFromTemplateInput {
  key: string;
  ownerId: string;
  name?: string | undefined;
}

export async function createSequenceFromTemplate(
  deps: EngineDeps,
  input: SequenceFromTemplateInput,
): Promise<Sequence> {
  const template = findSequenceTemplate(input.key);
  if (template === undefined) throw new UnknownSequenceTemplateError(`No sequence template "${input.key}".`);
  try {
    return await fromTemplate(deps, input, template);
  } catch (error) {
    // The first uses of a template at once (a double click): both found no copy of a built-in email and
    // one inserted it first (email_templates_builtin_key_key). Once more, this one reuses that copy.
    if (error instanceof StoreConflictError && error.reason === 'builtin_key_taken')
      return fromTemplate(deps, input, template);
    throw error;
  }
}

function fromTemplate(
  deps: EngineDeps,
  input: SequenceFromTemplateInput,
  template: NonNullable<ReturnType<typeof findSequenceTemplate>>,
): Promise<Sequence> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    // Built-in emails are shared: using a template twice reuses the copies made the first time
    // (a manager may have improved them since).
    const idsByRef = new Map<string, string>();
    for (const email of template.emailTemplates) {
      const builtinKey = `${template.key}/${email.key}`;
      const existing: EmailTemplate | null = await tx.emailTemplates.getByBuiltinKey(builtinKey);
      const stored =
        existing ??
        (await tx.emailTemplates.create({
          id: deps.ids.newId('tpl'),
          name: email.name,
          subject: email.subject,
          body: email.body,
          entityType: template.entityType,
          ownerId: input.ownerId,
          builtinKey,
          createdAt: now,
        }));
      idsByRef.set(builtInTemplateRef(template.key, email.key), stored.id);
    }
    return tx.sequences.create({
      id: deps.ids.newId('seq'),
      name: input.name?.trim() || template.name,
      description: template.description,
      entityType: template.entityType,
      ownerId: input.ownerId,
      tags: ['template'],
      definition: replaceTemplateIds(template.definition, idsByRef),
      createdAt: now,
    });
  });
}
