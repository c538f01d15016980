// One function per API route the app uses (api.md), grouped by resource. Screens call these, never fetch.
import type { EntityType, SequenceDefinition } from '@domain/definition.js';
import type { HttpClient } from './client.js';
import type { SessionStore } from './session.js';
import type {
  ApiToken,
  ConnectAnswer,
  ConnectedRecord,
  CrmRecord,
  DirectoryUser,
  DisconnectAnswer,
  EmailPreview,
  EmailTemplate,
  EnrollmentDetail,
  LoginAnswer,
  Mailbox,
  MailboxInput,
  Me,
  MeInput,
  MyMailboxInput,
  NewApiToken,
  OutboxItem,
  Page,
  RecordEnrollment,
  RecordInput,
  Role,
  SellerStatsAnswer,
  Sequence,
  SequenceStatsAnswer,
  SequenceStatus,
  SequenceTemplateInfo,
  SequenceVersion,
  SequenceVersionDetail,
  User,
  UserInput,
  WebhookDelivery,
  WebhookEndpoint,
  WorkItem,
} from './types.js';

export type Api = ReturnType<typeof createApi>;

export function createApi(http: HttpClient, session: SessionStore) {
  return {
    auth: {
      async signIn(email: string, password: string): Promise<User> {
        const answer = await http.request<LoginAnswer>('POST', '/api/auth/login', {
          body: { email, password },
        });
        session.set({ token: answer.token, csrfToken: answer.csrfToken ?? null, user: answer.user });
        return answer.user;
      },
      async signOut(): Promise<void> {
        try {
          await http.request<void>('POST', '/api/auth/logout');
        } finally {
          session.set(null);
        }
      },
      me: () => http.request<Me>('GET', '/api/users/me'),
      /** Resolves while the one-time set-up link can create the first administrator; a 404 ApiError otherwise. */
      checkSetup: (token: string) =>
        http.request<{ valid: true }>('GET', '/api/setup', { query: { token } }).then(() => undefined),
      /** Creates the first administrator with the set-up link and signs in as them. */
      async completeSetup(body: {
        token: string;
        email: string;
        name: string;
        password: string;
      }): Promise<User> {
        const answer = await http.request<LoginAnswer>('POST', '/api/setup', { body });
        session.set({ token: answer.token, csrfToken: answer.csrfToken ?? null, user: answer.user });
        return answer.user;
      },
    },
    users: {
      /** Every user, page by page (the first page alone stopped at 50). */
      list: () =>
        allPages((cursor) =>
          http.request<Page<User>>('GET', '/api/users', { query: { limit: MAX_PAGE_LIMIT, cursor } }),
        ),
      /**
       * Names and roles of the active users, for every signed-in user (owner filters and columns), page by
       * page: asking for 500 at once was answered with the server's cap of 200.
       */
      directory: () =>
        allPages((cursor) =>
          http.request<Page<DirectoryUser>>('GET', '/api/users/directory', {
            query: { limit: MAX_PAGE_LIMIT, cursor },
          }),
        ),
      create: (body: UserInput & { email: string; name: string; role: Role }) =>
        http.request<User>('POST', '/api/users', { body }),
      update: (id: string, body: UserInput) => http.request<User>('PATCH', `/api/users/${enc(id)}`, { body }),
    },
    /** The signed-in user's own account: profile and calendar, mailbox and API tokens (every role). */
    account: {
      /** Also renames the user in the session, so the top bar follows. */
      async update(body: MeInput): Promise<User> {
        const user = await http.request<User>('PATCH', '/api/users/me', { body });
        const current = session.get();
        if (current !== null && current.user.id === user.id)
          session.set({ ...current, user: { ...current.user, ...user } });
        return user;
      },
      /**
       * Changes their password: every session of theirs ends, and the answer is a new one, kept as this
       * tab's session (the cookie the server sets is the new one too).
       */
      async changePassword(body: { currentPassword: string; newPassword: string }): Promise<void> {
        const answer = await http.request<LoginAnswer>('PUT', '/api/users/me/password', { body });
        session.set({ token: answer.token, csrfToken: answer.csrfToken ?? null, user: answer.user });
      },
      /** Their own sending mailbox; a 404 ApiError when they have none (the installation default sends). */
      mailbox: () => http.request<Mailbox>('GET', '/api/users/me/mailbox'),
      /** Creates or replaces it; a password left out keeps the stored one. */
      setMailbox: (body: MyMailboxInput) => http.request<Mailbox>('PUT', '/api/users/me/mailbox', { body }),
      /** Every one of their tokens, revoked ones included, oldest first. */
      tokens: () =>
        allPages((cursor) =>
          http.request<Page<ApiToken>>('GET', '/api/users/me/tokens', {
            query: { limit: MAX_PAGE_LIMIT, cursor },
          }),
        ),
      /** The answer is the only time the token is shown. */
      createToken: (name: string) =>
        http.request<NewApiToken>('POST', '/api/users/me/tokens', { body: { name } }),
      revokeToken: (id: string) => http.request<void>('DELETE', `/api/users/me/tokens/${enc(id)}`),
    },
    /** Sending mailboxes and their limits (administrators). */
    mailboxes: {
      /** Every mailbox: one per user at most plus the default, walked page by page. */
      list: () =>
        allPages((cursor) =>
          http.request<Page<Mailbox>>('GET', '/api/mailboxes', { query: { limit: MAX_PAGE_LIMIT, cursor } }),
        ),
      get: (id: string) => http.request<Mailbox>('GET', `/api/mailboxes/${enc(id)}`),
      create: (body: MailboxInput) => http.request<Mailbox>('POST', '/api/mailboxes', { body }),
      update: (id: string, body: MailboxInput) =>
        http.request<Mailbox>('PATCH', `/api/mailboxes/${enc(id)}`, { body }),
      remove: (id: string) => http.request<void>('DELETE', `/api/mailboxes/${enc(id)}`),
      verify: (id: string) =>
        http.request<{ ok: boolean; message?: string; error?: string }>(
          'POST',
          `/api/mailboxes/${enc(id)}/verify`,
          { body: {} },
        ),
    },
    /** Outgoing webhooks, their deliveries and re-sending (administrators). */
    webhooks: {
      list: () =>
        allPages((cursor) =>
          http.request<Page<WebhookEndpoint>>('GET', '/api/webhooks', {
            query: { limit: MAX_PAGE_LIMIT, cursor },
          }),
        ),
      create: (body: { url: string; events: string[]; description?: string; active?: boolean }) =>
        http.request<WebhookEndpoint>('POST', '/api/webhooks', { body }),
      update: (
        id: string,
        body: { url?: string; events?: string[]; description?: string; active?: boolean },
      ) => http.request<WebhookEndpoint>('PATCH', `/api/webhooks/${enc(id)}`, { body }),
      remove: (id: string) => http.request<void>('DELETE', `/api/webhooks/${enc(id)}`),
      rotateSecret: (id: string) =>
        http.request<WebhookEndpoint>('POST', `/api/webhooks/${enc(id)}/rotate-secret`, { body: {} }),
      /** One page of an endpoint's deliveries, newest first. */
      deliveries: (id: string, cursor?: string, signal?: AbortSignal) =>
        http
          .request<WebhookDelivery[] | Page<WebhookDelivery>>('GET', `/api/webhooks/${enc(id)}/deliveries`, {
            query: { cursor },
            ...(signal ? { signal } : {}),
          })
          .then(pageOf),
      resend: (deliveryId: string) =>
        http.request<WebhookDelivery>('POST', `/api/webhook-deliveries/${enc(deliveryId)}/resend`, {
          body: {},
        }),
    },
    /** Outgoing emails held for an administrator (`send_unknown`: maybe sent, maybe not). */
    outbox: {
      /** One page of the outgoing emails in `status`. */
      list: (status: string, cursor?: string, signal?: AbortSignal) =>
        http
          .request<OutboxItem[] | Page<OutboxItem>>('GET', '/api/outbox', {
            query: { status, cursor },
            ...(signal ? { signal } : {}),
          })
          .then(pageOf),
      get: (id: string) => http.request<OutboxItem>('GET', `/api/outbox/${enc(id)}`),
      resend: (id: string) => http.request<OutboxItem>('POST', `/api/outbox/${enc(id)}/resend`, { body: {} }),
      drop: (id: string) => http.request<OutboxItem>('POST', `/api/outbox/${enc(id)}/drop`, { body: {} }),
    },
    sequences: {
      /** One page (`limit` at most MAX_PAGE_LIMIT; the server's default is 50). */
      list: (
        query: { status?: SequenceStatus; q?: string; tag?: string; limit?: number; cursor?: string },
        signal?: AbortSignal,
      ) => http.request<Page<Sequence>>('GET', '/api/sequences', { query, ...(signal ? { signal } : {}) }),
      /** Every sequence that matches, walked page by page: for pickers and the Sequences page's tabs. */
      all: (query: { status?: SequenceStatus; q?: string; tag?: string }, signal?: AbortSignal) =>
        allPages((cursor) =>
          http.request<Page<Sequence>>('GET', '/api/sequences', {
            query: { ...query, limit: MAX_PAGE_LIMIT, cursor },
            ...(signal ? { signal } : {}),
          }),
        ),
      get: (id: string) => http.request<Sequence>('GET', `/api/sequences/${enc(id)}`),
      create: (body: {
        name: string;
        description?: string;
        entityType: EntityType;
        definition?: SequenceDefinition;
      }) => http.request<Sequence>('POST', '/api/sequences', { body }),
      update: (
        id: string,
        body: {
          name?: string;
          description?: string | null;
          tags?: string[];
          definition?: SequenceDefinition;
        },
      ) => http.request<Sequence>('PUT', `/api/sequences/${enc(id)}`, { body }),
      activate: (id: string, versionDescription?: string) =>
        http.request<Sequence>('POST', `/api/sequences/${enc(id)}/activate`, {
          body: versionDescription === undefined || versionDescription === '' ? {} : { versionDescription },
        }),
      deactivate: (id: string) =>
        http.request<Sequence>('POST', `/api/sequences/${enc(id)}/deactivate`, { body: {} }),
      revise: (id: string) =>
        http.request<Sequence>('POST', `/api/sequences/${enc(id)}/revise`, { body: {} }),
      /** Gives up a revision: back to the active version, the draft deleted. */
      discardRevision: (id: string) =>
        http.request<Sequence>('POST', `/api/sequences/${enc(id)}/discard-revision`, { body: {} }),
      clone: (id: string, name?: string) =>
        http.request<Sequence>('POST', `/api/sequences/${enc(id)}/clone`, {
          body: name === undefined ? {} : { name },
        }),
      remove: (id: string) => http.request<void>('DELETE', `/api/sequences/${enc(id)}`),
      versions: (id: string) => http.request<SequenceVersion[]>('GET', `/api/sequences/${enc(id)}/versions`),
      version: (id: string, version: number) =>
        http.request<SequenceVersionDetail>('GET', `/api/sequences/${enc(id)}/versions/${version}`),
    },
    enrollments: {
      connect: (sequenceId: string, recordIds: string[]) =>
        http.request<ConnectAnswer>('POST', `/api/sequences/${enc(sequenceId)}/enrollments`, {
          body: { recordIds },
        }),
      ofSequence: (
        sequenceId: string,
        query: { status?: string; cursor?: string; limit?: number } = {},
        signal?: AbortSignal,
      ) =>
        http.request<Page<ConnectedRecord>>('GET', `/api/sequences/${enc(sequenceId)}/enrollments`, {
          query,
          ...(signal ? { signal } : {}),
        }),
      disconnect: (sequenceId: string, recordIds: string[]) =>
        http.request<{ disconnected: string[]; notEnrolled: string[] }>(
          'POST',
          `/api/sequences/${enc(sequenceId)}/enrollments/disconnect`,
          { body: { recordIds } },
        ),
    },
    stats: {
      /** All versions together, or one (`version`). */
      ofSequence: (sequenceId: string, version?: number | null) =>
        http.request<SequenceStatsAnswer>('GET', `/api/sequences/${enc(sequenceId)}/stats`, {
          query: { version: version ?? undefined },
        }),
      /** The figures per seller (owner of the enrollments), of all versions or of one. */
      bySeller: (sequenceId: string, version?: number | null) =>
        http.request<SellerStatsAnswer>('GET', `/api/sequences/${enc(sequenceId)}/stats/sellers`, {
          query: { version: version ?? undefined },
        }),
    },
    sequenceTemplates: {
      list: () => http.request<SequenceTemplateInfo[]>('GET', '/api/sequence-templates'),
      use: (key: string, name?: string) =>
        http.request<Sequence>('POST', `/api/sequence-templates/${enc(key)}/use`, {
          body: name === undefined || name === '' ? {} : { name },
        }),
    },
    emailTemplates: {
      /** Every template, walked page by page (the list page searches them, the designer picks from them). */
      list: () =>
        allPages((cursor) =>
          http.request<Page<EmailTemplate>>('GET', '/api/email-templates', {
            query: { limit: MAX_PAGE_LIMIT, cursor },
          }),
        ),
      get: (id: string) => http.request<EmailTemplate>('GET', `/api/email-templates/${enc(id)}`),
      create: (body: Omit<EmailTemplate, 'id'>) =>
        http.request<EmailTemplate>('POST', '/api/email-templates', { body }),
      update: (id: string, body: Omit<EmailTemplate, 'id'>) =>
        http.request<EmailTemplate>('PUT', `/api/email-templates/${enc(id)}`, { body }),
      remove: (id: string) => http.request<void>('DELETE', `/api/email-templates/${enc(id)}`),
      /** With `enrollmentStepId`, as that step would send it (its sequence's name in `{{ sequence.name }}`). */
      preview: (id: string, recordId: string, enrollmentStepId?: string) =>
        http.request<EmailPreview>('POST', `/api/email-templates/${enc(id)}/preview`, {
          body: enrollmentStepId === undefined ? { recordId } : { recordId, enrollmentStepId },
        }),
    },
    records: {
      /** Without `type`, records of every type (a preview's record search). */
      list: (query: { type?: EntityType; q?: string; ownerId?: string; limit?: number; cursor?: string }) =>
        http.request<Page<CrmRecord>>('GET', '/api/records', { query }),
      get: (id: string) => http.request<CrmRecord>('GET', `/api/records/${enc(id)}`),
      create: (body: RecordInput & { type: EntityType; name: string }) =>
        http.request<CrmRecord>('POST', '/api/records', { body }),
      update: (id: string, body: RecordInput) =>
        http.request<CrmRecord>('PATCH', `/api/records/${enc(id)}`, { body }),
      /** Its running enrollments end with `record_deleted`. */
      remove: (id: string) => http.request<void>('DELETE', `/api/records/${enc(id)}`),
      upNext: (id: string, signal?: AbortSignal) =>
        http.request<WorkItem[]>('GET', `/api/records/${enc(id)}/up-next`, signal ? { signal } : {}),
      /** Newest first, ended ones included; one page of `limit`. */
      enrollments: (
        id: string,
        query: { limit?: number; cursor?: string | null } = {},
        signal?: AbortSignal,
      ) =>
        http.request<Page<RecordEnrollment>>('GET', `/api/records/${enc(id)}/enrollments`, {
          query: { limit: query.limit, cursor: query.cursor ?? undefined },
          ...(signal ? { signal } : {}),
        }),
    },
    worklist: {
      list: (
        query: {
          when: 'overdue' | 'today' | 'upcoming' | 'all';
          ownerId?: string;
          limit?: number;
          cursor?: string;
        },
        signal?: AbortSignal,
      ) => http.request<Page<WorkItem>>('GET', '/api/worklist', { query, ...(signal ? { signal } : {}) }),
    },
    /** The seller's actions on one enrollment step (api.md "Work list"); each answers the enrollment after it. */
    enrollmentSteps: {
      complete: (id: string, body: { outcome?: string; notes?: string }) =>
        http.request<EnrollmentDetail>('POST', `/api/enrollment-steps/${enc(id)}/complete`, { body }),
      skip: (id: string) =>
        http.request<EnrollmentDetail>('POST', `/api/enrollment-steps/${enc(id)}/skip`, { body: {} }),
      snooze: (id: string, until: string) =>
        http.request<EnrollmentDetail>('POST', `/api/enrollment-steps/${enc(id)}/snooze`, {
          body: { until },
        }),
      skipWait: (id: string) =>
        http.request<EnrollmentDetail>('POST', `/api/enrollment-steps/${enc(id)}/skip-wait`, { body: {} }),
      send: (id: string, body: { subject?: string; body?: string }) =>
        http.request<EnrollmentDetail>('POST', `/api/enrollment-steps/${enc(id)}/send`, { body }),
    },
    /** The test clock (STEPWISE_CLOCK=manual only; 404 on a real server). */
    clock: {
      get: (signal?: AbortSignal) =>
        http.request<{ now: string }>('GET', '/api/clock', signal ? { signal } : {}),
    },
    enrollment: {
      get: (id: string, signal?: AbortSignal) =>
        http.request<EnrollmentDetail>('GET', `/api/enrollments/${enc(id)}`, signal ? { signal } : {}),
      /** Nothing of it falls due until it resumes; resuming shifts its pending times by the paused time. */
      pause: (id: string) =>
        http.request<EnrollmentDetail>('POST', `/api/enrollments/${enc(id)}/pause`, { body: {} }),
      resume: (id: string) =>
        http.request<EnrollmentDetail>('POST', `/api/enrollments/${enc(id)}/resume`, { body: {} }),
      disconnectRecords: (sequenceId: string, recordIds: string[]) =>
        http.request<DisconnectAnswer>('POST', `/api/sequences/${enc(sequenceId)}/enrollments/disconnect`, {
          body: { recordIds },
        }),
    },
  };
}

/** The API's cap on `limit` (api/schemas.ts MAX_PAGE_LIMIT): larger asks are answered with this many. */
const MAX_PAGE_LIMIT = 200;

/** Every item of a paginated list, following `nextCursor` until the last page. */
async function allPages<T>(page: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const answer = await page(cursor);
    items.push(...answer.items);
    cursor = answer.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}

/** Lists come as `{items}` pages; some early routes answered bare arrays. */
/** A page, from a server that pages the list or (an older one) answers it whole. */
export function pageOf<T>(answer: T[] | Page<T>): Page<T> {
  return Array.isArray(answer) ? { items: answer, nextCursor: null } : answer;
}

function enc(id: string): string {
  return encodeURIComponent(id);
}
