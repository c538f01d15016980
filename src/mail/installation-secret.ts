// The installation secret: STEPWISE_SECRET, or a key generated once and kept in the database (the
// first process to start stores it; every other process reads the same one).
import type { EngineDeps } from '../engine/deps.js';

export async function installationSecret(deps: EngineDeps, configured: string | null): Promise<string> {
  if (configured !== null) return configured;
  return String(await deps.store.settings.setIfAbsent('secret', deps.ids.secret(32)));
}
