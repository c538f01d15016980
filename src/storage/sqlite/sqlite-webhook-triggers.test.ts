// SQLite's webhook triggers exist only while an active endpoint subscribes: an installation without
// webhooks pays nothing on its engine writes (sqlite-webhook-triggers.ts).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Store } from '../../engine/ports/store.js';
import { openStore } from '../open-store.js';
import { openSqliteDatabase, prepareStatement } from './sqlite-handles.js';

let stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.map((s) => s.close()));
  stores = [];
});

function triggers(file: string): string[] {
  const db = openSqliteDatabase(file, { readonly: true });
  try {
    const rows = prepareStatement(
      db,
      "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
    ).all();
    return (rows as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

it('creates the triggers with the first subscription, keeps them after a restart, drops them with the last', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'stepwise-triggers-')), 'store.db');
  const store = await openStore(file);
  stores.push(store);
  expect(triggers(file)).toEqual([]);

  const base = { url: 'https://hooks.example/in', secret: 'whsec_test', createdAt: 1 };
  await store.webhooks.create({ ...base, id: 'wh_1', events: ['step.opened'] });
  const all = triggers(file);
  expect(all).toContain('webhook_step_at_insert');
  expect(all).toContain('webhook_enrollment_started');
  expect(all).toHaveLength(10);

  await store.webhooks.create({ ...base, id: 'wh_2', events: ['*'] });
  await store.webhooks.update('wh_1', { active: false }, 2);
  expect(triggers(file)).toHaveLength(10);

  // A restart (migrations run again) keeps what the subscriptions want.
  await store.close();
  stores = [];
  const reopened = await openStore(file);
  stores.push(reopened);
  expect(triggers(file)).toHaveLength(10);

  await reopened.webhooks.delete('wh_2');
  expect(triggers(file)).toEqual([]);
  await reopened.webhooks.update('wh_1', { active: true }, 3);
  expect(triggers(file)).toHaveLength(10);
  await reopened.webhooks.update('wh_1', { events: [] }, 4);
  expect(triggers(file)).toEqual([]);
});

it('adds a trigger that a newer version brought (webhook_email_dropped) to a database that has the older set', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'stepwise-triggers-')), 'store.db');
  const store = await openStore(file);
  await store.webhooks.create({
    id: 'wh_1',
    url: 'https://hooks.example/in',
    secret: 'whsec_test',
    createdAt: 1,
    events: ['email.failed'],
  });
  await store.close();
  const db = openSqliteDatabase(file);
  try {
    db.exec('DROP TRIGGER webhook_email_dropped');
  } finally {
    db.close();
  }
  expect(triggers(file)).toHaveLength(9);
  stores.push(await openStore(file));
  expect(triggers(file)).toContain('webhook_email_dropped');
});
