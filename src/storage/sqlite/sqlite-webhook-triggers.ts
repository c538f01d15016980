// SQLite's webhook triggers (0005_webhooks), present only while some active endpoint subscribes.
// A row trigger costs every insert and update of the table it sits on even when its WHEN clause is
// false (measured: an enrollment_steps insert 6.7 → 17.6 µs; a 100,000-record connect 7.4 → 14.1 s on
// the 1,000,000-enrollment bench world), so an installation without webhooks must not carry them.
// 0007 drops them; syncWebhookTriggers creates them (IF NOT EXISTS) when webhook_event_types has a row
// and drops them when it has none. It runs after migrations and in the transaction of every change
// to an endpoint's subscriptions, so events are never missed while an endpoint wants them.
// The statements are those of 0005 (which stays as it was: applied migrations never change), plus
// webhook_email_dropped, the SQLite half of 0014 (PostgreSQL's is in that migration): a new trigger,
// not a changed one, because CREATE TRIGGER IF NOT EXISTS would leave an existing older text in place.

import type Sqlite from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.js';
import { prepareStatement } from './sqlite-handles.js';

const TRIGGERS: readonly { name: string; create: string }[] = [
  {
    name: 'webhook_enrollment_started',
    create: `CREATE TRIGGER IF NOT EXISTS webhook_enrollment_started AFTER INSERT ON enrollments
WHEN EXISTS (SELECT 1 FROM webhook_event_types WHERE event_type IN ('enrollment.started', '*'))
BEGIN
  INSERT INTO webhook_events (type, subject_id, at, data)
  VALUES ('enrollment.started', NEW.id, NEW.started_at,
          json_object('enrollmentId', NEW.id, 'sequenceId', NEW.sequence_id,
                      'sequenceVersion', NEW.sequence_version, 'recordId', NEW.record_id,
                      'ownerId', NEW.owner_id, 'status', NEW.status));
END;`,
  },
  {
    name: 'webhook_enrollment_ended_at_insert',
    create: `CREATE TRIGGER IF NOT EXISTS webhook_enrollment_ended_at_insert AFTER INSERT ON enrollments
WHEN NEW.status NOT IN ('active', 'paused')
 AND EXISTS (SELECT 1 FROM webhook_event_types WHERE event_type IN ('enrollment.ended', '*'))
BEGIN
  INSERT INTO webhook_events (type, subject_id, at, data)
  VALUES ('enrollment.ended', NEW.id, NEW.ended_at,
          json_object('enrollmentId', NEW.id, 'sequenceId', NEW.sequence_id,
                      'sequenceVersion', NEW.sequence_version, 'recordId', NEW.record_id,
                      'ownerId', NEW.owner_id, 'status', NEW.status, 'endReason', NEW.end_reason));
END;`,
  },
  {
    name: 'webhook_enrollment_ended',
    create: `CREATE TRIGGER IF NOT EXISTS webhook_enrollment_ended AFTER UPDATE OF status ON enrollments
WHEN OLD.status IN ('active', 'paused') AND NEW.status NOT IN ('active', 'paused')
 AND EXISTS (SELECT 1 FROM webhook_event_types WHERE event_type IN ('enrollment.ended', '*'))
BEGIN
  INSERT INTO webhook_events (type, subject_id, at, data)
  VALUES ('enrollment.ended', NEW.id, NEW.ended_at,
          json_object('enrollmentId', NEW.id, 'sequenceId', NEW.sequence_id,
                      'sequenceVersion', NEW.sequence_version, 'recordId', NEW.record_id,
                      'ownerId', NEW.owner_id, 'status', NEW.status, 'endReason', NEW.end_reason));
END;`,
  },
  {
    name: 'webhook_step_at_insert',
    create: `CREATE TRIGGER IF NOT EXISTS webhook_step_at_insert AFTER INSERT ON enrollment_steps
WHEN NEW.state IN ('open', 'completed', 'skipped')
 AND EXISTS (SELECT 1 FROM webhook_event_types
              WHERE event_type IN ('*', CASE NEW.state WHEN 'open' THEN 'step.opened'
                                        WHEN 'completed' THEN 'step.completed' ELSE 'step.skipped' END))
BEGIN
  INSERT INTO webhook_events (type, subject_id, at, data)
  VALUES (CASE NEW.state WHEN 'open' THEN 'step.opened' WHEN 'completed' THEN 'step.completed'
          ELSE 'step.skipped' END,
          NEW.id, CASE NEW.state WHEN 'open' THEN NEW.opened_at ELSE NEW.completed_at END,
          json_object('enrollmentStepId', NEW.id, 'enrollmentId', NEW.enrollment_id, 'stepId', NEW.step_id,
                      'stepType', NEW.type, 'state', NEW.state, 'recordId', NEW.record_id,
                      'ownerId', NEW.owner_id, 'sequenceId', NEW.sequence_id, 'dueAt', NEW.due_at,
                      'outcome', NEW.outcome, 'actorId', NEW.actor_id));
END;`,
  },
  {
    name: 'webhook_step_changed',
    create: `CREATE TRIGGER IF NOT EXISTS webhook_step_changed AFTER UPDATE OF state ON enrollment_steps
WHEN NEW.state <> OLD.state AND NEW.state IN ('open', 'completed', 'skipped')
 AND EXISTS (SELECT 1 FROM webhook_event_types
              WHERE event_type IN ('*', CASE NEW.state WHEN 'open' THEN 'step.opened'
                                        WHEN 'completed' THEN 'step.completed' ELSE 'step.skipped' END))
BEGIN
  INSERT INTO webhook_events (type, subject_id, at, data)
  VALUES (CASE NEW.state WHEN 'open' THEN 'step.opened' WHEN 'completed' THEN 'step.completed'
          ELSE 'step.skipped' END,
          NEW.id, CASE NEW.state WHEN 'open' THEN NEW.opened_at ELSE NEW.completed_at END,
          json_object('enrollmentStepId', NEW.id, 'enrollmentId', NEW.enrollment_id, 'stepId', NEW.step_id,
                      'stepType', NEW.type, 'state', NEW.state, 'recordId', NEW.record_id,
                      'ownerId', NEW.owner_id, 'sequenceId', NEW.sequence_id, 'dueAt', NEW.due_at,
                      'outcome', NEW.outcome, 'actorId', NEW.actor_id));
END;`,
  },
  {
    name: 'webhook_email_settled',
    create: `CREATE TRIGGER IF NOT EXISTS webhook_email_settled AFTER UPDATE OF status ON outbox
WHEN NEW.kind = 'email' AND NEW.status <> OLD.status AND NEW.status IN ('sent', 'failed')
 AND EXISTS (SELECT 1 FROM webhook_event_types
              WHERE event_type IN ('*', CASE NEW.status WHEN 'sent' THEN 'email.sent' ELSE 'email.failed' END))
BEGIN
  INSERT INTO webhook_events (type, subject_id, at, data)
  VALUES (CASE NEW.status WHEN 'sent' THEN 'email.sent' ELSE 'email.failed' END, NEW.id, NEW.sent_at,
          json_object('messageId', NEW.id, 'enrollmentId', json_extract(NEW.payload, '$.enrollmentId'),
                      'enrollmentStepId', json_extract(NEW.payload, '$.enrollmentId') || '.' ||
                        substr('0000' || json_extract(NEW.payload, '$.seq'),
                               -max(4, length(json_extract(NEW.payload, '$.seq')))),
                      'stepId', json_extract(NEW.payload, '$.stepId'),
                      'recordId', json_extract(NEW.payload, '$.recordId'),
                      'ownerId', json_extract(NEW.payload, '$.ownerId'),
                      'sequenceId', json_extract(NEW.payload, '$.sequenceId'),
                      'error', CASE NEW.status WHEN 'failed' THEN NEW.last_error END));
END;`,
  },
  {
    // An administrator's drop of a send_unknown message (outbox repository dropUnknown, 0014): delivered
    // (sent_at set) is an email.sent, anything else an email.failed, with the data of the sender's own.
    name: 'webhook_email_dropped',
    create: `CREATE TRIGGER IF NOT EXISTS webhook_email_dropped AFTER UPDATE OF status ON outbox
WHEN NEW.kind = 'email' AND OLD.status = 'send_unknown' AND NEW.status = 'dropped'
 AND EXISTS (SELECT 1 FROM webhook_event_types
              WHERE event_type IN ('*', CASE WHEN NEW.sent_at IS NULL THEN 'email.failed' ELSE 'email.sent' END))
BEGIN
  INSERT INTO webhook_events (type, subject_id, at, data)
  VALUES (CASE WHEN NEW.sent_at IS NULL THEN 'email.failed' ELSE 'email.sent' END, NEW.id, NEW.sent_at,
          json_object('messageId', NEW.id, 'enrollmentId', json_extract(NEW.payload, '$.enrollmentId'),
                      'enrollmentStepId', json_extract(NEW.payload, '$.enrollmentId') || '.' ||
                        substr('0000' || json_extract(NEW.payload, '$.seq'),
                               -max(4, length(json_extract(NEW.payload, '$.seq')))),
                      'stepId', json_extract(NEW.payload, '$.stepId'),
                      'recordId', json_extract(NEW.payload, '$.recordId'),
                      'ownerId', json_extract(NEW.payload, '$.ownerId'),
                      'sequenceId', json_extract(NEW.payload, '$.sequenceId'),
                      'error', CASE WHEN NEW.sent_at IS NULL THEN NEW.last_error END));
END;`,
  },
  {
    name: 'webhook_signal_received',
    create: `CREATE TRIGGER IF NOT EXISTS webhook_signal_received AFTER INSERT ON signals
WHEN EXISTS (SELECT 1 FROM webhook_event_types WHERE event_type IN ('signal.received', '*'))
BEGIN
  INSERT INTO webhook_events (type, subject_id, at, data)
  VALUES ('signal.received', NEW.id, NEW.at,
          json_object('signalId', NEW.id, 'type', NEW.type, 'recordId', NEW.record_id,
                      'enrollmentId', NEW.enrollment_id, 'data', json(COALESCE(NEW.data, 'null'))));
END;`,
  },
  {
    name: 'webhook_sequence_activated',
    create: `CREATE TRIGGER IF NOT EXISTS webhook_sequence_activated AFTER UPDATE ON sequences
WHEN NEW.deleted_at IS NULL AND NEW.status IN ('active', 'revision')
 AND (OLD.status = 'inactive' OR NEW.active_version IS NOT OLD.active_version)
 AND EXISTS (SELECT 1 FROM webhook_event_types WHERE event_type IN ('sequence.activated', '*'))
BEGIN
  INSERT INTO webhook_events (type, subject_id, at, data)
  VALUES ('sequence.activated', NEW.id, NEW.updated_at,
          json_object('sequenceId', NEW.id, 'name', NEW.name, 'entityType', NEW.entity_type,
                      'status', NEW.status, 'version', NEW.active_version));
END;`,
  },
  {
    name: 'webhook_sequence_deactivated',
    create: `CREATE TRIGGER IF NOT EXISTS webhook_sequence_deactivated AFTER UPDATE ON sequences
WHEN OLD.deleted_at IS NULL AND OLD.status IN ('active', 'revision')
 AND (NEW.status = 'inactive' OR NEW.deleted_at IS NOT NULL)
 AND EXISTS (SELECT 1 FROM webhook_event_types WHERE event_type IN ('sequence.deactivated', '*'))
BEGIN
  INSERT INTO webhook_events (type, subject_id, at, data)
  VALUES ('sequence.deactivated', NEW.id, NEW.updated_at,
          json_object('sequenceId', NEW.id, 'name', NEW.name, 'entityType', NEW.entity_type,
                      'status', NEW.status, 'version', OLD.active_version,
                      'deleted', json(CASE WHEN NEW.deleted_at IS NULL THEN 'false' ELSE 'true' END)));
END;`,
  },
];

const WANTED = 'SELECT EXISTS (SELECT 1 FROM webhook_event_types) AS wanted';

function statements(wanted: boolean): string[] {
  return TRIGGERS.map((t) => (wanted ? t.create : `DROP TRIGGER IF EXISTS ${t.name}`));
}

/** On a raw connection (after migrations, inside their transaction or not). */
export function syncWebhookTriggersRaw(db: Sqlite.Database): void {
  const row = prepareStatement(db, WANTED).get() as { wanted: number };
  for (const text of statements(row.wanted === 1)) db.exec(text);
}

/** Through Kysely, inside the transaction that changed webhook_event_types. */
export async function syncWebhookTriggers(db: Kysely<Database>): Promise<void> {
  const { rows } = await sql.raw<{ wanted: number }>(WANTED).execute(db);
  for (const text of statements(Number(rows[0]?.wanted ?? 0) === 1)) await sql.raw(text).execute(db);
}
