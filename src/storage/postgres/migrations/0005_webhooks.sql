-- 0005_webhooks (PostgreSQL): outgoing webhooks. Endpoints and the event types they subscribe to; an
-- event log fed by triggers; deliveries (one per endpoint and event) with their attempts.
--
-- Why triggers: the engine's commit already writes every change these events describe (history rows,
-- enrollments, the outbox, signals, sequences) in its own transaction. A trigger records the event in
-- that same transaction — so none is lost and none is invented by a rolled-back commit — without the
-- engine knowing about webhooks. They are statement-level with transition tables: the engine writes a
-- batch as one `unnest` statement, so each trigger runs once per statement, and when no active
-- endpoint wants the event type (one probe of webhook_event_types) it returns without writing.

CREATE TABLE webhooks (
  id          text COLLATE "C" NOT NULL PRIMARY KEY,
  url         text             NOT NULL,
  events      jsonb            NOT NULL, -- array of event types ('*' for all)
  description text,
  -- HMAC-SHA256 key of the Stepwise-Signature header; made by us, shown once (create, rotate).
  secret      text             NOT NULL,
  active      boolean          NOT NULL DEFAULT true,
  created_at  bigint           NOT NULL,
  updated_at  bigint           NOT NULL
);
CREATE INDEX webhooks_created_idx ON webhooks (created_at, id);

-- The event types of ACTIVE endpoints, one row each: what the triggers probe (its primary key).
CREATE TABLE webhook_event_types (
  event_type text COLLATE "C" NOT NULL,
  webhook_id text COLLATE "C" NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  PRIMARY KEY (event_type, webhook_id)
);
CREATE INDEX webhook_event_types_webhook_idx ON webhook_event_types (webhook_id);

-- Events not yet fanned out into deliveries. The dispatcher consumes them oldest first (FOR UPDATE
-- SKIP LOCKED) and deletes them in the transaction that writes the deliveries: no cursor, so events
-- whose numbers commit out of order are never skipped. An identity is never reused: `evt_<seq>` is a
-- stable event id.
CREATE TABLE webhook_events (
  seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type       text   NOT NULL,
  subject_id text   NOT NULL,
  -- When it happened (the engine's time); NULL: the dispatcher's now.
  at         bigint,
  data       jsonb  NOT NULL
);

CREATE TABLE webhook_deliveries (
  id              text COLLATE "C" NOT NULL PRIMARY KEY,
  webhook_id      text COLLATE "C" NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  event_id        text COLLATE "C" NOT NULL,
  event_type      text             NOT NULL,
  payload         text             NOT NULL, -- the exact JSON body, sent again byte for byte on every attempt
  status          text COLLATE "C" NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  next_attempt_at bigint,
  -- Retries stop after this (24 hours after the event, or after an administrator's re-send).
  retry_until     bigint           NOT NULL,
  lease_until     bigint,
  created_at      bigint           NOT NULL,
  delivered_at    bigint
);
-- At-least-once without duplicates: a dispatcher that runs twice over an event adds nothing.
CREATE UNIQUE INDEX webhook_deliveries_event_key ON webhook_deliveries (webhook_id, event_id);
-- The deliverer's claim of due deliveries (FOR UPDATE SKIP LOCKED).
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
-- An endpoint's deliveries, newest first.
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, created_at, id);

CREATE TABLE webhook_attempts (
  id          text COLLATE "C" NOT NULL PRIMARY KEY,
  delivery_id text COLLATE "C" NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  at          bigint           NOT NULL,
  status_code integer,
  error       text,
  duration_ms integer          NOT NULL
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, at, id);

-- Triggers ------------------------------------------------------------------------------------

CREATE FUNCTION webhook_wanted(wanted text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM webhook_event_types WHERE event_type IN (wanted, '*'))
$$;

CREATE FUNCTION webhook_enrollments_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF webhook_wanted('enrollment.started') THEN
    INSERT INTO webhook_events (type, subject_id, at, data)
    SELECT 'enrollment.started', n.id, n.started_at,
           jsonb_build_object('enrollmentId', n.id, 'sequenceId', n.sequence_id,
                              'sequenceVersion', n.sequence_version, 'recordId', n.record_id,
                              'ownerId', n.owner_id, 'status', n.status)
      FROM new_rows n ORDER BY n.id;
  END IF;
  -- An enrollment inserted already ended (its first transition ended it).
  IF webhook_wanted('enrollment.ended') THEN
    INSERT INTO webhook_events (type, subject_id, at, data)
    SELECT 'enrollment.ended', n.id, n.ended_at,
           jsonb_build_object('enrollmentId', n.id, 'sequenceId', n.sequence_id,
                              'sequenceVersion', n.sequence_version, 'recordId', n.record_id,
                              'ownerId', n.owner_id, 'status', n.status, 'endReason', n.end_reason)
      FROM new_rows n WHERE n.status NOT IN ('active', 'paused') ORDER BY n.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER webhook_enrollments_inserted AFTER INSERT ON enrollments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhook_enrollments_inserted();

CREATE FUNCTION webhook_enrollments_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF webhook_wanted('enrollment.ended') THEN
    INSERT INTO webhook_events (type, subject_id, at, data)
    SELECT 'enrollment.ended', n.id, n.ended_at,
           jsonb_build_object('enrollmentId', n.id, 'sequenceId', n.sequence_id,
                              'sequenceVersion', n.sequence_version, 'recordId', n.record_id,
                              'ownerId', n.owner_id, 'status', n.status, 'endReason', n.end_reason)
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE o.status IN ('active', 'paused') AND n.status NOT IN ('active', 'paused')
     ORDER BY n.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER webhook_enrollments_updated AFTER UPDATE ON enrollments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION webhook_enrollments_updated();

CREATE FUNCTION webhook_step_event(state text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE state WHEN 'open' THEN 'step.opened' WHEN 'completed' THEN 'step.completed'
                    WHEN 'skipped' THEN 'step.skipped' END
$$;

-- A history row entered already open, completed or skipped (one transition did both).
CREATE FUNCTION webhook_steps_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF webhook_wanted('step.opened') OR webhook_wanted('step.completed') OR webhook_wanted('step.skipped') THEN
    INSERT INTO webhook_events (type, subject_id, at, data)
    SELECT webhook_step_event(n.state), n.id,
           CASE n.state WHEN 'open' THEN n.opened_at ELSE n.completed_at END,
           jsonb_build_object('enrollmentStepId', n.id, 'enrollmentId', n.enrollment_id, 'stepId', n.step_id,
                              'stepType', n.type, 'state', n.state, 'recordId', n.record_id,
                              'ownerId', n.owner_id, 'sequenceId', n.sequence_id, 'dueAt', n.due_at,
                              'outcome', n.outcome, 'actorId', n.actor_id)
      FROM new_rows n
     WHERE n.state IN ('open', 'completed', 'skipped') AND webhook_wanted(webhook_step_event(n.state))
     ORDER BY n.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER webhook_steps_inserted AFTER INSERT ON enrollment_steps
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhook_steps_inserted();

CREATE FUNCTION webhook_steps_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF webhook_wanted('step.opened') OR webhook_wanted('step.completed') OR webhook_wanted('step.skipped') THEN
    INSERT INTO webhook_events (type, subject_id, at, data)
    SELECT webhook_step_event(n.state), n.id,
           CASE n.state WHEN 'open' THEN n.opened_at ELSE n.completed_at END,
           jsonb_build_object('enrollmentStepId', n.id, 'enrollmentId', n.enrollment_id, 'stepId', n.step_id,
                              'stepType', n.type, 'state', n.state, 'recordId', n.record_id,
                              'ownerId', n.owner_id, 'sequenceId', n.sequence_id, 'dueAt', n.due_at,
                              'outcome', n.outcome, 'actorId', n.actor_id)
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.state <> o.state AND n.state IN ('open', 'completed', 'skipped')
       AND webhook_wanted(webhook_step_event(n.state))
     ORDER BY n.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER webhook_steps_updated AFTER UPDATE ON enrollment_steps
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION webhook_steps_updated();

CREATE FUNCTION webhook_outbox_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF webhook_wanted('email.sent') OR webhook_wanted('email.failed') THEN
    INSERT INTO webhook_events (type, subject_id, at, data)
    SELECT CASE n.status WHEN 'sent' THEN 'email.sent' ELSE 'email.failed' END, n.id, n.sent_at,
           jsonb_build_object('messageId', n.id, 'enrollmentId', n.payload ->> 'enrollmentId',
                              'enrollmentStepId', (n.payload ->> 'enrollmentId') || '.' ||
                                lpad(n.payload ->> 'seq', greatest(4, length(n.payload ->> 'seq')), '0'),
                              'stepId', n.payload ->> 'stepId', 'recordId', n.payload ->> 'recordId',
                              'ownerId', n.payload ->> 'ownerId', 'sequenceId', n.payload ->> 'sequenceId',
                              'error', CASE n.status WHEN 'failed' THEN n.last_error END)
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.kind = 'email' AND n.status <> o.status AND n.status IN ('sent', 'failed')
       AND webhook_wanted(CASE n.status WHEN 'sent' THEN 'email.sent' ELSE 'email.failed' END)
     ORDER BY n.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER webhook_outbox_updated AFTER UPDATE ON outbox
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION webhook_outbox_updated();

CREATE FUNCTION webhook_signals_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF webhook_wanted('signal.received') THEN
    INSERT INTO webhook_events (type, subject_id, at, data)
    SELECT 'signal.received', n.id, n.at,
           jsonb_build_object('signalId', n.id, 'type', n.type, 'recordId', n.record_id,
                              'enrollmentId', n.enrollment_id, 'data', n.data)
      FROM new_rows n ORDER BY n.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER webhook_signals_inserted AFTER INSERT ON signals
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhook_signals_inserted();

-- Activated: an inactive sequence starts running, or a revision publishes a new version.
-- Deactivated: a running sequence stops (deactivated, or deleted while running).
CREATE FUNCTION webhook_sequences_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF webhook_wanted('sequence.activated') THEN
    INSERT INTO webhook_events (type, subject_id, at, data)
    SELECT 'sequence.activated', n.id, n.updated_at,
           jsonb_build_object('sequenceId', n.id, 'name', n.name, 'entityType', n.entity_type,
                              'status', n.status, 'version', n.active_version)
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.deleted_at IS NULL AND n.status IN ('active', 'revision')
       AND (o.status = 'inactive' OR n.active_version IS DISTINCT FROM o.active_version)
     ORDER BY n.id;
  END IF;
  IF webhook_wanted('sequence.deactivated') THEN
    INSERT INTO webhook_events (type, subject_id, at, data)
    SELECT 'sequence.deactivated', n.id, n.updated_at,
           jsonb_build_object('sequenceId', n.id, 'name', n.name, 'entityType', n.entity_type,
                              'status', n.status, 'version', o.active_version,
                              'deleted', n.deleted_at IS NOT NULL)
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE o.deleted_at IS NULL AND o.status IN ('active', 'revision')
       AND (n.status = 'inactive' OR n.deleted_at IS NOT NULL)
     ORDER BY n.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER webhook_sequences_updated AFTER UPDATE ON sequences
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION webhook_sequences_updated();
