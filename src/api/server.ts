// The HTTP server: Fastify with TypeBox schemas, the OpenAPI document generated from them,
// problem+json errors, and the web app's static files. Routes live one file per resource in routes/.
import { existsSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { AjvCompiler, type BuildCompilerFromPool, type ValidatorFactory } from '@fastify/ajv-compiler';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  type RouteOptions,
} from 'fastify';
import type { Config } from '../config.js';
import { ManualClock } from '../engine/clock.js';
import type { EngineDeps } from '../engine/deps.js';
import { type OutboundPolicy, outboundPolicyOf } from '../engine/outbound-hosts.js';
import type { WalkMailSender } from '../engine/scheduler.js';
import { installationSecret } from '../mail/installation-secret.js';
import { outboxViewDeps } from '../mail/outbox-view-deps.js';
import { authenticate, CSRF_HEADER } from './auth/authenticate.js';
import { LoginLimiter, type LoginLimits } from './auth/login-limiter.js';
import { PasswordCheck, SESSION_COOKIE } from './auth/sessions.js';
import { emptyQueryValuesAreAbsent } from './empty-query-values.js';
import { DEFAULT_BODY_LIMIT, setJsonBodyParser } from './json-body.js';
import { createServerMetrics, metricsRoutes, observeRequests, type ServerMetrics } from './metrics.js';
import { refuseNulCharacters } from './nul-characters.js';
import { transformDocument } from './openapi-document.js';
import { badRequest, notFound, notFoundHandler, ProblemError, problemErrorHandler } from './problem.js';
import { apiTokenRoutes } from './routes/api-tokens.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { clockRoutes } from './routes/clock.js';
import { emailTemplateRoutes } from './routes/email-templates.js';
import { enrollmentRoutes } from './routes/enrollments.js';
import { healthRoutes } from './routes/health.js';
import { inboundEmailRoutes } from './routes/inbound-email.js';
import { mailboxRoutes } from './routes/mailboxes.js';
import { outboxRoutes } from './routes/outbox.js';
import { recordRoutes } from './routes/records.js';
import { sequenceTemplateRoutes } from './routes/sequence-templates.js';
import { sequenceRoutes } from './routes/sequences.js';
import { setupRoutes } from './routes/setup.js';
import { signalRoutes } from './routes/signals.js';
import { isOpenPixelRequest, sendPixel, trackingRoutes } from './routes/tracking.js';
import { unsubscribeRoutes } from './routes/unsubscribe.js';
import { userRoutes } from './routes/users.js';
import { webhookRoutes } from './routes/webhooks.js';
import { worklistRoutes } from './routes/worklist.js';
import { Problem } from './schemas.js';
import { securityHeaders } from './security-headers.js';

export interface ServerDeps {
  config: Config;
  /** The engine's ports: the store, the clock and the id source every route works with. */
  engine: EngineDeps;
  logger: FastifyBaseLogger;
  /** Built web app (web/dist); served at `/` when present. */
  webRoot?: string;
  /** Sign-in throttling (default: 10 failed attempts per account and 30 per address every 15 minutes, wall clock). */
  loginLimits?: LoginLimits;
  /** This instance's Prometheus metrics (shared with the worker and the mail sender); made here when absent. */
  metrics?: ServerMetrics;
  /** Under STEPWISE_CLOCK=manual, the process's mail sender, which POST /api/clock drives (routes/clock.ts). */
  testClockMail?: WalkMailSender;
  /** A test clock move's wall-clock limit (routes/clock.ts `walkLimit`; default 2 minutes): tests shorten it. */
  testClockWalkLimit?: { ms: number; graceMs?: number };
  /** Where webhooks and mailboxes may point (checked when saved, and when a mailbox is verified); default: the config's. */
  outbound?: OutboundPolicy;
}

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Trust the first `hops` proxies (what a hop count means to proxy-addr; Fastify's types take only its function). */
const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

/** Paths the server answers itself; never the web app's index.html. */
const SERVER_PATHS = /^\/(api|t|u|healthz|readyz|metrics)(\/|\?|$)/;
/** The web app's built files: a missing one is a 404, never index.html served as a script. */
const ASSET_PATHS = /^\/assets\//;

export async function buildServer(deps: ServerDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Tracking and unsubscribe tokens (signed, carrying the link) are longer than the default 100.
    routerOptions: { maxParamLength: 8192 },
    genReqId: () => crypto.randomUUID(),
    // request.ip (the login limiter's per-address count, the logs) and request.protocol (the cookie's
    // Secure) from X-Forwarded-* only when the operator says which proxies to believe.
    trustProxy:
      typeof deps.config.trustProxy === 'number' ? trustHops(deps.config.trustProxy) : deps.config.trustProxy,
    schemaController: { compilersFactory: { buildValidator: validatorsByPart() } },
    // A URL that does not decode, a path parameter too long: problem+json like every other 4xx; under
    // /t/o/ the open pixel all the same (docs/mail.md: "a 1×1 GIF, always").
    frameworkErrors: (error, request, reply) =>
      isOpenPixelRequest(request) ? sendPixel(reply) : problemErrorHandler(error, request, reply),
    clientErrorHandler: answerClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler((error, request, reply) => problemErrorHandler(error, request, reply));
  await app.register(fastifyHelmet, securityHeaders(deps.config.publicUrl));
  app.addHook('onRequest', emptyPathSegmentIsNotFound);
  // Empty bodies, NUL characters and `__proto__` keys: json-body.ts.
  setJsonBodyParser(app);
  app.addHook('preValidation', refuseNulCharacters);
  app.addHook('preValidation', emptyQueryValuesAreAbsent);
  const metrics = deps.metrics ?? createServerMetrics(deps.engine);
  app.addHook('onResponse', observeRequests(metrics));
  // The web app routes on the client: a GET for a page (not an API, tracking or operations path)
  // that no file answers gets index.html, so deep links like /sequences/abc load the app.
  const webApp = deps.webRoot !== undefined && existsSync(join(deps.webRoot, 'index.html'));
  app.setNotFoundHandler((request, reply) => {
    if (isOpenPixelRequest(request)) return sendPixel(reply);
    if (
      webApp &&
      request.method === 'GET' &&
      !SERVER_PATHS.test(request.url) &&
      !ASSET_PATHS.test(request.url)
    ) {
      return reply.type('text/html').sendFile('index.html');
    }
    return notFoundHandler(request, reply);
  });
  app.addHook('onRoute', documentCredentials);

  await app.register(fastifySwagger, {
    transformObject: transformDocument,
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Stepwise API',
        version: '0.1.0',
        description: 'Sales sequences: connect records, work the steps, send automated emails on time.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'A session token from /api/auth/login, or an sw_ API token.',
          },
          cookie: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: `The session cookie; writes also need the ${CSRF_HEADER} header.`,
          },
        },
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { config: { auth: false }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  await app.register(fastifyCookie);
  app.decorateRequest('actor', null);
  app.addHook('onRequest', authenticate(deps.engine));

  const engine = deps.engine;
  await app.register(healthRoutes, { store: engine.store });
  await app.register(metricsRoutes, { metrics });
  await app.register(authRoutes, {
    deps: engine,
    config: deps.config,
    limiter: new LoginLimiter(deps.loginLimits),
    passwords: new PasswordCheck(engine),
  });
  await app.register(setupRoutes, { deps: engine, config: deps.config });
  await app.register(userRoutes, { deps: engine, smtpUrl: deps.config.smtpUrl });
  await app.register(apiTokenRoutes, { deps: engine });
  await app.register(recordRoutes, { deps: engine });
  await app.register(emailTemplateRoutes, { deps: engine, config: deps.config });
  await app.register(sequenceRoutes, { deps: engine });
  await app.register(sequenceTemplateRoutes, { deps: engine });
  await app.register(enrollmentRoutes, { deps: engine });
  await app.register(worklistRoutes, { deps: engine });
  await app.register(signalRoutes, { deps: engine });
  const mailSecret = await installationSecret(engine, deps.config.secret);
  await app.register(trackingRoutes, { deps: engine, secret: mailSecret });
  await app.register(unsubscribeRoutes, { deps: engine, secret: mailSecret });
  await app.register(inboundEmailRoutes, { deps: engine });
  const outbound = deps.outbound ?? outboundPolicyOf(deps.config);
  await app.register(webhookRoutes, { deps: engine, outbound });
  await app.register(mailboxRoutes, { deps: engine, secret: mailSecret, outbound });
  await app.register(outboxRoutes, { deps: outboxViewDeps(engine, deps.config, mailSecret) });
  await app.register(auditRoutes, { deps: engine });
  if (deps.config.clock === 'manual') {
    // The test clock's routes exist only in this mode (api.md "Test clock"), on the engine's own clock.
    if (!(engine.clock instanceof ManualClock)) throw new Error('STEPWISE_CLOCK=manual needs a ManualClock');
    await app.register(clockRoutes, {
      deps: engine,
      clock: engine.clock,
      mail: deps.testClockMail ?? null,
      walkLimit: deps.testClockWalkLimit,
    });
  }

  if (webApp && deps.webRoot !== undefined) {
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

/**
 * Fastify's Ajv settings, kept for every part of a request: unknown fields are refused (not removed),
 * defaults filled in, every error listed.
 */
const AJV_OPTIONS = { removeAdditional: false, allErrors: true, allowUnionTypes: true } as const;

/**
 * Fastify's own Ajv compiler (with ajv-formats), two ways: a query string and path parameters arrive as
 * text, so they are coerced (`limit=10` is a number, a lone value a list of one); a body is JSON and is
 * validated as sent, so `{"recordIds": "x"}` or `{"name": 5}` is a 400, never an array or a string.
 */
function validatorsByPart(): ValidatorFactory {
  const pool = AjvCompiler();
  const build: BuildCompilerFromPool = (externalSchemas) => {
    const coercing = pool(externalSchemas, { customOptions: { ...AJV_OPTIONS, coerceTypes: 'array' } });
    const strict = pool(externalSchemas, { customOptions: { ...AJV_OPTIONS, coerceTypes: false } });
    // Declared as (schema) => validate; Fastify calls it with the route's part (FastifyRouteSchemaDef).
    const byPart = (route: { httpPart?: string }) =>
      (route.httpPart === 'body' ? strict : coercing)(route as never);
    return byPart as unknown as ReturnType<BuildCompilerFromPool>;
  };
  return build;
}

/**
 * A request Node's HTTP parser refused (bad syntax, headers too large, too slow) never reaches a route:
 * the answer is written on the socket, as problem+json like any other error.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const problem =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new ProblemError(408, 'request_timeout', 'The request did not arrive in time.')
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? new ProblemError(431, 'headers_too_large', 'The request headers are too large.')
        : badRequest('The request is not valid HTTP.');
  const body = JSON.stringify(problem.toBody());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}\r\n` +
        'Connection: close\r\nContent-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * `GET /api/records/` matches `/api/records/:id` with an empty id: no such thing (404), as for any other
 * id, rather than a 400 about the parameter's shape. Before authentication, like any unknown path.
 */
async function emptyPathSegmentIsNotFound(request: FastifyRequest): Promise<void> {
  if (!request.url.startsWith('/api/')) return;
  const params = request.params as Record<string, unknown> | undefined;
  if (params !== undefined && Object.values(params).some((value) => value === '')) throw notFound();
}

const ERROR_STATUSES = ['400', '401', '403', '429', '500'] as const;

/** Every API route documents its credentials and the problem answers any route may give. */
function documentCredentials(route: RouteOptions): void {
  const url = route.url;
  if (!url.startsWith('/api/') || url.startsWith('/api/docs')) return;
  const schema = (route.schema ?? {}) as Record<string, unknown> & {
    hide?: boolean;
    response?: Record<string, unknown>;
  };
  if (schema.hide === true) return;
  const response: Record<string, unknown> = { ...(schema.response ?? {}) };
  const isPublic = route.config?.auth === false;
  for (const status of ERROR_STATUSES) {
    if ((status === '401' || status === '403') && isPublic) continue;
    response[status] ??= Problem;
  }
  route.schema = {
    ...schema,
    response,
    ...(isPublic ? { security: [] } : { security: [{ bearer: [] }, { cookie: [] }] }),
  };
}
