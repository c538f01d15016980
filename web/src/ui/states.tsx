// Loading, empty and error states, so every screen says what is going on in the same words and places.
import type { ReactNode } from 'react';
import { ApiError, NETWORK_ERROR } from '../api/api-error.js';
import { Icon } from './Icon.js';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function Empty({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="state state-empty">
      <h3>{title}</h3>
      {children !== undefined && <p>{children}</p>}
      {action}
    </div>
  );
}

/** An error from the API (or anything thrown), with a retry when there is something to retry. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <Icon name="warning" />
      <div>
        <h3>{errorTitle(error)}</h3>
        <p>{errorMessage(error)}</p>
        {onRetry !== undefined && (
          <button type="button" className="button" onClick={onRetry}>
            Try again
          </button>
        )}
      </div>
    </div>
  );
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

function errorTitle(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong';
  if (error.code === NETWORK_ERROR) return 'No connection to the server';
  if (error.status === 404 && error.message.startsWith('No route')) return 'Not available on this server yet';
  if (error.status === 403) return 'Not allowed';
  if (error.status === 404) return 'Not found';
  return error.title;
}

/** An inline problem next to a form. */
export function FormError({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  return (
    <div className="form-error" role="alert">
      <Icon name="warning" size={16} />
      <span>{errorMessage(error)}</span>
    </div>
  );
}

/** "Load more" under a list read a page at a time (usePagedResource), with the failure of the last try. */
export function ShowMore({
  list,
}: {
  list: { hasMore: boolean; loadMore: () => Promise<void>; loadingMore: boolean; moreError: unknown };
}) {
  if (!list.hasMore && (list.moreError === null || list.moreError === undefined)) return null;
  return (
    <div className="show-more">
      <FormError error={list.moreError} />
      {list.hasMore && (
        <button
          type="button"
          className="button"
          onClick={() => void list.loadMore()}
          disabled={list.loadingMore}
        >
          {list.loadingMore ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
