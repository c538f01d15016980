// Which mailbox sends the signed-in user's emails (GET /api/users/me): the notice after sending an email
// step says when there is none yet, and that they can add their own under Your account (step-actions.ts).
// Undefined while loading, or when the server does not say.
import { useApi } from '../app/api-context.js';
import { useResource } from '../ui/use-resource.js';

export function useMyMailbox(): 'own' | 'default' | 'none' | undefined {
  const api = useApi();
  return useResource(() => api.auth.me(), [api]).data?.mailbox;
}
