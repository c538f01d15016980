// SMTP mailboxes (docs/mail.md): the installation's default (`userId: null`) and one per user.
// Administrators manage them all; everyone may keep their own at /api/users/me/mailbox. The password
// is write-only: stored encrypted (src/mail/mailbox-password.ts), answered as `hasPassword`. So is the
// IMAP URL its replies are polled from, as it carries a password: answered as `imap`, its other parts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger } from 'fastify';
import { type Static, Type } from 'typebox';
import { emailKey } from '../../domain/email-address.js';
import type { EngineDeps } from '../../engine/deps.js';
import type { OutboundPolicy } from '../../engine/outbound-hosts.js';
import { accountOfMailbox } from '../../engine/outbox-sender.js';
import { type Mailbox, type MailboxPatch, StoreConflictError } from '../../engine/ports/store.js';
import { parseImapUrl } from '../../mail/inbound/imap-poller.js';
import { decryptMailboxPassword, encryptMailboxPassword } from '../../mail/mailbox-password.js';
import { verifyMailbox } from '../../mail/verify-mailbox.js';
import { actorOf, EVERYONE, requireRole } from '../auth/actor.js';
import { checkHostAllowed } from '../host-not-allowed.js';
import { badRequest, notFound, ProblemError } from '../problem.js';
import {
  IdParams,
  Instant,
  iso,
  NoContent,
  NullableText,
  PageOf,
  PageQuery,
  Problem,
  pageOptions,
} from '../schemas.js';

const DAY_MS = 24 * 60 * 60_000;

const ImapView = Type.Union(
  [
    Type.Object({
      host: Type.String(),
      port: Type.Integer(),
      secure: Type.Boolean({ description: 'imaps: TLS from the first byte' }),
      mailbox: Type.String({ description: 'The folder polled, INBOX by default' }),
      username: Type.String(),
    }),
    Type.Null(),
  ],
  { description: 'Where replies and bounces are polled (never the password); null: not polled' },
);

const MailboxView = Type.Object({
  id: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()], { description: 'null: the installation default' }),
  name: Type.String(),
  host: Type.String(),
  port: Type.Integer(),
  secure: Type.Boolean({ description: 'TLS from the first byte (465); otherwise STARTTLS when offered' }),
  username: Type.Union([Type.String(), Type.Null()]),
  hasPassword: Type.Boolean({ description: 'The password itself is never returned' }),
  fromAddress: Type.Union([Type.String(), Type.Null()]),
  fromName: Type.Union([Type.String(), Type.Null()]),
  dailyCap: Type.Union([Type.Integer(), Type.Null()], { description: 'Per rolling 24 hours; null: no cap' }),
  minSpacingSeconds: Type.Number(),
  imap: ImapView,
  sentLast24h: Type.Integer(),
  createdAt: Instant,
  updatedAt: Instant,
});

const settings = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  host: Type.String({ minLength: 1, maxLength: 255 }),
  port: Type.Integer({ minimum: 1, maximum: 65_535 }),
  secure: Type.Boolean(),
  username: NullableText({ maxLength: 320 }),
  password: NullableText({ maxLength: 1000, description: 'Write-only; null clears it' }),
  fromAddress: Type.String({ format: 'email', maxLength: 320 }),
  fromName: NullableText({ maxLength: 200 }),
  dailyCap: Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: 1, maximum: 1_000_000 }),
  minSpacingSeconds: Type.Integer({ minimum: 0, maximum: 86_400 }),
  imapUrl: NullableText({
    maxLength: 2000,
    description:
      'Write-only: imaps://user:pass@host:993/INBOX, where replies and bounces are polled; null or "" clears it, absent keeps it',
  }),
};

const MailboxBody = Type.Object(
  {
    name: settings.name,
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    username: settings.username,
    password: settings.password,
    fromAddress: settings.fromAddress,
    fromName: Type.Optional(settings.fromName),
    dailyCap: Type.Optional(settings.dailyCap),
    minSpacingSeconds: Type.Optional(settings.minSpacingSeconds),
    imapUrl: Type.Optional(settings.imapUrl),
  },
  { additionalProperties: false },
);
type MailboxBody = Static<typeof MailboxBody>;

const CreateMailboxBody = Type.Object(
  {
    ...MailboxBody.properties,
    userId: Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], {
      description: 'The owner; null: the installation default',
    }),
  },
  { additionalProperties: false },
);

const PatchMailboxBody = Type.Partial(MailboxBody, { additionalProperties: false });
type PatchMailboxBody = Static<typeof PatchMailboxBody>;

const MailboxCheckView = Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()) });

export const mailboxRoutes: FastifyPluginAsyncTypebox<{
  deps: EngineDeps;
  secret: string;
  outbound: OutboundPolicy;
}> = async (app, { deps, secret, outbound }) => {
  const admin = requireRole('admin');
  const everyone = requireRole(...EVERYONE);
  const tags = ['mail'];
  const { mailboxes } = deps.store;

  const view = async (mailbox: Mailbox, log: FastifyBaseLogger) => ({
    id: mailbox.id,
    userId: mailbox.userId,
    name: mailbox.name,
    host: mailbox.host,
    port: mailbox.port,
    secure: mailbox.secure,
    username: mailbox.username,
    hasPassword: mailbox.passwordEncrypted !== null,
    fromAddress: mailbox.fromAddress,
    fromName: mailbox.fromName,
    dailyCap: mailbox.dailyCap,
    minSpacingSeconds: mailbox.minSpacingMs / 1000,
    imap: imapView(mailbox, secret, log),
    sentLast24h: (await mailboxes.sendWindow(mailbox.id, deps.clock.now() - DAY_MS, -1)).count,
    createdAt: iso(mailbox.createdAt),
    updatedAt: iso(mailbox.updatedAt),
  });

  const patchOf = (body: PatchMailboxBody): MailboxPatch => {
    const patch: MailboxPatch = {};
    if (body.name !== undefined) patch.name = body.name.trim();
    if (body.host !== undefined) patch.host = body.host.trim();
    if (body.port !== undefined) patch.port = body.port;
    if (body.secure !== undefined) patch.secure = body.secure;
    if (body.username !== undefined) patch.username = body.username;
    if (body.password !== undefined)
      patch.passwordEncrypted =
        body.password === null || body.password === '' ? null : encryptMailboxPassword(secret, body.password);
    if (body.fromAddress !== undefined) patch.fromAddress = body.fromAddress;
    if (body.fromName !== undefined) patch.fromName = body.fromName;
    if (body.dailyCap !== undefined) patch.dailyCap = body.dailyCap;
    if (body.minSpacingSeconds !== undefined) patch.minSpacingMs = body.minSpacingSeconds * 1000;
    if (body.imapUrl !== undefined) {
      const url = body.imapUrl?.trim() ?? '';
      patch.imapUrlEncrypted = url === '' ? null : encryptMailboxPassword(secret, checkedImapUrl(url));
    }
    return patch;
  };

  /** Hosts the server would never connect to are refused when saved (422), not at every send or poll. */
  const checkHosts = async (body: PatchMailboxBody) => {
    if (body.host !== undefined) await checkHostAllowed(outbound, body.host.trim(), '/host');
    const imapUrl = body.imapUrl?.trim() ?? '';
    if (imapUrl === '') return;
    let imapHost: string;
    try {
      imapHost = parseImapUrl(imapUrl).host;
    } catch {
      return; // patchOf answers the 400 for a URL that does not parse
    }
    await checkHostAllowed(outbound, imapHost, '/imapUrl');
  };

  const create = async (userId: string | null, body: MailboxBody) => {
    if ((await mailboxes.forUser(userId)) !== null) throw mailboxExists(userId);
    try {
      return await mailboxes.create({
        ...patchOf(body),
        id: deps.ids.newId('mbx'),
        userId,
        host: body.host.trim(),
        port: body.port,
        dailyCap: body.dailyCap === undefined ? 400 : body.dailyCap,
        minSpacingMs: (body.minSpacingSeconds ?? 20) * 1000,
        createdAt: deps.clock.now(),
      });
    } catch (error) {
      // The same request twice at once: the other one created it after our check (mailboxes_user_key),
      // which is the same 409 as when it was there before, not a bare `conflict`.
      if (error instanceof StoreConflictError && error.constraint === 'mailboxes_user_key')
        throw mailboxExists(userId);
      throw error;
    }
  };

  const found = async (id: string) => {
    const mailbox = await mailboxes.get(id);
    if (mailbox === null) throw notFound('No such mailbox.');
    return mailbox;
  };

  app.get(
    '/api/mailboxes',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Every SMTP mailbox (never their passwords), in id order',
        querystring: Type.Object(PageQuery),
        response: { 200: PageOf(MailboxView) },
      },
    },
    async (request) => {
      const page = await mailboxes.listPage(pageOptions(request.query));
      return {
        items: await Promise.all(page.items.map((mailbox) => view(mailbox, request.log))),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.post(
    '/api/mailboxes',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: "Add the installation's default mailbox (userId null) or a user's own",
        body: CreateMailboxBody,
        response: { 201: MailboxView, 409: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      const { userId, ...body } = request.body;
      await checkHosts(body);
      if (userId !== null && (await deps.store.users.get(userId)) === null)
        throw new ProblemError(422, 'unknown_user', 'No user has this id.', [
          { code: 'unknown_user', message: 'No user has this id.', path: '/userId' },
        ]);
      const mailbox = await create(userId, body);
      request.log.info({ mailboxId: mailbox.id, userId }, 'mailbox created');
      return reply.status(201).send(await view(mailbox, request.log));
    },
  );

  app.get(
    '/api/mailboxes/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'One mailbox',
        params: IdParams,
        response: { 200: MailboxView, 404: Problem },
      },
    },
    async (request) => view(await found(request.params.id), request.log),
  );

  app.patch(
    '/api/mailboxes/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Change a mailbox (a password sent replaces the stored one; absent keeps it)',
        params: IdParams,
        body: PatchMailboxBody,
        response: { 200: MailboxView, 404: Problem, 422: Problem },
      },
    },
    async (request) => {
      await checkHosts(request.body);
      const updated = await mailboxes.update(request.params.id, patchOf(request.body), deps.clock.now());
      if (updated === null) throw notFound('No such mailbox.');
      return view(updated, request.log);
    },
  );

  app.delete(
    '/api/mailboxes/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Delete a mailbox (its messages then go out through the installation default)',
        params: IdParams,
        response: { 204: NoContent, 404: Problem },
      },
    },
    async (request, reply) => {
      if (!(await mailboxes.delete(request.params.id))) throw notFound('No such mailbox.');
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/mailboxes/:id/verify',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Connect and log in to the SMTP server (sends nothing)',
        params: IdParams,
        response: { 200: MailboxCheckView, 404: Problem },
      },
    },
    async (request) => verifyMailbox(accountOfMailbox(await found(request.params.id)), secret, outbound),
  );

  app.get(
    '/api/users/me/mailbox',
    {
      preHandler: everyone,
      schema: { tags, summary: 'Your own sending mailbox', response: { 200: MailboxView, 404: Problem } },
    },
    async (request) => {
      const mailbox = await mailboxes.forUser(actorOf(request).id);
      if (mailbox === null)
        throw notFound('You have no mailbox of your own: the installation default sends.');
      return view(mailbox, request.log);
    },
  );

  app.put(
    '/api/users/me/mailbox',
    {
      preHandler: everyone,
      schema: {
        tags,
        summary: 'Set your own sending mailbox (a password left out keeps the stored one)',
        body: Type.Object(
          { ...MailboxBody.properties, password: Type.Optional(settings.password) },
          { additionalProperties: false },
        ),
        response: { 200: MailboxView, 422: Problem },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      // Found by the security audit: a seller's mailbox sent as any address they typed (ceo@…). It sends as
      // them; administrators may give a mailbox any address (here, and in Settings at /api/mailboxes).
      if (actor.role !== 'admin' && emailKey(request.body.fromAddress) !== emailKey(actor.email))
        throw badRequest('Your mailbox sends as you.', [
          {
            code: 'from_address_not_yours',
            path: '/fromAddress',
            message: `Your mailbox's from address must be your own email address (${actor.email}).`,
          },
        ]);
      await checkHosts(request.body);
      const userId = actor.id;
      let current = await mailboxes.forUser(userId);
      const body = { password: null, ...request.body };
      if (current === null) {
        try {
          return view(await create(userId, body), request.log);
        } catch (error) {
          // A PUT repeated at once (a double click, a retry): the other copy created the mailbox after our
          // read, so this one changes it, as a PUT does; it never answers 409.
          if (!(error instanceof ProblemError && error.code === 'mailbox_exists')) throw error;
          current = await mailboxes.forUser(userId);
          if (current === null) throw error;
        }
      }
      const patch = patchOf({
        ...request.body,
        fromName: request.body.fromName ?? null,
        dailyCap: request.body.dailyCap === undefined ? 400 : request.body.dailyCap,
        minSpacingSeconds: request.body.minSpacingSeconds ?? 20,
      });
      const updated = await mailboxes.update(current.id, patch, deps.clock.now());
      if (updated === null) throw notFound('No such mailbox.');
      return view(updated, request.log);
    },
  );
};

/** The URL as sent, or the 400 a client can act on (a URL that does not parse is theirs, never a 500). */
function checkedImapUrl(url: string): string {
  try {
    parseImapUrl(url);
    return url;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw badRequest('The IMAP URL is not valid.', [
      {
        code: 'invalid_imap_url',
        path: '/imapUrl',
        message: `${message}: give imaps://user:password@host:993/INBOX (or imap://…, port 143)`,
      },
    ]);
  }
}

/**
 * The stored IMAP URL without its password. One that no longer decrypts (STEPWISE_SECRET changed) reads as
 * none, as the poller then cannot use it either; it is logged, by mailbox id, so the admin can set it again.
 */
function imapView(mailbox: Mailbox, secret: string, log: FastifyBaseLogger): Static<typeof ImapView> {
  if (mailbox.imapUrlEncrypted === null) return null;
  try {
    const target = parseImapUrl(decryptMailboxPassword(secret, mailbox.imapUrlEncrypted));
    return {
      host: target.host,
      port: target.port,
      secure: target.secure,
      mailbox: target.mailbox,
      username: target.user,
    };
  } catch {
    log.warn({ mailboxId: mailbox.id }, 'the stored IMAP URL of a mailbox does not decrypt: set it again');
    return null;
  }
}

function mailboxExists(userId: string | null): ProblemError {
  return new ProblemError(
    409,
    'mailbox_exists',
    userId === null
      ? 'The installation already has a default mailbox: change it instead.'
      : 'This user already has a mailbox: change it instead.',
  );
}
