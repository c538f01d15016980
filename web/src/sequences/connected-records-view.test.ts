import { describe, expect, it } from 'vitest';
import {
  connectedEmptyState,
  connectedRecordsQuery,
  connectedViewOf,
  MAX_SEARCH_LENGTH,
  withConnectedView,
} from './connected-records-view.js';

const params = (text: string) => new URLSearchParams(text);

describe('the Connected records view in the address', () => {
  it('reads the status, the search and the order, and falls back to the defaults for what it does not know', () => {
    expect(connectedViewOf(params('tab=records'))).toEqual({ status: '', q: '', sort: 'status' });
    expect(connectedViewOf(params('tab=records&status=paused&q=%20Ada%20&sort=name'))).toEqual({
      status: 'paused',
      q: 'Ada',
      sort: 'name',
    });
    expect(connectedViewOf(params('status=gone&sort=due'))).toEqual({ status: '', q: '', sort: 'status' });
    expect(connectedViewOf(params(`q=${'x'.repeat(300)}`)).q).toHaveLength(MAX_SEARCH_LENGTH);
  });

  it('writes a change and keeps the tab; a default leaves the address', () => {
    const start = params('tab=records&q=ada');
    expect(withConnectedView(start, { sort: 'newest' }).toString()).toBe('tab=records&q=ada&sort=newest');
    expect(
      withConnectedView(params('tab=records&q=ada&sort=name'), { q: '  ', sort: 'status' }).toString(),
    ).toBe('tab=records');
    expect(withConnectedView(start, { q: ' grace hopper ' }).get('q')).toBe('grace hopper');
    expect(withConnectedView(start, { status: 'active' }).toString()).toBe('tab=records&q=ada&status=active');
    // The address given is not changed.
    expect(start.toString()).toBe('tab=records&q=ada');
  });
});

describe('the query of a page', () => {
  it('asks for the plain list as before, and adds only what the view changes', () => {
    expect(connectedRecordsQuery({ status: '', q: '', sort: 'status' }, { limit: 50 })).toEqual({
      limit: 50,
    });
    expect(
      connectedRecordsQuery({ status: 'active', q: 'ada', sort: 'name' }, { limit: 50, cursor: 'abc' }),
    ).toEqual({ limit: 50, cursor: 'abc', status: 'active', q: 'ada', sort: 'name' });
    expect(connectedRecordsQuery({ status: '', q: '', sort: 'newest' }, { limit: 10 })).toEqual({
      limit: 10,
      sort: 'newest',
    });
  });
});

describe('an empty list', () => {
  it('says that nothing matches the search, apart from nothing connected or nothing of a status', () => {
    expect(connectedEmptyState({ status: '', q: 'zed', sort: 'name' }, 'active')).toEqual({
      title: 'No connected record matches “zed”',
      body: 'Search by a part of the record’s name or email address.',
    });
    expect(connectedEmptyState({ status: 'paused', q: 'zed', sort: 'status' }, 'active').body).toContain(
      'show all statuses',
    );
    expect(connectedEmptyState({ status: 'paused', q: '', sort: 'status' }, 'active').title).toBe(
      'No records with this status',
    );
    expect(connectedEmptyState({ status: '', q: '', sort: 'newest' }, 'inactive')).toEqual({
      title: 'No records are connected',
      body: 'Activate the sequence to connect records to it.',
    });
    expect(connectedEmptyState({ status: '', q: '', sort: 'status' }, 'active').body).toContain(
      '+ Connect records',
    );
  });
});
