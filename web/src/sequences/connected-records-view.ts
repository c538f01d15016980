// What the Connected records tab shows: the status, the search and the order, kept in the page's address
// (`?tab=records&status=active&q=ada&sort=name`, as the records lists keep `?q=`), the API query they make,
// and what an empty list says.

export const CONNECTED_SORTS = [
  ['status', 'Status'],
  ['newest', 'Newest connected'],
  ['name', 'Record name (A–Z)'],
] as const;
export type ConnectedSort = (typeof CONNECTED_SORTS)[number][0];

export const CONNECTED_STATUS_FILTERS = [
  ['', 'All'],
  ['active', 'Active'],
  ['paused', 'Paused'],
  ['completed', 'Completed'],
  ['disconnected', 'Disconnected'],
  ['error', 'Error'],
] as const;

export interface ConnectedView {
  /** '' for every status. */
  status: string;
  /** Trimmed; '' for no search. */
  q: string;
  sort: ConnectedSort;
}

/** The API takes at most this many characters of a search (GET /api/sequences/{id}/enrollments?q=). */
export const MAX_SEARCH_LENGTH = 200;

const isSort = (text: string): text is ConnectedSort => CONNECTED_SORTS.some(([value]) => value === text);
const isStatus = (text: string) => CONNECTED_STATUS_FILTERS.some(([value]) => value === text);

/** The view an address asks for; what the tab does not know (a hand-edited `?sort=due`) is the default. */
export function connectedViewOf(params: URLSearchParams): ConnectedView {
  const status = params.get('status') ?? '';
  const sort = params.get('sort') ?? '';
  return {
    status: isStatus(status) ? status : '',
    q: (params.get('q') ?? '').trim().slice(0, MAX_SEARCH_LENGTH),
    sort: isSort(sort) ? sort : 'status',
  };
}

/** The address with `change` applied: defaults leave it, other parameters (the tab) stay. */
export function withConnectedView(params: URLSearchParams, change: Partial<ConnectedView>): URLSearchParams {
  const next = new URLSearchParams(params);
  const set = (name: string, value: string | undefined, fallback: string) => {
    if (value === undefined) return;
    if (value === fallback) next.delete(name);
    else next.set(name, value);
  };
  set('status', change.status, '');
  set('q', change.q?.trim(), '');
  set('sort', change.sort, 'status');
  return next;
}

/** The query of one page: only what differs from the API's defaults, so the plain list asks as before. */
export function connectedRecordsQuery(
  view: ConnectedView,
  page: { limit: number; cursor?: string | undefined },
): { limit: number; cursor?: string; status?: string; q?: string; sort?: ConnectedSort } {
  return {
    limit: page.limit,
    ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
    ...(view.status === '' ? {} : { status: view.status }),
    ...(view.q === '' ? {} : { q: view.q }),
    ...(view.sort === 'status' ? {} : { sort: view.sort }),
  };
}

/** What an empty list says: nothing connected yet, nothing of this status, or no match for the search. */
export function connectedEmptyState(
  view: ConnectedView,
  sequenceStatus: string,
): { title: string; body: string } {
  if (view.q !== '')
    return {
      title: `No connected record matches “${view.q}”`,
      body:
        view.status === ''
          ? 'Search by a part of the record’s name or email address.'
          : 'Search by a part of the record’s name or email address, or show all statuses.',
    };
  if (view.status !== '')
    return { title: 'No records with this status', body: 'Choose another status under Show.' };
  return {
    title: 'No records are connected',
    body:
      sequenceStatus === 'inactive'
        ? 'Activate the sequence to connect records to it.'
        : 'Select + Connect records, or connect them from their list with Connect sequence.',
  };
}
