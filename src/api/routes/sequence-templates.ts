// The built-in sequence template gallery (api.md "Sequence templates"): everyone may browse it,
// managers turn a template into a new inactive sequence.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { summarize } from '../../domain/summary.js';
import { SEQUENCE_TEMPLATES } from '../../domain/templates/index.js';
import type { EngineDeps } from '../../engine/deps.js';
import {
  createSequenceFromTemplate as sequenceFromTemplate,
  UnknownSequenceTemplateError,
} from '../../engine/sequence-templates.js';
import { getSequence } from '../../engine/sequences/sequence-view.js';
import { actorOf, EVERYONE, MANAGERS, requireRole } from '../auth/actor.js';
import { notFound } from '../problem.js';
import { absentBodyIsEmpty, Problem } from '../schemas.js';
import { EntityTypeSchema } from './records.js';
import { SequenceJson, toSequenceJson } from './sequences.js';

const GalleryItem = Type.Object({
  key: Type.String(),
  name: Type.String(),
  entityType: EntityTypeSchema,
  description: Type.String(),
  stepCount: Type.Integer(),
  durationDays: Type.Number(),
});

// The gallery is fixed at build time: summarised once.
const GALLERY = SEQUENCE_TEMPLATES.map((template) => ({
  key: template.key,
  name: template.name,
  entityType: template.entityType,
  description: template.description,
  ...summarize(template.definition),
}));

export const sequenceTemplateRoutes: FastifyPluginAsyncTypebox<{ deps: EngineDeps }> = async (
  app,
  { deps },
) => {
  app.get(
    '/api/sequence-templates',
    {
      preHandler: requireRole(...EVERYONE),
      schema: {
        tags: ['sequence templates'],
        summary: 'The built-in sequence templates',
        response: { 200: Type.Array(GalleryItem) },
      },
    },
    async () => GALLERY,
  );

  app.post(
    '/api/sequence-templates/:key/use',
    {
      preValidation: absentBodyIsEmpty,
      preHandler: requireRole(...MANAGERS),
      schema: {
        tags: ['sequence templates'],
        summary: "A new inactive sequence holding the template's definition and email templates",
        params: Type.Object({ key: Type.String({ minLength: 1, maxLength: 100 }) }),
        body: Type.Object(
          { name: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 201: SequenceJson, 404: Problem },
      },
    },
    async (request, reply) => {
      try {
        const sequence = await sequenceFromTemplate(deps, {
          key: request.params.key,
          ownerId: actorOf(request).id,
          name: request.body.name,
        });
        return reply.status(201).send(toSequenceJson(await getSequence(deps, sequence.id)));
      } catch (error) {
        if (error instanceof UnknownSequenceTemplateError) throw notFound(error.message);
        throw error;
      }
    },
  );
};
