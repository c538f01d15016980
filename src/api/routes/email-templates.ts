// Email templates (api.md "Email templates"): Liquid merge fields checked when saved (422 with line and
// column), previewed against a real record. Managers write them; everyone reads and previews.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import type { Config } from '../../config.js';
import type { EngineDeps } from '../../engine/deps.js';
import type { EmailTemplate, SalesRecord, User } from '../../engine/ports/store.js';
import { checkTemplateTypeChange, deleteEmailTemplate } from '../../engine/sequences/template-usage.js';
import {
  type CompiledTemplate,
  compileTemplate,
  type MergeContext,
  renderEmail,
  TemplateRenderError,
  type TemplateSource,
} from '../../mail/render.js';
import { PREVIEW_UNSUBSCRIBE_PATH } from '../../mail/unsubscribe-token.js';
import { actorOf, EVERYONE, MANAGERS, requireRole } from '../auth/actor.js';
import { notFound, validationFailed } from '../problem.js';
import {
  IdParams,
  Instant,
  iso,
  NoContent,
  NullableString,
  PageOf,
  PageQuery,
  Problem,
  pageOptions,
} from '../schemas.js';
import { EntityTypeSchema, visibleRecord } from './records.js';

const Source = Type.String({ maxLength: 100_000 });
const TemplateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    subject: Source,
    body: Source,
    entityType: Type.Optional(Type.Union([EntityTypeSchema, Type.Null()])),
  },
  { additionalProperties: false },
);
const TemplatePatchBody = Type.Object(
  {
    name: Type.Optional(TemplateBody.properties.name),
    subject: Type.Optional(Source),
    body: Type.Optional(Source),
    entityType: Type.Optional(Type.Union([EntityTypeSchema, Type.Null()])),
  },
  { additionalProperties: false },
);

const TemplateView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  subject: Type.String(),
  body: Type.String(),
  entityType: Type.Union([EntityTypeSchema, Type.Null()]),
  ownerId: NullableString,
  builtinKey: NullableString,
  createdAt: Instant,
  updatedAt: Instant,
});

const Rendered = Type.Object({ subject: Type.String(), html: Type.String(), text: Type.String() });

function toTemplateView(t: EmailTemplate): Static<typeof TemplateView> {
  return {
    id: t.id,
    name: t.name,
    subject: t.subject,
    body: t.body,
    entityType: t.entityType,
    ownerId: t.ownerId,
    builtinKey: t.builtinKey,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
  };
}

/** A template to save has a subject and a body: an email without either is not one to send. */
function withText(source: TemplateSource): TemplateSource {
  const blank = (['subject', 'body'] as const).filter((field) => source[field].trim() === '');
  if (blank.length > 0)
    throw validationFailed(
      'The template needs a subject and a body.',
      blank.map((field) => ({
        code: 'template_empty',
        path: `/${field}`,
        field,
        message: field === 'subject' ? 'Write a subject.' : 'Write the message.',
      })),
    );
  return source;
}

/** The compiled template, or 422 `validation_failed` listing every error with its field, line and column. */
function compiled(source: TemplateSource): CompiledTemplate {
  const result = compileTemplate(source);
  if (result.ok) return result.compiled;
  throw validationFailed(
    'The template has errors.',
    result.errors.map((e) => ({
      code: 'template_error',
      path: `/${e.field}`,
      field: e.field,
      line: e.line,
      column: e.column,
      message: e.message,
    })),
  );
}

function mergeContext(
  record: SalesRecord,
  owner: User | null,
  sender: { name: string; email: string },
  sequenceName: string,
  config: Config,
): MergeContext {
  return {
    record: {
      id: record.id,
      type: record.type,
      name: record.name,
      email: record.email,
      phone: record.phone,
      company: record.company,
      linkedinUrl: record.linkedinUrl,
      timezone: record.timezone,
      fields: record.fields,
    },
    sender,
    owner: owner === null ? sender : { name: owner.name, email: owner.email },
    sequence: { name: sequenceName },
    // A placeholder (no message yet to sign a link for): a seller's text sent from this preview gets the
    // recipient's own link in its place (SmtpMailer.prepare).
    unsubscribeUrl: `${config.publicUrl}${PREVIEW_UNSUBSCRIBE_PATH}`,
  };
}

export const emailTemplateRoutes: FastifyPluginAsyncTypebox<{ deps: EngineDeps; config: Config }> = async (
  app,
  { deps, config },
) => {
  const { store } = deps;
  const everyone = requireRole(...EVERYONE);
  const managers = requireRole(...MANAGERS);

  async function existing(id: string): Promise<EmailTemplate> {
    const template = await store.emailTemplates.get(id);
    if (template === null) throw notFound('No such email template.');
    return template;
  }

  app.post(
    '/api/email-templates',
    {
      preHandler: managers,
      schema: {
        tags: ['email templates'],
        summary: 'Create an email template',
        body: TemplateBody,
        response: { 201: TemplateView, 422: Problem },
      },
    },
    async (request, reply) => {
      const body = request.body;
      compiled(withText(body));
      const template = await store.emailTemplates.create({
        id: deps.ids.newId('tpl'),
        name: body.name.trim(),
        subject: body.subject,
        body: body.body,
        entityType: body.entityType ?? null,
        ownerId: actorOf(request).id,
        createdAt: deps.clock.now(),
      });
      return reply.status(201).send(toTemplateView(template));
    },
  );

  app.get(
    '/api/email-templates',
    {
      preHandler: everyone,
      schema: {
        tags: ['email templates'],
        summary: 'List email templates (of an entity type and those for every type)',
        querystring: Type.Object({ entityType: Type.Optional(EntityTypeSchema), ...PageQuery }),
        response: { 200: PageOf(TemplateView) },
      },
    },
    async (request) => {
      const page = await store.emailTemplates.list({
        ...pageOptions(request.query),
        entityType: request.query.entityType,
      });
      return { items: page.items.map(toTemplateView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/email-templates/:id',
    {
      preHandler: everyone,
      schema: {
        tags: ['email templates'],
        summary: 'One email template',
        params: IdParams,
        response: { 200: TemplateView, 404: Problem },
      },
    },
    async (request) => toTemplateView(await existing(request.params.id)),
  );

  app.put(
    '/api/email-templates/:id',
    {
      preHandler: managers,
      schema: {
        tags: ['email templates'],
        summary: 'Change an email template (omitted fields keep their value)',
        params: IdParams,
        body: TemplatePatchBody,
        response: { 200: TemplateView, 404: Problem, 409: Problem, 422: Problem },
      },
    },
    async (request) => {
      const current = await existing(request.params.id);
      const { name, subject, body, entityType } = request.body;
      compiled(withText({ subject: subject ?? current.subject, body: body ?? current.body }));
      if (entityType !== undefined && entityType !== current.entityType)
        await checkTemplateTypeChange(store, current.id, entityType);
      const updated = await store.emailTemplates.update(
        current.id,
        {
          ...(name === undefined ? {} : { name: name.trim() }),
          ...(subject === undefined ? {} : { subject }),
          ...(body === undefined ? {} : { body }),
          ...(entityType === undefined ? {} : { entityType }),
        },
        deps.clock.now(),
      );
      if (updated === null) throw notFound('No such email template.');
      return toTemplateView(updated);
    },
  );

  app.delete(
    '/api/email-templates/:id',
    {
      preHandler: managers,
      schema: {
        tags: ['email templates'],
        summary:
          'Delete an email template that no running sequence sends (otherwise 409 conflict, errors naming template_in_use)',
        params: IdParams,
        response: { 204: NoContent, 404: Problem, 409: Problem },
      },
    },
    async (request, reply) => {
      await deleteEmailTemplate(deps, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/email-templates/:id/preview',
    {
      preHandler: everyone,
      schema: {
        tags: ['email templates'],
        summary: 'Render the template for a record, as the caller would send it',
        params: IdParams,
        description:
          "With `enrollmentStepId` (an email step of that record), as that step would send it: its sequence's name. The unsubscribe link is a placeholder that a sent email replaces with the recipient's own.",
        body: Type.Object(
          {
            recordId: Type.String({ minLength: 1, maxLength: 200 }),
            enrollmentStepId: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Rendered, 404: Problem, 422: Problem },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const template = await existing(request.params.id);
      const record = await visibleRecord(deps, actor, request.body.recordId);
      const owner = await store.users.get(record.ownerId);
      let sequenceName = '';
      const { enrollmentStepId } = request.body;
      if (enrollmentStepId !== undefined) {
        // Only a step of this record (whose visibility was just checked) names its sequence.
        const [step] = await store.stepInstances.getMany([enrollmentStepId]);
        if (step === undefined || step.recordId !== record.id) throw notFound('No such enrollment step.');
        sequenceName = (await store.sequences.get(step.sequenceId))?.name ?? '';
      }
      try {
        return renderEmail(
          compiled(template),
          mergeContext(record, owner, { name: actor.name, email: actor.email }, sequenceName, config),
        );
      } catch (error) {
        if (!(error instanceof TemplateRenderError)) throw error;
        throw validationFailed(error.message, [
          {
            code: error.code,
            path: `/${error.field}`,
            field: error.field,
            line: error.line,
            column: error.column,
            message: error.message,
          },
        ]);
      }
    },
  );
};
