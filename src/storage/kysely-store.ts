// The Store, written once over Kysely for both dialects: repositories bound to the root database, or
// to an open transaction inside `transaction()`.
import { type Kysely, sql } from 'kysely';
import { type Store, type StoreDialect, StoreError } from '../engine/ports/store.js';
import type { StorageDialect } from './dialect.js';
import { createEnrollmentStartRepository } from './engine/connect-writes.js';
import { createEngineRepository } from './engine/engine-repository.js';
import type { EngineSql } from './engine/engine-sql.js';
import { postgresEngineSql } from './postgres/postgres-engine-sql.js';
import { postgresSignalWrites } from './postgres/postgres-signal-writes.js';
import { createApiTokenRepository } from './repositories/api-tokens.js';
import { createAuditRepository } from './repositories/audit.js';
import type { RepositoryContext } from './repositories/context.js';
import { createEmailTemplateRepository } from './repositories/email-templates.js';
import { createEnrollmentViewRepository } from './repositories/enrollment-views.js';
import { createEnrollmentRepository } from './repositories/enrollments.js';
import { createFieldDefinitionRepository } from './repositories/field-definitions.js';
import { createMailboxRepository } from './repositories/mailboxes.js';
import { createOperationsRepository } from './repositories/operations.js';
import { createOutboxRepository } from './repositories/outbox.js';
import { createRecordLifecycleRepository } from './repositories/record-lifecycle.js';
import { createRecordRepository } from './repositories/records.js';
import { createSequenceLifecycleRepository } from './repositories/sequence-lifecycle.js';
import { createSequenceRepository } from './repositories/sequences.js';
import { createSessionRepository } from './repositories/sessions.js';
import { createSettingsRepository } from './repositories/settings.js';
import type { SignalWrites } from './repositories/signal-writes.js';
import { createSignalRepository } from './repositories/signals.js';
import { createStepInstanceRepository } from './repositories/step-instances.js';
import { createSuppressionRepository } from './repositories/suppressions.js';
import { createUserRepository } from './repositories/users.js';
import { createWebhookRepository } from './repositories/webhooks.js';
import type { Database } from './schema.js';
import { sqliteEngineSql } from './sqlite/sqlite-engine-sql.js';
import { sqliteSignalWrites } from './sqlite/sqlite-signal-writes.js';

const ENGINE_SQL: Record<StoreDialect, EngineSql> = { sqlite: sqliteEngineSql, postgres: postgresEngineSql };
const SIGNAL_WRITES: Record<StoreDialect, SignalWrites> = {
  sqlite: sqliteSignalWrites,
  postgres: postgresSignalWrites,
};

function storeOver(dialect: StorageDialect, db: Kysely<Database>, inTransaction: boolean): Store {
  const context: RepositoryContext = {
    db,
    sql: dialect.sql,
    capabilities: dialect.capabilities,
    atomically: (work) => (inTransaction ? work(db) : db.transaction().execute((trx) => work(trx))),
  };
  const store: Store = {
    dialect: dialect.name,
    capabilities: dialect.capabilities,
    users: createUserRepository(context),
    apiTokens: createApiTokenRepository(context),
    sessions: createSessionRepository(context),
    fieldDefinitions: createFieldDefinitionRepository(context),
    records: createRecordRepository(context),
    emailTemplates: createEmailTemplateRepository(context),
    sequences: createSequenceRepository(context),
    enrollments: createEnrollmentRepository(context),
    audit: createAuditRepository(context),
    settings: createSettingsRepository(context),
    engine: createEngineRepository(context, ENGINE_SQL[dialect.name], dialect.listen ?? null),
    enrollmentStarts: createEnrollmentStartRepository(context, ENGINE_SQL[dialect.name]),
    sequenceLifecycle: createSequenceLifecycleRepository(context),
    outbox: createOutboxRepository(context),
    mailboxes: createMailboxRepository(context),
    enrollmentViews: createEnrollmentViewRepository(context),
    operations: createOperationsRepository(context),
    stepInstances: createStepInstanceRepository(context),
    signals: createSignalRepository(context, SIGNAL_WRITES[dialect.name]),
    suppressions: createSuppressionRepository(context),
    recordLifecycle: createRecordLifecycleRepository(context),
    webhooks: createWebhookRepository(context),
    transaction: (fn) =>
      inTransaction ? fn(store) : db.transaction().execute((trx) => fn(storeOver(dialect, trx, true))),
    inTransaction,
    async ping() {
      await sql`SELECT 1`.execute(db);
    },
    async close() {
      if (inTransaction) throw new StoreError('store_misuse', 'close() was called inside a transaction.');
      await dialect.close();
    },
  };
  return store;
}

export function createKyselyStore(dialect: StorageDialect): Store {
  return storeOver(dialect, dialect.db, false);
}
