// Hands the open designer's store (and what it needs to know about its sequence) to the components.
import type { EntityType } from '@domain/definition.js';
import { createContext, type ReactNode, useContext } from 'react';
import { useStore } from 'zustand';
import type { DesignerState, DesignerStore } from './designer-store.js';

export interface DesignerEnvironment {
  /** The sequence being designed, so "advance to" can leave it out. */
  sequenceId: string | null;
  entityType: EntityType;
}

const StoreContext = createContext<DesignerStore | null>(null);
const EnvironmentContext = createContext<DesignerEnvironment>({ sequenceId: null, entityType: 'lead' });

export function DesignerProvider({
  store,
  environment,
  children,
}: {
  store: DesignerStore;
  environment: DesignerEnvironment;
  children: ReactNode;
}) {
  return (
    <StoreContext.Provider value={store}>
      <EnvironmentContext.Provider value={environment}>{children}</EnvironmentContext.Provider>
    </StoreContext.Provider>
  );
}

/** Reads one slice of the designer state; components re-render only when that slice changes. */
export function useDesigner<T>(selector: (state: DesignerState) => T): T {
  const store = useContext(StoreContext);
  if (store === null) throw new Error('DesignerProvider is missing.');
  return useStore(store, selector);
}

export function useDesignerEnvironment(): DesignerEnvironment {
  return useContext(EnvironmentContext);
}
