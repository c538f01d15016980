// The dialect loop every storage (and engine) suite uses: `forEachDialect(name, (t) => { it(…) })`
// runs the same tests on SQLite and on PostgreSQL, each test on its own fresh, migrated database.
// PostgreSQL runs only when STEPWISE_TEST_POSTGRES holds a URL (CI sets it); otherwise its describe
// block is visibly skipped. Describe names start with `[sqlite]` / `[postgres]` so CI can count them.
// Isolation (pg-boss style): a SQLite temp file, or a PostgreSQL schema named after the test; both are
// removed when the test passed and kept for inspection when it failed (the path/schema is printed).
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe } from 'vitest';
import type { Store, StoreDialect } from '../../engine/ports/store.js';
import { type OpenStoreOptions, openStore } from '../open-store.js';
import { engineOrphans } from './engine-integrity.js';

export const DIALECTS = ['sqlite', 'postgres'] as const satisfies readonly StoreDialect[];

/** The PostgreSQL server for tests, or null when the PostgreSQL half is switched off. */
export const TEST_POSTGRES_URL: string | null = process.env.STEPWISE_TEST_POSTGRES?.trim() || null;

/** Per-dialect expectations, typed so that adding a dialect fails to compile until each is given. */
export function perDialect<T>(dialect: StoreDialect, values: Record<StoreDialect, T>): T {
  return values[dialect];
}

/** Where a test's database is: what `openStore(url, options)` needs to reach it. */
export interface TestDatabase {
  readonly dialect: StoreDialect;
  readonly url: string;
  readonly options: OpenStoreOptions;
  /** The SQLite file, or the PostgreSQL schema. */
  readonly location: string;
}

export interface DialectTest {
  readonly dialect: StoreDialect;
  /** This test's store, opened (and migrated, unless the suite said otherwise) before the test. */
  store(): Store;
  database(): TestDatabase;
  /** Another store on this test's database; closed after the test. */
  open(options?: OpenStoreOptions): Promise<Store>;
}

export interface DialectSuiteOptions {
  /** Open the per-test store with migrations applied (default true); false leaves the database empty. */
  migrate?: boolean;
}

let adminPool: pg.Pool | null = null;
function admin(url: string): pg.Pool {
  adminPool ??= new pg.Pool({ connectionString: url, max: 2 });
  return adminPool;
}

function schemaNameFor(testName: string): string {
  const slug = testName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 44);
  const hash = createHash('sha1').update(testName).digest('hex').slice(0, 8);
  return `t_${slug}_${hash}`;
}

async function createDatabase(dialect: StoreDialect, testName: string): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'stepwise-test-'));
    const path = join(folder, 'test.db');
    return { dialect, url: path, options: {}, location: path };
  }
  const url = TEST_POSTGRES_URL;
  if (url === null) throw new Error('STEPWISE_TEST_POSTGRES is not set');
  const schema = schemaNameFor(testName);
  // A schema left by an earlier failed run of the same test is replaced.
  await admin(url).query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  return { dialect, url, options: { schema, maxConnections: 4 }, location: schema };
}

async function dropDatabase(database: TestDatabase): Promise<void> {
  if (database.dialect === 'sqlite') {
    rmSync(join(database.location, '..'), { recursive: true, force: true });
    return;
  }
  await admin(database.url).query(`DROP SCHEMA IF EXISTS ${database.location} CASCADE`);
}

export function forEachDialect(
  name: string,
  body: (test: DialectTest) => void,
  suiteOptions: DialectSuiteOptions = {},
): void {
  for (const dialect of DIALECTS) {
    const skip = dialect === 'postgres' && TEST_POSTGRES_URL === null;
    describe.skipIf(skip)(`[${dialect}] ${name}`, () => {
      let database: TestDatabase | null = null;
      let store: Store | null = null;
      let opened: Store[] = [];

      beforeEach(async (context) => {
        database = await createDatabase(dialect, `${name} ${context.task.name}`);
        store = await openStore(database.url, {
          ...database.options,
          migrate: suiteOptions.migrate !== false,
        });
      });

      afterEach(async (context) => {
        const stores = [...opened, ...(store === null ? [] : [store])];
        opened = [];
        store = null;
        await Promise.allSettled(stores.map((each) => each.close()));
        if (database === null) return;
        const failed = context.task.result?.state === 'fail';
        const orphans =
          failed || database.dialect !== 'postgres'
            ? {}
            : await engineOrphans(admin(database.url), database.location);
        if (failed || Object.keys(orphans).length > 0) {
          console.error(`[${dialect}] kept the failed test's database for inspection: ${database.location}`);
        } else {
          await dropDatabase(database);
        }
        database = null;
        // PostgreSQL keeps no foreign keys on the engine's rows (its migration 0011); the test fails here.
        if (Object.keys(orphans).length > 0)
          throw new Error(`The test left engine rows that point at nothing: ${JSON.stringify(orphans)}`);
      });

      afterAll(async () => {
        const pool = adminPool;
        adminPool = null;
        await pool?.end();
      });

      body({
        dialect,
        store() {
          if (store === null) throw new Error('store() is only available inside a test');
          return store;
        },
        database() {
          if (database === null) throw new Error('database() is only available inside a test');
          return database;
        },
        async open(options = {}) {
          if (database === null) throw new Error('open() is only available inside a test');
          const another = await openStore(database.url, { ...database.options, ...options });
          opened.push(another);
          return another;
        },
      });
    });
  }
}
