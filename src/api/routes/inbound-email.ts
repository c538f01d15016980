// Inbound mail over HTTP (api.md: `POST /api/inbound-email`, a raw RFC 5322 message as
// `message/rfc822`), for mail providers' inbound webhooks and scripts: the same classifier and
// handling as the SMTP listener. Administrators and managers, as for POST /api/signals: a reply or a
// bounce ends enrollments and suppresses addresses of every owner's records, so a salesperson may not
// post one, not even with an API token of their own (until session 13 any API token could).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { EngineDeps } from '../../engine/deps.js';
import { StoreError } from '../../engine/ports/store.js';
import { handleInboundEmail, MAX_INBOUND_BYTES } from '../../mail/inbound/handle-inbound.js';
import { notAMessageReason } from '../../mail/inbound/message-shape.js';
import { MANAGERS, requireRole } from '../auth/actor.js';
import { badRequest } from '../problem.js';

const InboundResultView = Type.Object({
  kind: Type.Union([
    Type.Literal('reply'),
    Type.Literal('auto_reply'),
    Type.Literal('bounce'),
    Type.Literal('unknown'),
  ]),
  reason: Type.String(),
  matched: Type.Union([Type.Literal('message'), Type.Literal('sender'), Type.Literal('none')]),
  signals: Type.Integer(),
});

const DESCRIPTION = [
  'The body is one raw RFC 5322 message, as received. `message/rfc822` is the documented type;',
  '`text/plain` and `application/octet-stream` are accepted too, read the same way, for providers and',
  'scripts that cannot set it. A body that is not a message answers 400 `bad_request` with an',
  '`errors` entry of code `not_a_message`: its header block (the lines before the first empty line; a',
  'leading mbox `From ` line is skipped) must start with a header field `Name: value` and include a',
  '`From`, `Date` or `Message-ID` field.',
  `Bodies over ${MAX_INBOUND_BYTES / 1024 / 1024} MiB answer 413.`,
].join(' ');

export const inboundEmailRoutes: FastifyPluginAsyncTypebox<{ deps: EngineDeps }> = async (app, { deps }) => {
  // The server's text/plain parser (json-body.ts) is replaced by this one in this context.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(
    ['message/rfc822', 'text/plain', 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: MAX_INBOUND_BYTES },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/api/inbound-email',
    {
      preHandler: requireRole(...MANAGERS),
      schema: {
        tags: ['mail'],
        summary: 'Classify a raw inbound message (reply, auto-reply, bounce) and record its signals',
        description: DESCRIPTION,
        consumes: ['message/rfc822', 'text/plain', 'application/octet-stream'],
        response: { 200: InboundResultView, 413: Type.Any() },
      },
    },
    async (request) => {
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0)
        throw badRequest('Send the raw message as message/rfc822.');
      const notAMessage = notAMessageReason(body);
      if (notAMessage !== null)
        throw badRequest('The body is not an email message.', [
          { code: 'not_a_message', message: notAMessage },
        ]);
      try {
        return await handleInboundEmail(deps, body);
      } catch (error) {
        if (error instanceof StoreError) throw error;
        request.log.warn({ err: error }, 'inbound message could not be parsed');
        throw badRequest('The body is not an email message.');
      }
    },
  );
};
