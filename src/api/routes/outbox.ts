// The outbox for administrators (docs/mail.md): above all `send_unknown` messages — handed over to the
// SMTP server with no answer — which are never re-sent by themselves. An administrator reads the
// message, then re-sends it (same Message-ID) or drops it (saying whether it was delivered after all).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { simpleParser } from 'mailparser';
import { Type } from 'typebox';
import type { EngineDeps } from '../../engine/deps.js';
import {
  dropUnknown,
  type MailSenderDeps,
  resendUnknown,
  viewOutboxEmail,
} from '../../engine/outbox-sender.js';
import { OUTBOX_STATUSES, type OutboxMessage } from '../../engine/ports/store.js';
import { actorOf, requireRole } from '../auth/actor.js';
import { notFound, ProblemError } from '../problem.js';
import {
  absentBodyIsEmpty,
  IdParams,
  Instant,
  iso,
  isoOrNull,
  PageOf,
  PageQuery,
  Problem,
  pageOptions,
} from '../schemas.js';

const STATUSES = OUTBOX_STATUSES;

const Nullable = Type.Union([Type.String(), Type.Null()]);

const OutboxItemView = Type.Object({
  id: Type.String(),
  enrollmentId: Nullable,
  recordId: Nullable,
  stepId: Nullable,
  to: Nullable,
  subject: Type.Union([Type.String(), Type.Null()], { description: 'Rendered now; null when it cannot be' }),
  status: Type.Enum(STATUSES),
  mailboxId: Type.Union([Type.String(), Type.Null()], {
    description: 'A mailbox id, or `env` for STEPWISE_SMTP_URL',
  }),
  handedOverAt: Type.Union([Instant, Type.Null()], { description: 'The latest SMTP attempt' }),
  lastError: Nullable,
  createdAt: Instant,
});

const OutboxMessageView = Type.Object({
  ...OutboxItemView.properties,
  attempts: Type.Integer(),
  providerResponse: Nullable,
  message: Type.Union(
    [
      Type.Object({
        headers: Type.Array(Type.Object({ name: Type.String(), value: Type.String() })),
        text: Nullable,
        html: Nullable,
      }),
      Type.Null(),
    ],
    { description: 'Re-rendered from the current template and record (the Message-ID is the same)' },
  ),
  messageProblem: Type.Union([Type.String(), Type.Null()], { description: 'Why there is no message' }),
});

const DropBody = Type.Object(
  {
    delivered: Type.Optional(
      Type.Boolean({
        description: 'true: it was delivered (the provider says so): the enrollment moves on as after a send',
      }),
    ),
  },
  { additionalProperties: false },
);

const text = (value: unknown) => (typeof value === 'string' ? value : null);

function notSendUnknown(row: OutboxMessage): ProblemError {
  return new ProblemError(
    409,
    'not_send_unknown',
    `The message is ${row.status}: only a send_unknown message can be re-sent or dropped.`,
  );
}

export const outboxRoutes: FastifyPluginAsyncTypebox<{ deps: MailSenderDeps }> = async (app, { deps }) => {
  const admin = requireRole('admin');
  const tags = ['mail'];
  const engine: EngineDeps = deps;

  const render = async (row: OutboxMessage, handedOverAt: number | null) => {
    const view = await viewOutboxEmail(deps, row, handedOverAt ?? row.createdAt);
    return { view, parsed: view.raw === null ? null : await simpleParser(view.raw) };
  };

  const item = (
    row: OutboxMessage,
    handedOverAt: number | null,
    to: string | null,
    subject: string | null,
  ) => ({
    id: row.id,
    enrollmentId: text(row.payload.enrollmentId),
    recordId: text(row.payload.recordId),
    stepId: text(row.payload.stepId),
    to,
    subject,
    status: row.status,
    mailboxId: row.mailboxKey,
    handedOverAt: isoOrNull(handedOverAt),
    lastError: row.lastError,
    createdAt: iso(row.createdAt),
  });

  const found = async (id: string) => {
    const row = await deps.store.outbox.get(id);
    if (row === null) throw notFound('No such outbox message.');
    return row;
  };

  app.get(
    '/api/outbox',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Outbox messages by status (default send_unknown: waiting for an administrator)',
        querystring: Type.Object(
          { status: Type.Optional(Type.Enum(STATUSES)), ...PageQuery },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(OutboxItemView) },
      },
    },
    async (request) => {
      const page = await deps.store.outbox.listByStatus(
        request.query.status ?? 'send_unknown',
        pageOptions(request.query),
      );
      const sends = await deps.store.mailboxes.lastSendAt(page.items.map((row) => row.id));
      const items = [];
      for (const row of page.items) {
        const handedOverAt = sends.get(row.id) ?? null;
        const { view, parsed } = await render(row, handedOverAt);
        items.push(item(row, handedOverAt, view.to, parsed?.subject ?? null));
      }
      return { items, nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/outbox/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'One outbox message with the message itself (headers, text, html)',
        params: IdParams,
        response: { 200: OutboxMessageView, 404: Problem },
      },
    },
    async (request) => {
      const row = await found(request.params.id);
      const handedOverAt = (await deps.store.mailboxes.lastSendAt([row.id])).get(row.id) ?? null;
      const { view, parsed } = await render(row, handedOverAt);
      return {
        ...item(row, handedOverAt, view.to, parsed?.subject ?? null),
        attempts: row.attempts,
        providerResponse: row.providerResponse,
        message:
          parsed === null
            ? null
            : {
                headers: parsed.headerLines.map((line) => ({
                  name: line.key,
                  value: line.line.slice(line.line.indexOf(':') + 1).trim(),
                })),
                text: parsed.text ?? null,
                html: parsed.html === false ? null : (parsed.html ?? null),
              },
        messageProblem: view.problem,
      };
    },
  );

  app.post(
    '/api/outbox/:id/resend',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Queue a send_unknown message again, now (same Message-ID)',
        params: IdParams,
        response: {
          200: Type.Object({ id: Type.String(), status: Type.Literal('pending') }),
          404: Problem,
          409: Problem,
        },
      },
    },
    async (request) => {
      const row = await found(request.params.id);
      if (!(await resendUnknown(engine, row.id, actorOf(request).id))) throw notSendUnknown(row);
      request.log.info({ outboxId: row.id }, 'send_unknown message re-queued by an administrator');
      return { id: row.id, status: 'pending' as const };
    },
  );

  app.post(
    '/api/outbox/:id/drop',
    {
      preHandler: admin,
      preValidation: absentBodyIsEmpty,
      schema: {
        tags,
        summary: 'Drop a send_unknown message for good; the enrollment moves on',
        params: IdParams,
        body: DropBody,
        response: {
          200: Type.Object({ id: Type.String(), status: Type.Literal('dropped') }),
          404: Problem,
          409: Problem,
        },
      },
    },
    async (request) => {
      const row = await found(request.params.id);
      const delivered = request.body.delivered === true;
      if (!(await dropUnknown(engine, row.id, { delivered, actorId: actorOf(request).id })))
        throw notSendUnknown(row);
      request.log.info({ outboxId: row.id, delivered }, 'send_unknown message dropped by an administrator');
      return { id: row.id, status: 'dropped' as const };
    },
  );
};
