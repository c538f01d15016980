// The API client and the session for the whole app, made once in main.tsx and passed down by context.
import { createContext, type ReactNode, useContext, useSyncExternalStore } from 'react';
import type { Api } from '../api/endpoints.js';
import type { Session, SessionStore } from '../api/session.js';
import { type Permissions, permissionsOf } from './permissions.js';

interface AppServices {
  api: Api;
  session: SessionStore;
}

const ServicesContext = createContext<AppServices | null>(null);

export function ServicesProvider({ services, children }: { services: AppServices; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

function useServices(): AppServices {
  const services = useContext(ServicesContext);
  if (services === null) throw new Error('ServicesProvider is missing.');
  return services;
}

export function useApi(): Api {
  return useServices().api;
}

export function useSession(): Session | null {
  const { session } = useServices();
  return useSyncExternalStore(session.subscribe, session.get);
}

/** What the signed-in user's role may do (nothing when signed out). */
export function usePermissions(): Permissions {
  return permissionsOf(useSession()?.user.role);
}
