// The unsubscribe page (`GET`/`POST /u/{token}`): GET shows a confirm button (mail scanners follow
// links, so a GET never unsubscribes); POST — the button, or a mail client's RFC 8058 one-click POST
// — suppresses the address and ends its records' enrollments (`email_unsubscribed`).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { EngineDeps } from '../../engine/deps.js';
import { ingestSignals, type SignalInput } from '../../engine/signals.js';
import { suppress } from '../../engine/suppression.js';
import { escapeHtml } from '../../mail/plain-text-to-html.js';
import { verifyUnsubscribeToken } from '../../mail/unsubscribe-token.js';
import { PUBLIC_BODY_LIMIT } from '../json-body.js';
import { notFound } from '../problem.js';

const TokenParams = Type.Object({ token: Type.String({ maxLength: 2048 }) });

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}button{font:inherit;padding:.5rem 1rem}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

const INVALID = page(
  'Link not valid',
  '<p>This unsubscribe link is not valid. Please use the link from the email itself.</p>',
);

/** A person's browser gets a page; a mail client's one-click POST or a script gets problem+json. */
const wantsHtml = (accept: string | undefined) => accept?.includes('text/html') === true;

export const unsubscribeRoutes: FastifyPluginAsyncTypebox<{ deps: EngineDeps; secret: string }> = async (
  app,
  { deps, secret },
) => {
  const config = { auth: false };
  // RFC 8058 one-click posts `List-Unsubscribe=One-Click` form-encoded; the confirm form posts the same.
  // The body carries nothing we need: the token says everything. (The server's text/plain parser, json-body.ts,
  // is replaced by this one in this context.)
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(
    ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'],
    { parseAs: 'string', bodyLimit: 4096 },
    (_request, _body, done) => done(null, null),
  );

  app.get(
    '/u/:token',
    { config, schema: { tags: ['unsubscribe'], params: TokenParams } },
    async (request, reply) => {
      const payload = verifyUnsubscribeToken(secret, request.params.token);
      if (payload === null && !wantsHtml(request.headers.accept)) throw notFound();
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
      if (payload === null) return reply.status(404).send(INVALID);
      return reply.send(
        page(
          'Unsubscribe',
          `<p>Stop emails to <strong>${escapeHtml(payload.email)}</strong>?</p>` +
            `<form method="post" action="${escapeHtml(request.params.token)}"><button type="submit">Unsubscribe</button></form>`,
        ),
      );
    },
  );

  app.post(
    '/u/:token',
    { config, bodyLimit: PUBLIC_BODY_LIMIT, schema: { tags: ['unsubscribe'], params: TokenParams } },
    async (request, reply) => {
      const payload = verifyUnsubscribeToken(secret, request.params.token);
      if (payload === null && !wantsHtml(request.headers.accept)) throw notFound();
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
      if (payload === null) return reply.status(404).send(INVALID);
      await suppress(deps, { email: payload.email, reason: 'unsubscribed', source: 'unsubscribe_link' });
      const records = await deps.store.records.findByEmail(payload.email);
      const message = await deps.store.outbox.get(payload.messageId);
      const signals: SignalInput[] = records.map((record) => ({
        id: `unsubscribe:${payload.messageId}:${record.id}`,
        type: 'email_unsubscribed',
        recordId: record.id,
        ...(message?.payload.recordId === record.id ? { messageId: message.id } : {}),
      }));
      if (signals.length > 0) await ingestSignals(deps, signals);
      request.log.info({ outboxId: payload.messageId, records: records.length }, 'unsubscribed');
      return reply.send(
        page(
          'You are unsubscribed',
          `<p>${escapeHtml(payload.email)} will not receive these emails again.</p>`,
        ),
      );
    },
  );
};
