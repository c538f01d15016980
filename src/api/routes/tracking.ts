// Open and click tracking (api.md: `GET /t/o/{token}`, `GET /t/c/{token}`). Tokens are HMAC-signed
// (tracking-token.ts): a forged or altered one records nothing and reveals nothing — the pixel is
// served all the same, a click answers 404. Hits become signals (deduplicated per message and minute),
// only for a message that was sent: a failed or never-sent one cannot have been opened or clicked.
// Opens within seconds of the send are flagged as likely machine opens (security scanners).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { EngineDeps } from '../../engine/deps.js';
import { ingestSignals } from '../../engine/signals.js';
import { isLikelyMachineOpen } from '../../mail/machine-open.js';
import { verifyToken } from '../../mail/tracking-token.js';
import { notFound, ProblemError } from '../problem.js';
import { Problem } from '../schemas.js';

/** A transparent 1×1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const MINUTE = 60_000;
const TokenParams = Type.Object({ token: Type.String({ maxLength: 8192 }) });
const OPEN_PREFIX = '/t/o/';
/** The pixel's bytes, for the OpenAPI document (a Buffer is sent as it is, never serialised). */
const Gif = Type.Unsafe<Buffer>({ type: 'string', contentMediaType: 'image/gif', description: 'A 1×1 GIF' });
const Redirect = Type.Unsafe<undefined>({
  type: 'null',
  description: "To the link's address (a click on a sent message is recorded)",
  headers: { location: { type: 'string', format: 'uri' } },
});

/** docs/mail.md: the pixel is "a 1×1 GIF, always", whatever follows `/t/o/` (mail clients show a broken image otherwise). */
export function sendPixel(reply: FastifyReply): FastifyReply {
  return (
    reply
      .code(200)
      .header('cache-control', 'no-store, no-cache, must-revalidate, private')
      // Mail clients on another origin load it as an image (the server's default is same-origin).
      .header('cross-origin-resource-policy', 'cross-origin')
      .type('image/gif')
      .send(PIXEL)
  );
}

/**
 * A GET (or HEAD) under `/t/o/`: the server's framework-error and not-found handlers answer it with the
 * pixel too, for a URL no route runs for (an encoding that does not decode, `%ff`; a token too long for
 * the router; `/t/o/a/b`).
 */
export function isOpenPixelRequest(request: Pick<FastifyRequest, 'method' | 'url'>): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && request.url.startsWith(OPEN_PREFIX);
}

export const trackingRoutes: FastifyPluginAsyncTypebox<{ deps: EngineDeps; secret: string }> = async (
  app,
  { deps, secret },
) => {
  const config = { auth: false };

  // Anything that fails on the way — a NUL character refused at the door, a store error — answers the
  // pixel too; the failure is logged, not shown. What never reaches this route (a URL that does not
  // decode, a token past the router's 8192 characters, more path segments) gets it from the server's
  // framework-error and not-found handlers (isOpenPixelRequest).
  app.get(
    `${OPEN_PREFIX}:token`,
    {
      config,
      schema: {
        tags: ['tracking'],
        summary: 'The open pixel: a 1×1 GIF, always; records an open of a sent message',
        params: Type.Object({ token: Type.String() }),
        produces: ['image/gif'],
        response: { 200: Gif },
      },
      errorHandler: (error, request, reply) => {
        // A refused input (a NUL character: ProblemError 400) is the sender's garbage; anything else is ours.
        if (!(error instanceof ProblemError))
          request.log.error({ err: error }, 'open pixel: nothing recorded');
        return sendPixel(reply);
      },
    },
    async (request, reply) => {
      const payload = verifyToken(secret, request.params.token);
      if (payload?.kind === 'open') {
        const message = await deps.store.outbox.get(payload.messageId);
        if (message !== null && message.sentAt !== null) {
          const now = deps.clock.now();
          const machine = isLikelyMachineOpen(message.sentAt, now);
          await ingestSignals(deps, [
            {
              id: `open:${message.id}:${Math.floor(now / MINUTE)}`,
              type: 'email_opened',
              messageId: message.id,
              at: now,
              data: { likelyMachineOpen: machine },
            },
          ]);
        }
      }
      return sendPixel(reply);
    },
  );

  app.get(
    '/t/c/:token',
    {
      config,
      schema: {
        tags: ['tracking'],
        summary: 'The click redirect: records a click of a sent message and redirects to the link',
        params: TokenParams,
        response: { 302: Redirect, 400: Problem, 404: Problem },
      },
    },
    async (request, reply) => {
      const payload = verifyToken(secret, request.params.token);
      if (payload?.kind !== 'click' || !/^https?:\/\//i.test(payload.url)) throw notFound();
      // The person clicked a link: they go where it points either way, but only a sent message's click
      // counts (as for opens). A failed message's links can still be reached, e.g. from a preview.
      const message = await deps.store.outbox.get(payload.messageId);
      if (message !== null && message.sentAt !== null) {
        const now = deps.clock.now();
        await ingestSignals(deps, [
          {
            id: `click:${message.id}:${payload.linkIndex}:${Math.floor(now / MINUTE)}`,
            type: 'email_clicked',
            messageId: message.id,
            at: now,
            data: { url: payload.url.slice(0, 2000), linkIndex: payload.linkIndex },
          },
        ]);
      }
      return reply.header('cache-control', 'no-store').redirect(payload.url, 302);
    },
  );
};
