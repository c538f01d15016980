// Time-zone names are stored as the platform names them (canonicalTimeZone): `america/new_york` and
// `US/Eastern` are both America/New_York once stored, on every path that takes one (users created and
// updated, records created, updated, upserted in bulk and imported from CSV); a name that is no zone is
// still a 400 / a row error.
import { expect, it } from 'vitest';
import { canonicalTimeZone } from '../domain/calendar.js';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { startDialectServerAsAdmin } from './test-support/dialect-server.js';

const startServer = startDialectServerAsAdmin;

it('canonicalTimeZone names a zone as the platform does, and refuses what is not one', () => {
  expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
  expect(canonicalTimeZone('EUROPE/PARIS')).toBe('Europe/Paris');
  expect(canonicalTimeZone('utc')).toBe('UTC');
  expect(canonicalTimeZone('US/Eastern')).toBe('America/New_York');
  expect(canonicalTimeZone('Asia/Tokyo')).toBe('Asia/Tokyo');
  // The names IANA uses now, not ICU's older ids (Node 20 resolves Asia/Kolkata to Asia/Calcutta).
  expect(canonicalTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
  expect(canonicalTimeZone('asia/calcutta')).toBe('Asia/Kolkata');
  expect(canonicalTimeZone('Europe/Kyiv')).toBe('Europe/Kyiv');
  expect(canonicalTimeZone('Europe/Kiev')).toBe('Europe/Kyiv');
  expect(canonicalTimeZone('America/Argentina/Buenos_Aires')).toBe('America/Argentina/Buenos_Aires');
  expect(canonicalTimeZone('Asia/Ho_Chi_Minh')).toBe('Asia/Ho_Chi_Minh');
  expect(canonicalTimeZone('Mars/Olympus')).toBeNull();
  expect(canonicalTimeZone('+05:00')).toBeNull();
  expect(canonicalTimeZone('')).toBeNull();
});

forEachDialect('time-zone names', (t) => {
  it('users: created and updated with a zone in any case, stored and returned canonical', async () => {
    const { deps, call } = await startServer(t);
    const created = await call('POST', '/api/users', {
      email: 'zoe@example.com',
      name: 'Zoe',
      role: 'salesperson',
      timezone: 'america/new_york',
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    expect(created.json().timezone).toBe('America/New_York');
    expect((await deps.store.users.get(id))?.timezone).toBe('America/New_York');

    const updated = await call('PATCH', `/api/users/${id}`, { timezone: 'US/Pacific' });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().timezone).toBe('America/Los_Angeles');
    expect((await deps.store.users.get(id))?.timezone).toBe('America/Los_Angeles');

    const refused = await call('PATCH', `/api/users/${id}`, { timezone: 'europe/atlantis' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ errors: [{ code: 'invalid_timezone', path: '/timezone' }] });
    expect((await deps.store.users.get(id))?.timezone).toBe('America/Los_Angeles');
  });

  it('records: create, update, bulk upsert and CSV import store the canonical name', async () => {
    const { deps, call } = await startServer(t);
    const created = await call('POST', '/api/records', {
      type: 'lead',
      name: 'Ada',
      timezone: 'europe/london',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().timezone).toBe('Europe/London');
    const id = created.json().id as string;

    const patched = await call('PATCH', `/api/records/${id}`, { timezone: 'ASIA/TOKYO' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().timezone).toBe('Asia/Tokyo');
    expect((await deps.store.records.get(id))?.timezone).toBe('Asia/Tokyo');
    const cleared = await call('PATCH', `/api/records/${id}`, { timezone: null });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json().timezone).toBeNull();

    const bulk = await call('POST', '/api/records/bulk', {
      records: [
        { type: 'lead', name: 'Bea', externalId: 'b-1', timezone: 'europe/berlin' },
        { type: 'lead', name: 'Cy', externalId: 'c-1', timezone: 'Nowhere/Else' },
      ],
    });
    expect(bulk.statusCode).toBe(200);
    expect(bulk.json()).toMatchObject({ created: 1, errors: [{ index: 1, code: 'invalid_timezone' }] });
    const bea = bulk.json().items[0].id as string;
    expect((await deps.store.records.get(bea))?.timezone).toBe('Europe/Berlin');

    const imported = await call(
      'POST',
      '/api/records/import?type=lead',
      'name,externalId,timezone\nDee,d-1,australia/sydney\nEve,e-1,not a zone\n',
      'text/csv',
    );
    expect(imported.statusCode).toBe(200);
    expect(imported.json()).toMatchObject({ created: 1, errors: [{ code: 'invalid_timezone' }] });
    const dee = imported.json().items[0].id as string;
    expect((await deps.store.records.get(dee))?.timezone).toBe('Australia/Sydney');
  });
});
