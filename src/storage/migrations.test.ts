// Migrations apply to an empty database on both dialects, once, and refuse edited history.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../engine/ports/store.js';
import { loadMigrations, pendingMigrations } from './migrations.js';
import { openStoreReporting } from './open-store.js';
import { forEachDialect } from './test-support/dialects.js';
import { dumpSchema } from './test-support/schema-dump.js';

const MIGRATION_NAMES = [
  '0001_initial',
  '0002_scheduled_work_idx',
  '0003_mail',
  '0004_signals_suppressions',
  '0005_webhooks',
  '0006_mailbox_names',
  '0007_webhook_triggers_on_demand',
  '0009_signal_steps',
  '0010_facts_from_firsts',
  '0011_engine_rows_unchecked',
  '0012_record_deletions',
  '0013_external_id_live_records',
  '0014_webhook_email_dropped',
  '0015_outbox_held',
  '0016_enrollments_by_record',
  '0017_mailbox_imap',
  '0018_step_snoozed_at',
  '0019_outbox_mailbox_slots',
];

forEachDialect(
  'migrations',
  (t) => {
    it('apply to an empty database, then find nothing to do', async () => {
      const { url, options } = t.database();
      const first = await openStoreReporting(url, options);
      expect(first.applied).toEqual(MIGRATION_NAMES);
      await first.store.ping();
      await first.store.close();

      const second = await openStoreReporting(url, options);
      expect(second.applied).toEqual([]);
      expect(await second.store.users.count()).toBe(0);
      await second.store.close();
    });

    it('run once when several processes open the store at the same time', async () => {
      const { url, options } = t.database();
      const opened = await Promise.all([1, 2, 3, 4].map(() => openStoreReporting(url, options)));
      try {
        expect(opened.flatMap((each) => each.applied)).toEqual(MIGRATION_NAMES);
        await Promise.all(opened.map((each) => each.store.ping()));
      } finally {
        await Promise.all(opened.map((each) => each.store.close()));
      }
    });

    it('leave the database untouched when told not to migrate', async () => {
      const { url, options } = t.database();
      const { store, applied } = await openStoreReporting(url, { ...options, migrate: false });
      expect(applied).toEqual([]);
      await expect(store.users.count()).rejects.toBeInstanceOf(StoreError);
      await store.close();
    });
  },
  { migrate: false },
);

forEachDialect('schema snapshot', (t) => {
  // The migrated schema must equal the checked-in snapshot. After changing a migration on purpose:
  //   UPDATE_SNAPSHOT=1 STEPWISE_TEST_POSTGRES=postgres://… npx vitest run src/storage/migrations.test.ts
  // and review the diff of src/storage/<dialect>/schema.snapshot.sql like any other code.
  it('matches src/storage/<dialect>/schema.snapshot.sql', async () => {
    const actual = await dumpSchema(t.database());
    const file = fileURLToPath(new URL(`./${t.dialect}/schema.snapshot.sql`, import.meta.url));
    if (process.env.UPDATE_SNAPSHOT === '1') writeFileSync(file, actual);
    let expected = '';
    try {
      expected = readFileSync(file, 'utf8');
    } catch {
      expected = '(no snapshot: run with UPDATE_SNAPSHOT=1 to write it)';
    }
    expect(actual, 'The schema drifted from the snapshot; see the comment above to update it.').toBe(
      expected,
    );
  });
});

describe('pendingMigrations', () => {
  const all = loadMigrations(new URL('./sqlite/migrations/', import.meta.url));

  it('loads the same migration names for both dialects', () => {
    const postgres = loadMigrations(new URL('./postgres/migrations/', import.meta.url));
    expect(all.map((m) => m.name)).toEqual(MIGRATION_NAMES);
    expect(postgres.map((m) => m.name)).toEqual(MIGRATION_NAMES);
  });

  it('refuses a database whose applied migration was edited', () => {
    const [first] = all;
    if (first === undefined) throw new Error('no migration');
    expect(() => pendingMigrations(all, [{ name: first.name, checksum: 'edited' }])).toThrow(/edited/);
  });

  it('refuses a database migrated by a newer version', () => {
    expect(() => pendingMigrations(all, [{ name: '9999_future', checksum: 'x' }])).toThrow(/unknown/);
  });
});
