// Operations probes: /healthz says the process is up, /readyz that the database answers.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { ProblemError } from '../problem.js';

export const healthRoutes: FastifyPluginAsync<{ store: { ping(): Promise<void> } }> = async (
  app,
  { store },
) => {
  const Status = Type.Object({ status: Type.String() });
  app.get('/healthz', { schema: { tags: ['operations'], response: { 200: Status } } }, async () => ({
    status: 'ok',
  }));
  app.get('/readyz', { schema: { tags: ['operations'], response: { 200: Status } } }, async (request) => {
    try {
      await store.ping();
    } catch (error) {
      request.log.warn({ err: error }, 'database not reachable');
      throw new ProblemError(503, 'not_ready', 'The database does not answer.');
    }
    return { status: 'ready' };
  });
};
