// The signed-in session: the bearer token, the CSRF token and the user, kept in memory and in
// sessionStorage so a reload keeps the tab signed in (and closing the tab forgets it).
import type { User } from './types.js';

export interface Session {
  token: string;
  csrfToken: string | null;
  user: User;
}

const KEY = 'stepwise.session';

export interface SessionStore {
  get(): Session | null;
  set(session: Session | null): void;
  subscribe(listener: (session: Session | null) => void): () => void;
}

/** `storage` is sessionStorage in the browser; tests pass a Map-backed stand-in or nothing. */
export function createSessionStore(
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>,
): SessionStore {
  let current = read(storage);
  const listeners = new Set<(session: Session | null) => void>();
  return {
    get: () => current,
    set(session) {
      current = session;
      if (session === null) storage?.removeItem(KEY);
      else storage?.setItem(KEY, JSON.stringify(session));
      for (const listener of listeners) listener(session);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function read(storage: Pick<Storage, 'getItem'> | undefined): Session | null {
  const text = storage?.getItem(KEY);
  if (text === null || text === undefined) return null;
  try {
    const value = JSON.parse(text) as Partial<Session>;
    return typeof value.token === 'string' && value.user !== undefined
      ? { token: value.token, csrfToken: value.csrfToken ?? null, user: value.user }
      : null;
  } catch {
    return null;
  }
}
