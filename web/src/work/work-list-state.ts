// The work list as the screen holds it: the loaded items plus optimistic changes (a step completed,
// skipped, sent or snoozed disappears or moves at once) that are confirmed or rolled back when the
// server answers. Pure, so the rules are tested without React.
import type { WorkItem } from '../api/types.js';

export interface WorkListState {
  items: WorkItem[];
  /** Items changed optimistically, as they were before, by id: what a rollback restores. */
  pending: Record<string, WorkItem>;
}

export type WorkListAction =
  | { type: 'loaded'; items: WorkItem[] }
  /** Completed, skipped or sent: the item leaves the list until the server answers. */
  | { type: 'removed'; id: string }
  /** Snoozed at `at`: the item moves to its new due time, and reads as snoozed. */
  | { type: 'snoozed'; id: string; until: string; at: string }
  | { type: 'confirmed'; id: string }
  | { type: 'rolledBack'; id: string };

export const EMPTY_WORK_LIST: WorkListState = { items: [], pending: {} };

export function workListReducer(state: WorkListState, action: WorkListAction): WorkListState {
  switch (action.type) {
    case 'loaded': {
      // A reload while a change is in flight must not bring the item back, nor lose its rollback.
      const pending = state.pending;
      const items = action.items.flatMap((item) => {
        if (!(item.id in pending)) return [item];
        const changed = state.items.find((i) => i.id === item.id);
        return changed === undefined ? [] : [changed];
      });
      return { items, pending };
    }
    case 'removed': {
      const item = state.items.find((i) => i.id === action.id);
      if (item === undefined) return state;
      return {
        items: state.items.filter((i) => i.id !== action.id),
        pending: { ...state.pending, [action.id]: state.pending[action.id] ?? item },
      };
    }
    case 'snoozed': {
      const item = state.items.find((i) => i.id === action.id);
      if (item === undefined) return state;
      return {
        items: state.items.map((i) =>
          i.id === action.id
            ? { ...i, dueAt: action.until, state: 'waiting' as const, snoozedAt: action.at }
            : i,
        ),
        pending: { ...state.pending, [action.id]: state.pending[action.id] ?? item },
      };
    }
    case 'confirmed': {
      if (!(action.id in state.pending)) return state;
      const { [action.id]: _done, ...pending } = state.pending;
      return { items: state.items, pending };
    }
    case 'rolledBack': {
      const before = state.pending[action.id];
      if (before === undefined) return state;
      const { [action.id]: _undone, ...pending } = state.pending;
      const present = state.items.some((i) => i.id === action.id);
      return {
        items: present ? state.items.map((i) => (i.id === action.id ? before : i)) : [...state.items, before],
        pending,
      };
    }
    default:
      return assertNever(action);
  }
}

function assertNever(value: never): never {
  throw new Error(`Unhandled action ${JSON.stringify(value)}`);
}
