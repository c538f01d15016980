// The HTTP client: every call to /api goes through `request`, which adds the bearer token (and the CSRF
// token on writes), turns failures into ApiError, and ends the session on a 401.
import { ApiError, networkError, problemFromResponse } from './api-error.js';
import type { SessionStore } from './session.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  signal?: AbortSignal;
}

export interface HttpClient {
  request<T>(method: HttpMethod, path: string, options?: RequestOptions): Promise<T>;
}

export interface HttpClientDeps {
  fetch: typeof fetch;
  session: SessionStore;
  /** Prefix for paths, '' in the browser (same origin). */
  baseUrl?: string;
}

const SAFE = new Set<HttpMethod>(['GET']);

export function createHttpClient({ fetch: fetchFn, session, baseUrl = '' }: HttpClientDeps): HttpClient {
  return {
    async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
      const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
      const current = session.get();
      if (current !== null) {
        headers.authorization = `Bearer ${current.token}`;
        if (!SAFE.has(method) && current.csrfToken !== null) headers['x-csrf-token'] = current.csrfToken;
      }
      let body: string | undefined;
      if (options.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(options.body);
      }
      let response: Response;
      try {
        response = await fetchFn(`${baseUrl}${path}${queryString(options.query)}`, {
          method,
          headers,
          credentials: 'same-origin',
          ...(body === undefined ? {} : { body }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
      } catch (cause) {
        if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
        throw networkError(cause);
      }
      const text = await response.text();
      if (!response.ok) {
        const error = problemFromResponse(response.status, text);
        if (error.status === 401 && current !== null) session.set(null);
        throw error;
      }
      if (response.status === 204 || text === '') return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ApiError(
          response.status,
          'bad_response',
          'The server answered with something that is not JSON.',
          'Bad answer',
        );
      }
    },
  };
}

function queryString(query: RequestOptions['query']): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
