// Open and click tracking (api.md: `GET /t/o/{token}`, `GET /t/c/{token}`). Tokens are HMAC-signed
// (tracking-token.ts): a forged or altered one records nothing and reveals nothing — the pixel is
// served all the same, a click answers 404. Hits become signals (deduplicated per message and minute);
// opens within seconds of the send are flagged as likely machine opens (security scanners).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { EngineDeps } from '../../engine/deps.js';
import { ingestSignals } from '../../engine/signals.js';
import { isLikelyMachineOpen } from '../../mail/machine-open.js';
import { verifyToken } from '../../mail/tracking-token.js';
import { notFound } from '../problem.js';

/** A transparent 1×1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const MINUTE = 60_000;
const TokenParams = Type.Object({ token: Type.String({ maxLength: 8192 }) });

export const trackingRoutes: FastifyPluginAsyncTypebox<{ deps: EngineDeps; secret: string }> = async (
  app,
  { deps, secret },
) => {
  const config = { auth: false };

  app.get(
    '/t/o/:token',
    { config, schema: { tags: ['tracking'], params: TokenParams } },
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
      return reply
        .header('cache-control', 'no-store, no-cache, must-revalidate, private')
        .type('image/gif')
        .send(PIXEL);
    },
  );

  app.get(
    '/t/c/:token',
    { config, schema: { tags: ['tracking'], params: TokenParams } },
    async (request, reply) => {
      const payload = verifyToken(secret, request.params.token);
      if (payload?.kind !== 'click' || !/^https?:\/\//i.test(payload.url)) throw notFound();
      const message = await deps.store.outbox.get(payload.messageId);
      if (message !== null) {
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
