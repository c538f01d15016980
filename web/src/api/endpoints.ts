// One function per API route the app uses (api.md), grouped by resource. Screens call these, never fetch.
import type { EntityType, SequenceDefinition } from '@domain/definition.js';
import type { HttpClient } from './client.js';
import type { SessionStore } from './session.js';
import type {
  ConnectAnswer,
  CrmRecord,
  EmailPreview,
  EmailTemplate,
  Enrollment,
  LoginAnswer,
  Page,
  Sequence,
  SequenceStatsAnswer,
  SequenceStatus,
  SequenceTemplateInfo,
  SequenceVersion,
  User,
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
      me: () => http.request<User>('GET', '/api/users/me'),
    },
    users: {
      list: () => http.request<Page<User> | User[]>('GET', '/api/users'),
    },
    sequences: {
      list: (query: { status?: SequenceStatus; q?: string; tag?: string }, signal?: AbortSignal) =>
        http.request<Page<Sequence>>('GET', '/api/sequences', { query, ...(signal ? { signal } : {}) }),
      get: (id: string) => http.request<Sequence>('GET', `/api/sequences/${enc(id)}`),
      create: (body: {
        name: string;
        description?: string;
        entityType: EntityType;
        definition?: SequenceDefinition;
      }) => http.request<Sequence>('POST', '/api/sequences', { body }),
      update: (id: string, body: { name?: string; description?: string; definition?: SequenceDefinition }) =>
        http.request<Sequence>('PUT', `/api/sequences/${enc(id)}`, { body }),
      activate: (id: string, versionDescription?: string) =>
        http.request<Sequence>('POST', `/api/sequences/${enc(id)}/activate`, {
          body: versionDescription === undefined || versionDescription === '' ? {} : { versionDescription },
        }),
      deactivate: (id: string) =>
        http.request<Sequence>('POST', `/api/sequences/${enc(id)}/deactivate`, { body: {} }),
      revise: (id: string) =>
        http.request<Sequence>('POST', `/api/sequences/${enc(id)}/revise`, { body: {} }),
      clone: (id: string, name?: string) =>
        http.request<Sequence>('POST', `/api/sequences/${enc(id)}/clone`, {
          body: name === undefined ? {} : { name },
        }),
      remove: (id: string) => http.request<void>('DELETE', `/api/sequences/${enc(id)}`),
      versions: (id: string) => http.request<SequenceVersion[]>('GET', `/api/sequences/${enc(id)}/versions`),
    },
    enrollments: {
      connect: (sequenceId: string, recordIds: string[]) =>
        http.request<ConnectAnswer>('POST', `/api/sequences/${enc(sequenceId)}/enrollments`, {
          body: { recordIds },
        }),
      ofSequence: (sequenceId: string, query: { status?: string; cursor?: string } = {}) =>
        http.request<Page<Enrollment>>('GET', `/api/sequences/${enc(sequenceId)}/enrollments`, { query }),
      disconnect: (sequenceId: string, recordIds: string[]) =>
        http.request<{ disconnected: string[]; notEnrolled: string[] }>(
          'POST',
          `/api/sequences/${enc(sequenceId)}/enrollments/disconnect`,
          { body: { recordIds } },
        ),
    },
    stats: {
      ofSequence: (sequenceId: string) =>
        http.request<SequenceStatsAnswer>('GET', `/api/sequences/${enc(sequenceId)}/stats`),
    },
    sequenceTemplates: {
      list: () => http.request<SequenceTemplateInfo[]>('GET', '/api/sequence-templates'),
      use: (key: string, name?: string) =>
        http.request<Sequence>('POST', `/api/sequence-templates/${enc(key)}/use`, {
          body: name === undefined || name === '' ? {} : { name },
        }),
    },
    emailTemplates: {
      list: () =>
        http.request<EmailTemplate[] | Page<EmailTemplate>>('GET', '/api/email-templates').then(itemsOf),
      get: (id: string) => http.request<EmailTemplate>('GET', `/api/email-templates/${enc(id)}`),
      create: (body: Omit<EmailTemplate, 'id'>) =>
        http.request<EmailTemplate>('POST', '/api/email-templates', { body }),
      update: (id: string, body: Omit<EmailTemplate, 'id'>) =>
        http.request<EmailTemplate>('PUT', `/api/email-templates/${enc(id)}`, { body }),
      remove: (id: string) => http.request<void>('DELETE', `/api/email-templates/${enc(id)}`),
      preview: (id: string, recordId: string) =>
        http.request<EmailPreview>('POST', `/api/email-templates/${enc(id)}/preview`, { body: { recordId } }),
    },
    records: {
      list: (query: { type: EntityType; q?: string; ownerId?: string; limit?: number; cursor?: string }) =>
        http.request<Page<CrmRecord>>('GET', '/api/records', { query }),
      get: (id: string) => http.request<CrmRecord>('GET', `/api/records/${enc(id)}`),
      upNext: (id: string) => http.request<unknown[]>('GET', `/api/records/${enc(id)}/up-next`),
    },
    worklist: {
      list: (query: { when: 'overdue' | 'today' | 'upcoming' | 'all' }) =>
        http.request<Page<WorkItem>>('GET', '/api/worklist', { query }),
    },
  };
}

/** Lists come as `{items}` pages; some early routes answered bare arrays. */
export function itemsOf<T>(answer: T[] | Page<T>): T[] {
  return Array.isArray(answer) ? answer : answer.items;
}

function enc(id: string): string {
  return encodeURIComponent(id);
}
