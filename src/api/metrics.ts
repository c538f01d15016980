// Prometheus metrics of one server instance (GET /metrics): a registry per app, never prom-client's
// global one, so two servers in one process (tests) don't share counters. Other parts (the mail sender)
// increment the objects exported here through `ServerMetrics`.
import type { FastifyPluginAsync } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineDeps } from '../engine/deps.js';

export interface ServerMetrics {
  readonly registry: Registry;
  /** HTTP latency by route pattern (never the raw URL: ids would explode the label set), method and status. */
  readonly httpDuration: Histogram<'route' | 'method' | 'status'>;
  /** Emails handed to SMTP, by result (`sent`, `failed`, `send_unknown`, `suppressed`...). */
  readonly sends: Counter<'result'>;
  /** Active enrollments due now and not yet processed. */
  readonly dueBacklog: Gauge;
  /** How late the oldest due enrollment is, in seconds (0 when nothing is due). */
  readonly dueLateness: Gauge;
  /** Outbox rows by status (pending, sending, failed, send_unknown). */
  readonly outboxDepth: Gauge<'status'>;
}

export function createServerMetrics(deps: EngineDeps): ServerMetrics {
  const registry = new Registry();
  const registers = [registry];
  const { store, clock } = deps;
  return {
    registry,
    httpDuration: new Histogram({
      name: 'stepwise_http_request_duration_seconds',
      help: 'HTTP request latency by route, method and status.',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    sends: new Counter({
      name: 'stepwise_email_sends_total',
      help: 'Emails the sender tried, by result.',
      labelNames: ['result'],
      registers,
    }),
    dueBacklog: new Gauge({
      name: 'stepwise_engine_due_backlog',
      help: 'Active enrollments due now and not yet processed.',
      registers,
      async collect() {
        this.set(await store.operations.dueBacklog(clock.now()));
      },
    }),
    dueLateness: new Gauge({
      name: 'stepwise_engine_due_lateness_seconds',
      help: 'How long the oldest due enrollment has been waiting, in seconds.',
      registers,
      async collect() {
        const next = await store.engine.nextDueAt();
        const now = clock.now();
        this.set(next === null || next > now ? 0 : (now - next) / 1000);
      },
    }),
    outboxDepth: new Gauge({
      name: 'stepwise_outbox_depth',
      help: 'Outbox rows by status (pending, sending, failed, send_unknown).',
      labelNames: ['status'],
      registers,
      async collect() {
        for (const [status, count] of Object.entries(await store.operations.outboxDepth()))
          this.set({ status }, count);
      },
    }),
  };
}

/** Times every request by its route pattern, and serves the registry as Prometheus text. */
export const metricsRoutes: FastifyPluginAsync<{ metrics: ServerMetrics }> = async (app, { metrics }) => {
  app.get(
    '/metrics',
    {
      config: { auth: false },
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics (text exposition format)',
        produces: ['text/plain'],
        response: { 200: { type: 'string' } },
      },
    },
    async (_request, reply) => {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  );
};

/** The onResponse hook that feeds `httpDuration`; registered on the root app so it sees every route. */
export function observeRequests(metrics: ServerMetrics) {
  return async (
    request: { method: string; routeOptions: { url?: string | undefined } },
    reply: { statusCode: number; elapsedTime: number },
  ): Promise<void> => {
    metrics.httpDuration.observe(
      {
        route: request.routeOptions.url ?? 'unmatched',
        method: request.method,
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  };
}
