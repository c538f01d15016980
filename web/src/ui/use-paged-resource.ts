// A list the API hands out a page at a time (`{items, nextCursor}`), shown from its first page with a
// "Show more" that appends the next: for lists that can grow long (webhook deliveries, held emails), where
// reading every page up front, as the pickers do, would load thousands of rows nobody looks at.
import { type DependencyList, useCallback, useState } from 'react';
import type { Page } from '../api/types.js';
import { useResource } from './use-resource.js';

export interface PagedResource<T> {
  status: 'loading' | 'ok' | 'error';
  /** The first page and every page added by loadMore, in order; undefined until the first page came. */
  items: T[] | undefined;
  error: unknown;
  /** Loads the first page again (after a change), dropping the pages added since. */
  reload: () => void;
  hasMore: boolean;
  loadMore: () => Promise<void>;
  loadingMore: boolean;
  /** Why the last loadMore failed, until the next one or a reload. */
  moreError: unknown;
}

export function usePagedResource<T>(
  loadPage: (cursor: string | undefined, signal?: AbortSignal) => Promise<Page<T>>,
  deps: DependencyList,
): PagedResource<T> {
  // The pages after the first, and the cursor of the one after them; reset with each first page.
  const [more, setMore] = useState<{ first: Page<T> | undefined; items: T[]; cursor: string | null }>({
    first: undefined,
    items: [],
    cursor: null,
  });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const first = useResource((signal) => loadPage(undefined, signal), deps);
  // Pages added belong to the first page they followed: a reload (a new first page object) drops them.
  const current = more.first === first.data ? more : { first: first.data, items: [], cursor: null };
  const cursor = current.first === undefined ? null : (current.cursor ?? current.first.nextCursor ?? null);

  const loadMore = async () => {
    if (cursor === null || first.data === undefined) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await loadPage(cursor);
      setMore({
        first: first.data,
        items: [...current.items, ...page.items],
        // An exhausted list has no cursor; '' marks "no more" apart from "not loaded yet" (null).
        cursor: page.nextCursor ?? '',
      });
    } catch (caught) {
      setMoreError(caught);
    } finally {
      setLoadingMore(false);
    }
  };

  const { reload } = first;
  const reloadAll = useCallback(() => {
    setMoreError(null);
    reload();
  }, [reload]);

  return {
    status: first.status,
    items: first.data === undefined ? undefined : [...first.data.items, ...current.items],
    error: first.error,
    reload: reloadAll,
    hasMore: cursor !== null && cursor !== '',
    loadMore,
    loadingMore,
    moreError,
  };
}
