-- 0005_webhooks (SQLite): outgoing webhooks. Endpoints and the event types they subscribe to; an event
-- log fed by triggers; deliveries (one per endpoint and event) with their attempts.
--
-- Why triggers: the engine's commit already writes every change these events describe (history rows,
-- enrollments, the outbox, signals, sequences) in its own transaction. A trigger records the event in
-- that same transaction — so none is lost and none is invented by a rolled-back commit — without the
-- engine knowing about webhooks. Each trigger first asks webhook_event_types whether any active
-- endpoint wants that event type, so an installation without webhooks pays one primary-key probe of
-- an empty table per row written, and no event row.

CREATE TABLE webhooks (
  id          TEXT    NOT NULL PRIMARY KEY,
  url         TEXT    NOT NULL,
  events      TEXT    NOT NULL, -- JSON array of event types ('*' for all)
  description TEXT,
  -- HMAC-SHA256 key of the Stepwise-Signature header; made by us, shown once (create, rotate).
  secret      TEXT    NOT NULL,
  active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX webhooks_created_idx ON webhooks (created_at, id);

-- The event types of ACTIVE endpoints, one row each: what the triggers probe (its primary key).
CREATE TABLE webhook_event_types (
  event_type TEXT NOT NULL,
  webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  PRIMARY KEY (event_type, webhook_id)
) WITHOUT ROWID;
CREATE INDEX webhook_event_types_webhook_idx ON webhook_event_types (webhook_id);

-- Events not yet fanned out into deliveries. The dispatcher consumes them oldest first and deletes
-- them in the transaction that writes the deliveries. AUTOINCREMENT: a number is never used twice,
-- so `evt_<seq>` is a stable event id.
CREATE TABLE webhook_events (
  seq        INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  type       TEXT    NOT NULL,
  subject_id TEXT    NOT NULL,
  -- When it happened (the engine's time); NULL: the dispatcher's now.
  at         INTEGER,
  data       TEXT    NOT NULL
);

CREATE TABLE webhook_deliveries (
  id              TEXT    NOT NULL PRIMARY KEY,
  webhook_id      TEXT    NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  event_id        TEXT    NOT NULL,
  event_type      TEXT    NOT NULL,
  payload         TEXT    NOT NULL, -- the exact JSON body, sent again byte for byte on every attempt
  status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  next_attempt_at INTEGER,
  -- Retries stop after this (24 hours after the event, or after an administrator's re-send).
  retry_until     INTEGER NOT NULL,
  lease_until     INTEGER,
  created_at      INTEGER NOT NULL,
  delivered_at    INTEGER
);
-- At-least-once without duplicates: a dispatcher that runs twice over an event adds nothing.
CREATE UNIQUE INDEX webhook_deliveries_event_key ON webhook_deliveries (webhook_id, event_id);
-- The deliverer's claim of due deliveries.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
-- An endpoint's deliveries, newest first.
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, created_at, id);

CREATE TABLE webhook_attempts (
  id          TEXT    NOT NULL PRIMARY KEY,
  delivery_id TEXT    NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  at          INTEGER NOT NULL,
  status_code INTEGER,
  error       TEXT,
  duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, at, id);

-- Triggers ------------------------------------------------------------------------------------

CREATE TRIGGER webhook_enrollment_started AFTER INSERT ON enrollments
WHEN EXISTS (SELECT 1 FROM webhook_event_types WHERE event_type IN ('enrollment.started', '*'))
BEGIN
  INSERT INTO webhook_events (type, subject_id, at, data)
  VALUES ('enrollment.started', NEW.id, NEW.started_at,
          json_object('enrollmentId', NEW.id, 'sequenceId', NEW.sequence_id,
                      'sequenceVersion', NEW.sequence_version, 'recordId', NEW.record_id,
                      'ownerId', NEW.owner_id, 'status', NEW.status));
END;

-- An enrollment inserted already ended (its first transition ended it), or a running one ending.
CREATE TRIGGER webhook_enrollment_ended_at_insert AFTER INSERT ON enrollments
WHEN NEW.status NOT IN ('active', 'paused')
 AND EXISTS (SELECT 1 FROM webhook_event_types WHERE event_type IN ('enrollment.ended', '*'))
BEGIN
  INSERT INTO webhook_events (type, subject_id, at, data)
  VALUES ('enrollment.ended', NEW.id, NEW.ended_at,
          json_object('enrollmentId', NEW.id, 'sequenceId', NEW.sequence_id,
                      'sequenceVersion', NEW.sequence_version, 'recordId', NEW.record_id,
                      'ownerId', NEW.owner_id, 'status', NEW.status, 'endReason', NEW.end_reason));
END;

CREATE TRIGGER webhook_enrollment_ended AFTER UPDATE OF status ON enrollments
WHEN OLD.status IN ('active', 'paused') AND NEW.status NOT IN ('active', 'paused')
 AND EXISTS (SELECT 1 FROM webhook_event_types WHERE event_type IN ('enrollment.ended', '*'))
BEGIN
  INSERT INTO webhook_events (type, subject_id, at, data)
  VALUES ('enrollment.ended', NEW.id, NEW.ended_at,
          json_object('enrollmentId', NEW.id, 'sequenceId', NEW.sequence_id,
                      'sequenceVersion', NEW.sequence_version, 'recordId', NEW.record_id,
                      'ownerId', NEW.owner_id, 'status', NEW.status, 'endReason', NEW.end_reason));
END;

-- A history row entered already open, completed or skipped (one transition did both).
CREATE TRIGGER webhook_step_at_insert AFTER INSERT ON enrollment_steps
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
END;

CREATE TRIGGER webhook_step_changed AFTER UPDATE OF state ON enrollment_steps
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
END;

CREATE TRIGGER webhook_email_settled AFTER UPDATE OF status ON outbox
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
END;

CREATE TRIGGER webhook_signal_received AFTER INSERT ON signals
WHEN EXISTS (SELECT 1 FROM webhook_event_types WHERE event_type IN ('signal.received', '*'))
BEGIN
  INSERT INTO webhook_events (type, subject_id, at, data)
  VALUES ('signal.received', NEW.id, NEW.at,
          json_object('signalId', NEW.id, 'type', NEW.type, 'recordId', NEW.record_id,
                      'enrollmentId', NEW.enrollment_id, 'data', json(COALESCE(NEW.data, 'null'))));
END;

-- Activated: an inactive sequence starts running, or a revision publishes a new version.
CREATE TRIGGER webhook_sequence_activated AFTER UPDATE ON sequences
WHEN NEW.deleted_at IS NULL AND NEW.status IN ('active', 'revision')
 AND (OLD.status = 'inactive' OR NEW.active_version IS NOT OLD.active_version)
 AND EXISTS (SELECT 1 FROM webhook_event_types WHERE event_type IN ('sequence.activated', '*'))
BEGIN
  INSERT INTO webhook_events (type, subject_id, at, data)
  VALUES ('sequence.activated', NEW.id, NEW.updated_at,
          json_object('sequenceId', NEW.id, 'name', NEW.name, 'entityType', NEW.entity_type,
                      'status', NEW.status, 'version', NEW.active_version));
END;

-- Deactivated: a running sequence stops (deactivated, or deleted while running).
CREATE TRIGGER webhook_sequence_deactivated AFTER UPDATE ON sequences
WHEN OLD.deleted_at IS NULL AND OLD.status IN ('active', 'revision')
 AND (NEW.status = 'inactive' OR NEW.deleted_at IS NOT NULL)
 AND EXISTS (SELECT 1 FROM webhook_event_types WHERE event_type IN ('sequence.deactivated', '*'))
BEGIN
  INSERT INTO webhook_events (type, subject_id, at, data)
  VALUES ('sequence.deactivated', NEW.id, NEW.updated_at,
          json_object('sequenceId', NEW.id, 'name', NEW.name, 'entityType', NEW.entity_type,
                      'status', NEW.status, 'version', OLD.active_version,
                      'deleted', json(CASE WHEN NEW.deleted_at IS NULL THEN 'false' ELSE 'true' END)));
END;
