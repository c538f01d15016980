// An owner's name for the lists' Owner columns, from the users directory (GET /api/users/directory), which
// holds only active users: an owner who has been disabled since is named as such rather than by an id.
import type { DirectoryUser } from '../api/types.js';

export function ownerName(directory: readonly DirectoryUser[] | undefined, ownerId: string): string {
  if (directory === undefined) return '…';
  return directory.find((u) => u.id === ownerId)?.name ?? 'Inactive user';
}
