// What a built-in sequence template is, and the `builtin:` references its email steps carry until the
// engine turns the template's emails into real email templates and rewrites the ids.
import type { EmailStep, EntityType, SequenceDefinition, Step } from '../definition.js';

/** Email copy shipped with a template; subject and body are LiquidJS with the usual merge fields. */
export interface BuiltInEmailTemplate {
  /** Unique within its sequence template (`missed-meeting`). */
  readonly key: string;
  readonly name: string;
  readonly subject: string;
  /** Plain text, paragraphs separated by a blank line; the mail layer makes the HTML. */
  readonly body: string;
}

export interface SequenceTemplate {
  /** Stable, used in `/api/sequence-templates/{key}/use`. */
  readonly key: string;
  readonly name: string;
  readonly entityType: EntityType;
  readonly description: string;
  /** Email steps point at `builtin:<template key>/<email key>` (see {@link builtInTemplateRef}). */
  readonly definition: SequenceDefinition;
  readonly emailTemplates: readonly BuiltInEmailTemplate[];
}

const BUILTIN_PREFIX = 'builtin:';

/** `builtin:follow-up-no-show/missed-meeting`: how a template's email step names one of its emails. */
export function builtInTemplateRef(templateKey: string, emailKey: string): string {
  return `${BUILTIN_PREFIX}${templateKey}/${emailKey}`;
}

export function parseBuiltInTemplateRef(ref: string): { templateKey: string; emailKey: string } | undefined {
  if (!ref.startsWith(BUILTIN_PREFIX)) return undefined;
  const [templateKey, emailKey, ...rest] = ref.slice(BUILTIN_PREFIX.length).split('/');
  if (templateKey === undefined || emailKey === undefined || rest.length > 0) return undefined;
  if (templateKey === '' || emailKey === '') return undefined;
  return { templateKey, emailKey };
}

/** The distinct `builtin:` template ids the definition's email steps use, in step order. */
export function listBuiltInTemplateRefs(def: SequenceDefinition): string[] {
  const refs = def.steps.flatMap((step) =>
    isEmailStep(step) &&
    step.templateId !== undefined &&
    parseBuiltInTemplateRef(step.templateId) !== undefined
      ? [step.templateId]
      : [],
  );
  return [...new Set(refs)];
}

/**
 * A copy of the definition whose email steps use the real email template ids in `ids` (keyed by the
 * `builtin:` reference). References missing from `ids` are left as they are; the input is not changed.
 */
export function replaceTemplateIds(
  def: SequenceDefinition,
  ids: ReadonlyMap<string, string>,
): SequenceDefinition {
  return {
    start: def.start,
    options: { ...def.options },
    steps: def.steps.map((step): Step => {
      const copy = structuredClone(step);
      if (isEmailStep(copy) && copy.templateId !== undefined) {
        const replacement = ids.get(copy.templateId);
        if (replacement !== undefined) copy.templateId = replacement;
      }
      return copy;
    }),
  };
}

function isEmailStep(step: Step): step is EmailStep {
  return step.type === 'email' || step.type === 'automated_email';
}

/** Freezes a template all the way down: the registry is shared, so a caller that edits it must copy first. */
export function frozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) frozen(child);
    Object.freeze(value);
  }
  return value;
}
