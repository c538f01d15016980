// Merge-field rendering of user-written email templates (LiquidJS), configured for untrusted input:
// templates are written by sellers and filled with values typed in by prospects, so neither may
// reach the file system, the prototype chain, other records, or run for long.
import { CaptureTag, type Context, Liquid, LiquidError, type Template, toValue } from 'liquidjs';
import { markMerged, unmarkedLength, unmarkMerged } from './merged-text.js';
import { htmlDocument, plainTextToHtmlBody } from './plain-text-to-html.js';

export type TemplateField = 'subject' | 'body';

export interface TemplateSource {
  subject: string;
  body: string;
}

export interface TemplateError {
  field: TemplateField;
  /** 1-based, as the editor shows it. */
  line: number;
  column: number;
  message: string;
}

/** A parsed template, ready to render many times. Opaque outside this module. */
export interface CompiledTemplate {
  readonly subject: readonly Template[];
  readonly body: readonly Template[];
}

export type CompileResult = { ok: true; compiled: CompiledTemplate } | { ok: false; errors: TemplateError[] };

export type TemplateScalar = string | number | boolean | null;
export type TemplateValue =
  | TemplateScalar
  | readonly TemplateValue[]
  | { readonly [key: string]: TemplateValue };

export interface MergeRecord {
  readonly name: string;
  readonly email?: string | null;
  readonly company?: string | null;
  readonly phone?: string | null;
  /** Custom fields by key (`{{ record.fields.title }}`). */
  readonly fields: { readonly [key: string]: TemplateValue };
  readonly [key: string]: TemplateValue | undefined;
}

export interface MergePerson {
  readonly name: string;
  readonly email: string;
}

/** Everything a template can see. Nothing else (no other record, no environment) is in scope. */
export interface MergeContext {
  readonly record: MergeRecord;
  readonly sender: MergePerson;
  readonly owner: MergePerson;
  readonly sequence: { readonly name: string };
  readonly unsubscribeUrl: string;
}

export interface RenderedEmail {
  /** One line: newlines in the template or in values are folded into spaces. */
  subject: string;
  html: string;
  text: string;
}

/**
 * Bounds for one template. A real template is a few kilobytes and renders in well under a
 * millisecond; these stop abuse long before it hurts a worker.
 */
export const TEMPLATE_LIMITS = {
  /** Characters of template source per field. */
  parseLimit: 100_000,
  /** Milliseconds per render call (LiquidJS checks it between tags and outputs). */
  renderLimit: 200,
  /** LiquidJS "memory" units (characters of strings built, items of ranges and arrays) per render. */
  memoryLimit: 1_000_000,
  /**
   * Characters of rendered text per field. LiquidJS charges filters and ranges to `memoryLimit`, not
   * what `{{ }}` writes out: `{% capture %}` doubling a string 20 times, or a long literal printed in a
   * loop, built a 300-million-character body in milliseconds, which then held the process for seconds
   * and gigabytes (escaping, the HTML part, JSON), within both limits above.
   */
  outputLimit: 1_000_000,
} as const;

export const MERGE_ROOTS = ['record', 'sender', 'owner', 'sequence', 'unsubscribeUrl'] as const;
const MERGE_ROOT_SET: ReadonlySet<string> = new Set(MERGE_ROOTS);

/** Tags that load other templates; there is nothing to load, and a lookup must never touch a disk. */
const REFUSED_TAGS = ['include', 'render', 'layout'] as const;

/** `{% capture %}` with the text it keeps charged to the memory limit, as a filter's result is. */
class BoundedCaptureTag extends CaptureTag {
  override *render(ctx: Context): Generator<unknown, void, string> {
    yield* super.render(ctx);
    const kept: unknown = ctx.bottom()[this.variable];
    ctx.memoryLimit.use(typeof kept === 'string' ? kept.length : 0);
  }
}

/** What LiquidJS writes for a value (its `stringify`, which it does not export). */
function outputText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((item: unknown) => outputText(toValue(item))).join('');
  return String(value);
}

/** Thrown from an output once the outputs of one render have written more than `outputLimit`. */
class OutputLimitExceeded extends Error {}

/**
 * Applied by LiquidJS to everything `{{ }}`, `{% echo %}` and `{% cycle %}` write: marks it as merged,
 * so that a URL in it does not become a link (merged-text.ts). The unsubscribe URL is ours, not a
 * prospect's, and stays a link; compared by value, so an `assign` to that name gains nothing.
 * Marking copies the value, which writing it did not: what the outputs write (inside a capture too) is
 * counted, so a value printed in a loop stops at the output limit instead of being copied until the time
 * limit.
 */
function markOutput(this: { context: Context }, value: unknown): string {
  const text = outputText(toValue(value));
  const count = this.context.getRegister('stepwiseOutput', {}) as { written?: number };
  count.written = (count.written ?? 0) + text.length;
  if (count.written > TEMPLATE_LIMITS.outputLimit) throw new OutputLimitExceeded('output limit exceeded');
  const { unsubscribeUrl } = this.context.environments as { unsubscribeUrl?: unknown };
  return text === unsubscribeUrl ? text : markMerged(text);
}

function createEngine(): Liquid {
  const liquid = new Liquid({
    ownPropertyOnly: true,
    strictFilters: true,
    strictVariables: false,
    parseLimit: TEMPLATE_LIMITS.parseLimit,
    renderLimit: TEMPLATE_LIMITS.renderLimit,
    memoryLimit: TEMPLATE_LIMITS.memoryLimit,
    // An empty in-memory template map replaces the file system for every lookup.
    templates: {},
    relativeReference: false,
    dynamicPartials: false,
    // Not an HTML escape: the body is plain text, rendered once, and the whole text (template and
    // values alike) is escaped when the HTML part is built. This only marks what merge fields wrote.
    outputEscape: markOutput,
    // Dates print in UTC so that output does not depend on the host.
    timezoneOffset: 0,
  });
  liquid.registerTag('capture', BoundedCaptureTag);
  // The built-in `raw` skips `outputEscape`: a plain function of the same name does not, so a template
  // cannot take the mark off a value (and `| raw` still changes nothing, as before).
  liquid.registerFilter('raw', (value: unknown) => value);
  for (const name of REFUSED_TAGS) {
    liquid.registerTag(name, {
      parse() {
        throw new Error(`the "${name}" tag is not available in email templates`);
      },
      render() {},
    });
  }
  return liquid;
}

// Configured once and never changed afterwards: parse and render keep no state in the engine.
const engine = createEngine();

const POSITION_SUFFIX = /, line:\d+, col:\d+$/;

function positionOf(error: unknown): { line: number; column: number } {
  if (error instanceof LiquidError) {
    const [line, column] = error.token.getPosition();
    return { line: line ?? 1, column: column ?? 1 };
  }
  return { line: 1, column: 1 };
}

function messageOf(error: unknown): string {
  if (error instanceof LiquidError)
    return (error.originalError?.message ?? error.message).replace(POSITION_SUFFIX, '');
  return error instanceof Error ? error.message : String(error);
}

function unknownMergeFields(field: TemplateField, templates: Template[]): TemplateError[] {
  const { globals } = engine.analyzeSync(templates, { partials: false });
  const errors: TemplateError[] = [];
  for (const [root, uses] of Object.entries(globals)) {
    if (MERGE_ROOT_SET.has(root)) continue;
    for (const use of uses) {
      errors.push({
        field,
        line: use.location.row,
        column: use.location.col,
        message: `unknown merge field "${use.toString()}"; available: ${MERGE_ROOTS.join(', ')}`,
      });
    }
  }
  return errors;
}

function compileField(
  field: TemplateField,
  source: string,
): { templates: Template[] } | { error: TemplateError[] } {
  try {
    const templates = engine.parse(source);
    const unknown = unknownMergeFields(field, templates);
    return unknown.length > 0 ? { error: unknown } : { templates };
  } catch (error) {
    return { error: [{ field, ...positionOf(error), message: messageOf(error) }] };
  }
}

export function compileTemplate(source: TemplateSource): CompileResult {
  const subject = compileField('subject', source.subject);
  const body = compileField('body', source.body);
  if ('templates' in subject && 'templates' in body) {
    return { ok: true, compiled: { subject: subject.templates, body: body.templates } };
  }
  return {
    ok: false,
    errors: [...('error' in subject ? subject.error : []), ...('error' in body ? body.error : [])],
  };
}

export type TemplateRenderErrorCode = 'memory_limit_exceeded' | 'time_limit_exceeded' | 'render_failed';

/** A template that parsed but could not be rendered for this context (it hit a limit, most often). */
export class TemplateRenderError extends Error {
  override readonly name = 'TemplateRenderError';
  readonly code: TemplateRenderErrorCode;
  readonly field: TemplateField;
  readonly line: number;
  readonly column: number;

  constructor(
    code: TemplateRenderErrorCode,
    field: TemplateField,
    position: { line: number; column: number },
    message: string,
  ) {
    super(message);
    this.code = code;
    this.field = field;
    this.line = position.line;
    this.column = position.column;
  }
}

function outputLimitError(field: TemplateField): TemplateRenderError {
  return new TemplateRenderError(
    'memory_limit_exceeded',
    field,
    { line: 1, column: 1 },
    `Rendering the ${field} was stopped: it writes more than ${TEMPLATE_LIMITS.outputLimit} characters.`,
  );
}

function toRenderError(field: TemplateField, error: unknown): TemplateRenderError {
  if (error instanceof LiquidError && error.originalError instanceof OutputLimitExceeded)
    return outputLimitError(field);
  const position = positionOf(error);
  const detail = messageOf(error);
  const where = `the ${field} (line ${position.line}, column ${position.column})`;
  if (detail.startsWith('memory alloc limit exceeded')) {
    return new TemplateRenderError(
      'memory_limit_exceeded',
      field,
      position,
      `Rendering ${where} was stopped: it builds too much text or loops over too many items (limit ${TEMPLATE_LIMITS.memoryLimit}).`,
    );
  }
  if (detail.startsWith('template render limit exceeded')) {
    return new TemplateRenderError(
      'time_limit_exceeded',
      field,
      position,
      `Rendering ${where} was stopped after ${TEMPLATE_LIMITS.renderLimit} ms: it loops too long.`,
    );
  }
  return new TemplateRenderError('render_failed', field, position, `Rendering ${where} failed: ${detail}`);
}

const MAX_VALUE_DEPTH = 6;

/**
 * Copies a value into plain data: only own enumerable properties, no functions (LiquidJS would call
 * them), no getters, no class instances. Whatever the caller passes, the template sees JSON.
 */
function toTemplateData(value: unknown, depth: number): TemplateValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (depth >= MAX_VALUE_DEPTH || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    return value.map((item: unknown) => toTemplateData(item, depth + 1) ?? null);
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  const copy: Record<string, TemplateValue> = {};
  for (const [key, item] of Object.entries(value)) {
    const data = toTemplateData(item, depth + 1);
    if (data !== undefined) copy[key] = data;
  }
  return copy;
}

function scopeOf(context: MergeContext): Record<string, TemplateValue> {
  const scope: Record<string, TemplateValue> = {};
  for (const root of MERGE_ROOTS) {
    const data = toTemplateData(context[root], 0);
    if (data !== undefined) scope[root] = data;
  }
  return scope;
}

function renderField(field: TemplateField, templates: readonly Template[], scope: object): string {
  let output: string;
  try {
    output = String(engine.renderSync([...templates], scope));
  } catch (error) {
    throw toRenderError(field, error);
  }
  // Measured before anything reads the text: until then a long output is only a cheap chain of pieces.
  // Merge marks (two per run of a value) at most triple the length: the text without them is what counts.
  const limit = TEMPLATE_LIMITS.outputLimit;
  if (output.length > limit && (output.length > 3 * limit || unmarkedLength(output) > limit)) {
    throw outputLimitError(field);
  }
  return output;
}

function singleLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * `literal` gives a field's text as written instead of rendering it (a seller's own text): it then gets
 * only the whitespace rules and the HTML part a rendered one gets, and all of its links are links.
 * The body's merge marks (merged-text.ts) are read by the HTML part and are in none of the results.
 * @throws TemplateRenderError when the template hits a limit or fails for this context.
 */
export function renderEmail(
  compiled: CompiledTemplate,
  context: MergeContext,
  literal: { subject?: string | undefined; body?: string | undefined } = {},
): RenderedEmail {
  const scope = scopeOf(context);
  const subject = singleLine(
    unmarkMerged(literal.subject ?? renderField('subject', compiled.subject, scope)),
  );
  const marked = (
    literal.body === undefined ? renderField('body', compiled.body, scope) : unmarkMerged(literal.body)
  )
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/^\n+|\n+$/g, '');
  return { subject, html: htmlDocument(plainTextToHtmlBody(marked)), text: `${unmarkMerged(marked)}\n` };
}
