// The indexes designed for the engine's hot paths are the ones the planner picks. PostgreSQL runs with
// enable_seqscan off so that tiny test tables still show which index a query can use.
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { connectRecords } from '../engine/connect.js';
import type { Store } from '../engine/ports/store.js';
import {
  activeSequence,
  aUser as anEngineUser,
  definition,
  engineDeps,
  someRecords,
} from '../engine/test-support/engine-world.js';
import type { StorageDialect } from './dialect.js';
import { openPostgresDialect } from './postgres/postgres-dialect.js';
import { openSqliteDialect } from './sqlite/sqlite-dialect.js';
import { forEachDialect } from './test-support/dialects.js';
import { aUser, T0 } from './test-support/fixtures.js';

/** Statements shaped like the engine's and the API's, with literal values (EXPLAIN takes no parameters). */
const PLANS: { query: string; index: string; sql: string; withEnrollments?: true }[] = [
  {
    query: 'claim due enrollments',
    index: 'enrollments_due_idx',
    sql: `SELECT id FROM enrollments WHERE status = 'active' AND due_at IS NOT NULL AND due_at <= 1
                   ORDER BY due_at LIMIT 100`,
  },
  {
    query: 'work list of one owner',
    index: 'enrollment_steps_worklist_idx',
    sql: `SELECT id FROM enrollment_steps WHERE state = 'open' AND owner_id = 'usr_1'
                   ORDER BY due_at, id LIMIT 50`,
  },
  {
    // src/storage/repositories/enrollment-views.ts `worklist`, its open half: a keyset page of one owner.
    query: 'work list page, open steps',
    index: 'enrollment_steps_worklist_idx',
    sql: `SELECT s.id FROM enrollment_steps s INNER JOIN enrollments e ON e.id = s.enrollment_id
                   WHERE s.owner_id = 'usr_1' AND s.state = 'open' AND e.status = 'active'
                     AND s.due_at >= 0 AND s.due_at < 100 AND s.due_at >= 5 AND (s.due_at > 5 OR s.id > 'x')
                   ORDER BY s.due_at, s.id LIMIT 51`,
  },
  {
    // Its scheduled half: manual steps that open later (scheduled or snoozed).
    query: 'work list page, scheduled steps',
    index: 'enrollment_steps_scheduled_idx',
    sql: `SELECT s.id FROM enrollment_steps s INNER JOIN enrollments e ON e.id = s.enrollment_id
                   WHERE s.owner_id = 'usr_1' AND s.state = 'waiting'
                     AND s.type IN ('email', 'phone_call', 'task', 'linkedin_research', 'linkedin_get_introduced',
                                    'linkedin_connect', 'linkedin_inmail')
                     AND e.status = 'active' AND s.due_at >= 100
                   ORDER BY s.due_at, s.id LIMIT 51`,
  },
  {
    // src/storage/engine/engine-repository.ts `scheduledStepEnrollments`: what an owner's calendar change may move.
    query: "an owner's scheduled steps after now",
    index: 'enrollment_steps_scheduled_idx',
    sql: `SELECT enrollment_id FROM enrollment_steps
           WHERE owner_id = 'usr_1' AND state = 'waiting'
             AND type IN ('email', 'phone_call', 'task', 'linkedin_research', 'linkedin_get_introduced',
                          'linkedin_connect', 'linkedin_inmail')
             AND due_at > 100`,
  },
  {
    query: 'due backlog (metrics)',
    index: 'enrollments_due_idx',
    sql: `SELECT count(*) FROM enrollments WHERE status = 'active' AND due_at IS NOT NULL AND due_at <= 1`,
  },
  {
    query: 'running enrollment of a record',
    index: 'enrollments_one_running_key',
    sql: `SELECT id FROM enrollments WHERE record_id = 'rec_1' AND exclusive_slot IS NOT NULL`,
  },
  {
    // src/storage/repositories/enrollments.ts `listByRecord`: a record's enrollments, ended ones included.
    query: "a record's enrollments, newest first",
    index: 'enrollments_one_running_key',
    sql: `SELECT id FROM enrollments WHERE record_id = 'rec_1' ORDER BY id DESC LIMIT 51`,
    withEnrollments: true,
  },
  {
    // src/storage/repositories/record-lifecycle.ts `moveRunningWork`: the unfinished steps of the
    // records' running enrollments go to the new owner.
    query: "an owner change's unfinished steps",
    index: 'enrollment_steps_enrollment_idx',
    sql: `SELECT id FROM enrollment_steps
           WHERE enrollment_id IN (SELECT id FROM enrollments WHERE record_id IN ('rec_1', 'rec_2')
                                     AND exclusive_slot IS NOT NULL)
             AND state IN ('open', 'waiting') AND owner_id <> 'usr_2'`,
    withEnrollments: true,
  },
  {
    // src/storage/repositories/records-upsert.ts `storedOwners`: the owners of the records a bulk upsert updates.
    query: 'records by external id',
    index: 'records_external_id_key',
    sql: `SELECT id, owner_id FROM records WHERE type = 'lead' AND external_id IS NOT NULL
                   AND deleted_at IS NULL AND external_id IN ('crm-1', 'crm-2')`,
  },
  {
    query: 'connected records of a sequence',
    index: 'enrollments_sequence_status_idx',
    sql: `SELECT id FROM enrollments WHERE sequence_id = 'seq_1' AND status = 'active' ORDER BY id LIMIT 50`,
  },
  {
    // src/storage/repositories/sequence-lifecycle.ts `countEnrollmentsBySeller`: the Stats tab's table of
    // sellers (each row read for its owner and end reason; the comment there has the figures).
    query: "a sequence's enrollments per seller",
    index: 'enrollments_sequence_status_idx',
    sql: `SELECT owner_id, status, end_reason, count(*) FROM enrollments WHERE sequence_id = 'seq_1'
           GROUP BY owner_id, status, end_reason`,
    withEnrollments: true,
  },
  {
    // src/storage/repositories/sequence-enrollments.ts, `sort=newest`: one status walked backwards (one
    // such walk per status when none is asked for).
    query: 'connected records of a sequence, newest first',
    index: 'enrollments_sequence_status_idx',
    sql: `SELECT id FROM enrollments WHERE sequence_id = 'seq_1' AND status = 'active'
           ORDER BY id DESC LIMIT 51`,
    withEnrollments: true,
  },
  {
    // The same file, `q=`: the sequence's rows walked in (status, id) order, each one's record tested by id.
    query: 'connected records of a sequence found by name or email',
    index: 'enrollments_sequence_status_idx',
    sql: `SELECT e.id FROM enrollments e WHERE e.sequence_id = 'seq_1'
             AND EXISTS (SELECT 1 FROM records r WHERE r.id = e.record_id
                           AND (r.name LIKE '%ada%' OR r.email LIKE '%ada%'))
           ORDER BY e.status, e.id LIMIT 51`,
    withEnrollments: true,
  },
  {
    query: 'pending outbox rows',
    index: 'outbox_pending_idx',
    sql: `SELECT id FROM outbox WHERE status = 'pending' AND available_at <= 1 ORDER BY available_at LIMIT 100`,
  },
  {
    query: 'records of one owner and type',
    index: 'records_type_owner_name_idx',
    sql: `SELECT id FROM records WHERE deleted_at IS NULL AND type = 'lead' AND owner_id = 'usr_1'
                   ORDER BY name, id LIMIT 50`,
  },
  {
    query: 'records by sender address',
    index: 'records_email_idx',
    sql: `SELECT id FROM records WHERE lower(email) = lower('a@b.c') AND email IS NOT NULL
                   AND deleted_at IS NULL`,
  },
  {
    query: 'active sequence count',
    index: 'sequences_status_name_idx',
    sql: `SELECT count(*) FROM sequences WHERE deleted_at IS NULL AND status IN ('active', 'revision')`,
  },
  {
    query: 'sequences with a tag',
    index: 'sequence_tags_tag_idx',
    sql: `SELECT sequence_id FROM sequence_tags WHERE tag = 'q4'`,
  },
  {
    // src/storage/repositories/signals.ts `facts`: an enrollment's history rows, then each row's firsts
    // by the leading column of signal_step_firsts' primary key.
    query: "an enrollment's signal facts",
    index: 'enrollment_steps_enrollment_idx',
    sql: `SELECT s.step_id, f.counter, f.at FROM enrollment_steps s
            INNER JOIN signal_step_firsts f ON f.step_row_id = s.id WHERE s.enrollment_id = 'enr_1'`,
    // On empty tables PostgreSQL's two index scans cost the same; with history rows this one wins.
    withEnrollments: true,
  },
];

async function planOf(dialect: StorageDialect, statement: string): Promise<string> {
  const explain = dialect.name === 'sqlite' ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN';
  const result = await dialect.db.connection().execute(async (connection) => {
    if (dialect.name === 'postgres') await sql`SET enable_seqscan = off`.execute(connection);
    return sql.raw<Record<string, unknown>>(`${explain} ${statement}`).execute(connection);
  });
  return result.rows.map((row) => Object.values(row).join(' ')).join('\n');
}

/** Records spread over types and owners, so statistics tell the planner the filters are selective. */
async function seedRecords(store: Store): Promise<void> {
  const owners = ['usr_1', 'usr_2', 'usr_3', 'usr_4'];
  for (const id of owners) await store.users.create(aUser({ id }));
  const types = ['lead', 'contact', 'account', 'opportunity'] as const;
  const rows = Array.from({ length: 800 }, (_, i) => ({
    id: `rec_${i}`,
    type: types[i % 4] ?? 'lead',
    name: `Record ${i}`,
    ownerId: owners[Math.floor(i / 4) % 4] ?? 'usr_1',
  }));
  await store.records.upsertMany(rows, T0);
}

/** 200 enrollments of one seller, each with an open task: history rows for the planner to weigh. */
async function seedEnrollments(store: Store): Promise<void> {
  const deps = engineDeps(store);
  const seller = await anEngineUser(store, 'admin');
  const seq = await activeSequence(store, seller.id, definition([{ id: 't1', type: 'task', name: 'Call' }]));
  const recordIds = await someRecords(store, seller.id, 200);
  await connectRecords(deps, { sequenceId: seq, recordIds, actor: { id: seller.id, role: 'admin' } });
}

/** Many sequences, few of them running, as in a real installation. */
async function seedSequences(dialect: StorageDialect): Promise<void> {
  await dialect.db
    .insertInto('sequences')
    .values(
      Array.from({ length: 400 }, (_, i) => ({
        id: `seq_${i}`,
        name: `Sequence ${i}`,
        entity_type: 'lead',
        status: i % 40 === 0 ? 'active' : 'inactive',
        owner_id: 'usr_1',
        draft_version: 1,
        created_at: T0,
        updated_at: T0,
      })),
    )
    .execute();
}

forEachDialect('query plans', (t) => {
  for (const plan of PLANS) {
    it(`${plan.query} uses ${plan.index}`, async () => {
      const { url, options } = t.database();
      const dialect =
        t.dialect === 'sqlite'
          ? openSqliteDialect(url, { busyTimeoutMs: 1000 })
          : openPostgresDialect(url, { schema: options.schema ?? null, maxConnections: 1 });
      try {
        await seedRecords(t.store());
        await seedSequences(dialect);
        if (plan.withEnrollments === true) await seedEnrollments(t.store());
        if (t.dialect === 'postgres') await sql`ANALYZE`.execute(dialect.db);
        expect(await planOf(dialect, plan.sql)).toContain(plan.index);
      } finally {
        await dialect.close();
      }
    });
  }
});
