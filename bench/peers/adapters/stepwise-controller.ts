// Stepwise under test, harness side: a fresh SQLite file or PostgreSQL schema, owners and records,
// the workload sequence created and activated through the use cases, one bulk connectRecords call,
// signals through applyEvents. The ledger is Stepwise's own outbox (emails sent) and step history
// (conditions decided, calls opened), written in the same transactions as the state.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { applyEvents } from '../../../src/engine/apply-events.js';
import { ManualClock, SystemClock } from '../../../src/engine/clock.js';
import { connectRecords } from '../../../src/engine/connect.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineDeps } from '../../../src/engine/deps.js';
import { RandomIds } from '../../../src/engine/ids.js';
import type { Store } from '../../../src/engine/ports/store.js';
import { activateSequence } from '../../../src/engine/sequences/activate-sequence.js';
import { createSequence } from '../../../src/engine/sequences/create-sequence.js';
import { openStore } from '../../../src/storage/open-store.js';
import type { LedgerRow } from '../../workload/ledger-check.js';
import { DAY_MS, LEDGER_STEPS, type LedgerStep } from '../../workload/workload.js';
import type { AdapterLedger, Controller, RunSettings, SignalInput } from '../adapter.js';
import { postgresRaw, type RawLedgerRow, type StepwiseRaw, sqliteRaw } from './stepwise-raw.js';
import { BENCH_TEMPLATE_ID, stepwiseDefinition } from './stepwise-sequence.js';
import { STEPWISE_T0 } from './stepwise-worker.js';

const ADMIN = 'usr_admin';
// Owners work around the clock: manual steps open at their due time, as the queues' jobs run then.
const DAY_LONG: [string, string][] = [['00:00', '24:00']];
const ALWAYS = {
  mon: DAY_LONG,
  tue: DAY_LONG,
  wed: DAY_LONG,
  thu: DAY_LONG,
  fri: DAY_LONG,
  sat: DAY_LONG,
  sun: DAY_LONG,
};
const ownerId = (o: number) => `usr_${String(o).padStart(5, '0')}`;
const recordId = (i: number) => `rec_${String(i).padStart(8, '0')}`;

export function stepwiseController(settings: RunSettings): Controller {
  const postgres = settings.adapter === 'stepwise-postgres';
  const schema = `peers_${settings.runId}`;
  const appName = `bench_${settings.runId}`;
  let folder = '';
  let file = '';
  let store: Store;
  let raw: StepwiseRaw;
  let deps: EngineDeps;
  let manual: ManualClock | null = null;
  let sequenceId = '';
  const enrollmentOf: string[] = [];
  const indexOf = new Map<string, number>();

  const toRows = (rows: RawLedgerRow[]): LedgerRow[] =>
    rows.flatMap((r) => {
      const i = indexOf.get(r.enrollmentId);
      const step = r.stepId as LedgerStep;
      return i === undefined || !LEDGER_STEPS.includes(step) ? [] : [{ i, step, at: r.at }];
    });

  return {
    drivesWorkers: settings.mode === 'burn',
    worklistEmulated: false,

    async setup() {
      if (postgres) {
        const admin = new pg.Client({ connectionString: settings.pgUrl });
        await admin.connect();
        await admin.query(`CREATE SCHEMA ${schema}`);
        await admin.end();
        store = await openStore(settings.pgUrl, { schema, maxConnections: 4 });
        raw = postgresRaw(settings.pgUrl, schema, `${appName}_harness`);
      } else {
        folder = mkdtempSync(join(tmpdir(), 'stepwise-peers-'));
        file = join(folder, 'bench.db');
        store = await openStore(file);
        raw = sqliteRaw(file);
      }
      const clock = settings.mode === 'burn' ? new ManualClock(STEPWISE_T0) : new SystemClock();
      manual = clock instanceof ManualClock ? clock : null;
      deps = { store, clock, ids: new RandomIds(clock), settings: DEFAULT_ENGINE_SETTINGS };
      await store.users.create({
        id: ADMIN,
        email: 'admin@example.com',
        name: 'Admin',
        role: 'admin',
        createdAt: STEPWISE_T0,
      });
      for (let o = 0; o < settings.owners; o++) {
        const id = ownerId(o);
        await store.users.create({
          id,
          email: `${id}@example.com`,
          name: id,
          role: 'salesperson',
          createdAt: STEPWISE_T0,
          workingHours: ALWAYS,
        });
      }
      for (let start = 0; start < settings.n; start += 5_000) {
        const rows = [];
        for (let i = start; i < Math.min(settings.n, start + 5_000); i++) {
          rows.push({
            id: recordId(i),
            type: 'lead' as const,
            name: `Lead ${i}`,
            ownerId: ownerId(i % settings.owners),
          });
        }
        for (const r of await store.records.upsertMany(rows, STEPWISE_T0))
          if (r.outcome === 'error') throw new Error(r.message);
      }
      const actor = { id: ADMIN, role: 'admin' as const };
      // Activation wants each automated email's template; the bench's stand-in sender never renders it.
      await store.emailTemplates.create({
        id: BENCH_TEMPLATE_ID,
        name: 'Bench',
        subject: 'Hello',
        body: 'Hello {{ record.name }}',
        createdAt: STEPWISE_T0,
      });
      const created = await createSequence(deps, actor, {
        name: 'Bench cadence',
        entityType: 'lead',
        definition: stepwiseDefinition(settings.mode),
      });
      await activateSequence(deps, actor, created.id);
      sequenceId = created.id;
    },

    workerExtra: () => (postgres ? { schema } : { file }),

    async enrol(indices) {
      const result = await connectRecords(deps, {
        sequenceId,
        recordIds: indices.map(recordId),
        actor: { id: ADMIN, role: 'admin' },
      });
      if (result.rejected.length > 0)
        throw new Error(`connect rejected ${result.rejected.length}: ${result.rejected[0]?.code}`);
      for (const e of result.enrolled) {
        const i = Number(e.recordId.slice(4));
        enrollmentOf[i] = e.enrollmentId;
        indexOf.set(e.enrollmentId, i);
      }
    },

    async jump(day) {
      manual?.set(STEPWISE_T0 + day * DAY_MS);
    },

    async signal(items) {
      const at = (s: SignalInput) => (settings.mode === 'burn' ? STEPWISE_T0 + s.at : s.at);
      if (manual !== null) {
        const latest = Math.max(...items.map(at));
        if (latest > manual.now()) manual.set(latest);
      }
      for (let start = 0; start < items.length; start += 1_000) {
        await applyEvents(
          deps,
          items.slice(start, start + 1_000).map((s) => ({
            enrollmentId: enrollmentOf[s.i] as string,
            event:
              s.kind === 'replied'
                ? { type: 'signal' as const, signal: 'email_replied' as const, stepId: 'email1', at: at(s) }
                : { type: 'signal' as const, signal: 'email_opened' as const, stepId: 'email2', at: at(s) },
          })),
        );
      }
    },

    ledgerCount: () => raw.count(),

    async ledger(): Promise<AdapterLedger> {
      const rows = toRows(await raw.ledger(null));
      if (settings.mode === 'burn') for (const r of rows) r.at -= STEPWISE_T0;
      return { timeBase: settings.mode === 'burn' ? 'workload' : 'real', rows };
    },

    async ledgerSince(at, steps) {
      return toRows(await raw.ledger(at)).filter((r) => steps.includes(r.step));
    },

    async worklist(owner) {
      const page = await store.enrollmentViews.worklist({
        ownerId: ownerId(owner),
        dueFrom: null,
        dueBefore: null,
        limit: 50,
      });
      return page.items.length;
    },

    storeBytes: () => raw.storeBytes(),

    async serverPids() {
      if (!postgres) return [];
      const { rows } = await pgQuery(
        settings.pgUrl,
        `SELECT pid FROM pg_stat_activity WHERE application_name LIKE $1`,
        [`${appName}%`],
      );
      return rows.map((r) => Number(r.pid));
    },

    async teardown() {
      await raw.close();
      await store.close();
      if (postgres) await pgQuery(settings.pgUrl, `DROP SCHEMA IF EXISTS ${schema} CASCADE`, []);
      else rmSync(folder, { recursive: true, force: true });
    },
  };
}

export async function pgQuery(url: string, text: string, values: unknown[]): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}
