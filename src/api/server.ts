// The HTTP server: Fastify with TypeBox schemas, the OpenAPI document generated from them,
// problem+json errors, and the web app's static files. Routes live one file per resource in routes/.
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { notFoundHandler, problemErrorHandler } from './problem.js';
import { healthRoutes } from './routes/health.js';

export interface ServerDeps {
  config: Config;
  /** What the routes need of the store today; grows with the engine. */
  store: { ping(): Promise<void> };
  logger: FastifyBaseLogger;
  /** Built web app (web/dist); served at `/` when present. */
  webRoot?: string;
}

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export async function buildServer(deps: ServerDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: 64 * 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler((error, request, reply) => problemErrorHandler(error, request, reply));
  app.setNotFoundHandler((request, reply) => notFoundHandler(request, reply));

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Stepwise API',
        version: '0.1.0',
        description: 'Sales sequences: connect records, work the steps, send automated emails on time.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { store: deps.store });

  if (deps.webRoot !== undefined && existsSync(deps.webRoot)) {
    await app.register(fastifyStatic, { root: deps.webRoot, wildcard: false });
  } else {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/html')
        .send(
          '<!doctype html><title>Stepwise</title><h1>Stepwise is running</h1>' +
            '<p>The web app is not built in this installation. The API reference is at <a href="/api/docs">/api/docs</a>.</p>',
        ),
    );
  }
  return app;
}
