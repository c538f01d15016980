CREATE TABLE api_tokens (
  id           TEXT    NOT NULL PRIMARY KEY,
  user_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         TEXT    NOT NULL,
  token_hash   TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
);

CREATE UNIQUE INDEX api_tokens_token_hash_key ON api_tokens (token_hash);

CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE audit_log (
  id           TEXT    NOT NULL PRIMARY KEY,
  at           INTEGER NOT NULL,
  actor_id     TEXT,
  action       TEXT    NOT NULL,
  subject_type TEXT    NOT NULL,
  subject_id   TEXT    NOT NULL,
  data         TEXT
);

CREATE INDEX audit_log_at_idx ON audit_log (at, id);

CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id, at, id);

CREATE TABLE email_templates (
  id          TEXT    NOT NULL PRIMARY KEY,
  name        TEXT    NOT NULL,
  subject     TEXT    NOT NULL,
  body        TEXT    NOT NULL,
  entity_type TEXT    CHECK (entity_type IN ('lead', 'contact', 'account', 'opportunity')),
  owner_id    TEXT    REFERENCES users (id),
  builtin_key TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE UNIQUE INDEX email_templates_builtin_key_key ON email_templates (builtin_key) WHERE builtin_key IS NOT NULL;

CREATE INDEX email_templates_name_idx ON email_templates (name, id);

CREATE TABLE enrollment_steps (
  id              TEXT    NOT NULL PRIMARY KEY,
  enrollment_id   TEXT    NOT NULL REFERENCES enrollments (id),
  step_id         TEXT    NOT NULL,
  type            TEXT    NOT NULL,
  state           TEXT    NOT NULL CHECK (state IN ('waiting', 'open', 'completed', 'skipped', 'cancelled', 'failed')),
  owner_id        TEXT    NOT NULL,
  record_id       TEXT    NOT NULL,
  sequence_id     TEXT    NOT NULL,
  proposed_due_at INTEGER,
  due_at          INTEGER,
  opened_at       INTEGER,
  completed_at    INTEGER,
  outcome         TEXT,
  notes           TEXT,
  actor_id        TEXT
, snoozed_at INTEGER);

CREATE INDEX enrollment_steps_enrollment_idx ON enrollment_steps (enrollment_id);

CREATE INDEX enrollment_steps_scheduled_idx ON enrollment_steps (owner_id, due_at, id)
  WHERE state = 'waiting'
    AND type IN ('email', 'phone_call', 'task', 'linkedin_research', 'linkedin_get_introduced',
                 'linkedin_connect', 'linkedin_inmail');

CREATE INDEX enrollment_steps_worklist_idx ON enrollment_steps (owner_id, due_at, id) WHERE state = 'open';

CREATE TABLE enrollments (
  id               TEXT    NOT NULL PRIMARY KEY,
  sequence_id      TEXT    NOT NULL,
  sequence_version INTEGER NOT NULL,
  record_id        TEXT    NOT NULL REFERENCES records (id),
  owner_id         TEXT    NOT NULL REFERENCES users (id),
  status           TEXT    NOT NULL CHECK (status IN ('active', 'paused', 'completed', 'disconnected', 'error')),
  end_reason       TEXT    CHECK (end_reason IN ('user_disconnected', 'sequence_deactivated', 'sequence_deleted',
                     'record_deleted', 'exit_on_reply', 'bounced', 'unsubscribed', 'advanced_to_other_sequence',
                     'completed')),
  current_step_id  TEXT,
  due_at           INTEGER,
  state            TEXT    NOT NULL DEFAULT '{}',
  lease_until      INTEGER,
  lease_owner      TEXT,
  version          INTEGER NOT NULL DEFAULT 0,
  started_at       INTEGER NOT NULL,
  ended_at         INTEGER,
  -- '' (one running enrollment per record) or the sequence id (one per record and sequence) while
  -- active or paused; NULL once ended, so ended enrollments never collide and leave the index.
  exclusive_slot   TEXT,
  FOREIGN KEY (sequence_id, sequence_version) REFERENCES sequence_versions (sequence_id, version),
  CHECK ((status IN ('active', 'paused')) = (exclusive_slot IS NOT NULL))
);

CREATE INDEX enrollments_due_idx ON enrollments (due_at) WHERE status = 'active' AND due_at IS NOT NULL;

CREATE UNIQUE INDEX enrollments_one_running_key ON enrollments (record_id, exclusive_slot);

CREATE INDEX enrollments_sequence_status_idx ON enrollments (sequence_id, status, id);

CREATE TABLE field_definitions (
  entity_type TEXT NOT NULL CHECK (entity_type IN ('lead', 'contact', 'account', 'opportunity')),
  key         TEXT NOT NULL,
  label       TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('text', 'number', 'boolean', 'date', 'choice')),
  choices     TEXT,
  PRIMARY KEY (entity_type, key)
);

CREATE TABLE mail_sends (
  id          TEXT    NOT NULL PRIMARY KEY,
  mailbox_key TEXT    NOT NULL,
  outbox_id   TEXT    NOT NULL,
  at          INTEGER NOT NULL
);

CREATE INDEX mail_sends_mailbox_at_idx ON mail_sends (mailbox_key, at);

CREATE INDEX mail_sends_outbox_idx ON mail_sends (outbox_id);

CREATE TABLE mailboxes (
  id                 TEXT    NOT NULL PRIMARY KEY,
  -- NULL: the installation's default mailbox (at most one, see mailboxes_user_key).
  user_id            TEXT    REFERENCES users (id) ON DELETE CASCADE,
  host               TEXT    NOT NULL,
  port               INTEGER NOT NULL,
  secure             INTEGER NOT NULL DEFAULT 0 CHECK (secure IN (0, 1)),
  username           TEXT,
  -- AES-256-GCM under a key derived from STEPWISE_SECRET (or the stored secret); never the password.
  password_encrypted TEXT,
  from_address       TEXT,
  -- Messages per rolling 24 hours; NULL switches the cap off.
  daily_cap          INTEGER DEFAULT 400 CHECK (daily_cap IS NULL OR daily_cap > 0),
  min_spacing_ms     INTEGER NOT NULL DEFAULT 20000 CHECK (min_spacing_ms >= 0),
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
, name TEXT NOT NULL DEFAULT '', from_name TEXT, imap_url_encrypted TEXT);

CREATE UNIQUE INDEX mailboxes_user_key ON mailboxes (COALESCE(user_id, ''));

CREATE TABLE "outbox" (
  id                TEXT    NOT NULL PRIMARY KEY,
  idempotency_key   TEXT    NOT NULL,
  kind              TEXT    NOT NULL,
  payload           TEXT    NOT NULL,
  status            TEXT    NOT NULL
                    CHECK (status IN ('pending', 'held', 'sending', 'sent', 'failed', 'send_unknown', 'dropped')),
  available_at      INTEGER NOT NULL,
  attempts          INTEGER NOT NULL DEFAULT 0,
  lease_until       INTEGER,
  last_error        TEXT,
  created_at        INTEGER NOT NULL,
  sent_at           INTEGER,
  message_key_hash  TEXT,
  mailbox_key       TEXT,
  provider_response TEXT
);

CREATE INDEX outbox_attention_idx ON outbox (status, created_at) WHERE status IN ('failed', 'send_unknown');

CREATE UNIQUE INDEX outbox_idempotency_key_key ON outbox (idempotency_key);

CREATE INDEX outbox_mailbox_slots_idx ON outbox (mailbox_key, available_at)
  WHERE status = 'pending' AND mailbox_key IS NOT NULL;

CREATE INDEX outbox_message_key_hash_idx ON outbox (message_key_hash) WHERE message_key_hash IS NOT NULL;

CREATE INDEX outbox_pending_idx ON outbox (available_at) WHERE status = 'pending';

CREATE INDEX outbox_sending_idx ON outbox (lease_until) WHERE status = 'sending';

CREATE TABLE records (
  id           TEXT    NOT NULL PRIMARY KEY,
  type         TEXT    NOT NULL CHECK (type IN ('lead', 'contact', 'account', 'opportunity')),
  name         TEXT    NOT NULL,
  email        TEXT,
  phone        TEXT,
  linkedin_url TEXT,
  company      TEXT,
  timezone     TEXT,
  owner_id     TEXT    NOT NULL REFERENCES users (id),
  external_id  TEXT,
  fields       TEXT    NOT NULL DEFAULT '{}',
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  deleted_at   INTEGER
);

CREATE INDEX records_email_idx ON records (lower(email)) WHERE email IS NOT NULL AND deleted_at IS NULL;

CREATE UNIQUE INDEX records_external_id_key ON records (type, external_id)
  WHERE external_id IS NOT NULL AND deleted_at IS NULL;

CREATE INDEX records_name_idx ON records (name, id) WHERE deleted_at IS NULL;

CREATE INDEX records_owner_name_idx ON records (owner_id, name, id) WHERE deleted_at IS NULL;

CREATE INDEX records_type_owner_name_idx ON records (type, owner_id, name, id) WHERE deleted_at IS NULL;

CREATE TABLE schema_migrations (
    name       TEXT    NOT NULL PRIMARY KEY,
    checksum   TEXT    NOT NULL,
    applied_at INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER))
  );

CREATE TABLE sequence_tags (
  sequence_id TEXT NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
  tag         TEXT NOT NULL,
  PRIMARY KEY (sequence_id, tag)
) WITHOUT ROWID;

CREATE INDEX sequence_tags_tag_idx ON sequence_tags (tag, sequence_id);

CREATE TABLE sequence_versions (
  sequence_id  TEXT    NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
  version      INTEGER NOT NULL CHECK (version > 0),
  definition   TEXT    NOT NULL,
  description  TEXT,
  created_at   INTEGER NOT NULL,
  activated_at INTEGER,
  PRIMARY KEY (sequence_id, version)
);

CREATE TABLE sequences (
  id             TEXT    NOT NULL PRIMARY KEY,
  name           TEXT    NOT NULL,
  description    TEXT,
  entity_type    TEXT    NOT NULL CHECK (entity_type IN ('lead', 'contact', 'account', 'opportunity')),
  status         TEXT    NOT NULL CHECK (status IN ('inactive', 'active', 'revision')),
  owner_id       TEXT    NOT NULL REFERENCES users (id),
  active_version INTEGER,
  draft_version  INTEGER NOT NULL,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  deleted_at     INTEGER
);

CREATE INDEX sequences_name_idx ON sequences (name, id) WHERE deleted_at IS NULL;

CREATE INDEX sequences_status_name_idx ON sequences (status, name, id) WHERE deleted_at IS NULL;

CREATE TABLE sessions (
  id         TEXT    NOT NULL PRIMARY KEY, -- the hash of the cookie's token
  user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE settings (
  key   TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE signal_step_firsts (
  step_row_id TEXT    NOT NULL,
  counter     TEXT    NOT NULL,
  at          INTEGER NOT NULL,
  PRIMARY KEY (step_row_id, counter)
) WITHOUT ROWID;

CREATE TABLE signals (
  id            TEXT    NOT NULL PRIMARY KEY,
  dedupe_key    TEXT,
  type          TEXT    NOT NULL,
  record_id     TEXT,
  enrollment_id TEXT,
  message_key   TEXT,
  at            INTEGER NOT NULL,
  data          TEXT
, step_id TEXT);

CREATE UNIQUE INDEX signals_dedupe_key_key ON signals (dedupe_key) WHERE dedupe_key IS NOT NULL;

CREATE TABLE step_stats (
  sequence_id TEXT    NOT NULL,
  version     INTEGER NOT NULL,
  step_id     TEXT    NOT NULL,
  counter     TEXT    NOT NULL,
  value       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (sequence_id, version, step_id, counter)
) WITHOUT ROWID;

CREATE TABLE suppressions (
  email  TEXT    NOT NULL PRIMARY KEY CHECK (email = lower(email)),
  reason TEXT    NOT NULL CHECK (reason IN ('unsubscribed', 'bounced', 'manual')),
  at     INTEGER NOT NULL,
  source TEXT
) WITHOUT ROWID;

CREATE TABLE users (
  id            TEXT    NOT NULL PRIMARY KEY,
  email         TEXT    NOT NULL,
  name          TEXT    NOT NULL,
  role          TEXT    NOT NULL CHECK (role IN ('admin', 'sequence_manager', 'sales_manager', 'salesperson')),
  password_hash TEXT,
  timezone      TEXT    NOT NULL DEFAULT 'UTC',
  working_hours TEXT    NOT NULL,
  time_off      TEXT    NOT NULL DEFAULT '[]',
  disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE webhook_attempts (
  id          TEXT    NOT NULL PRIMARY KEY,
  delivery_id TEXT    NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  at          INTEGER NOT NULL,
  status_code INTEGER,
  error       TEXT,
  duration_ms INTEGER NOT NULL
);

CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, at, id);

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

CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

CREATE UNIQUE INDEX webhook_deliveries_event_key ON webhook_deliveries (webhook_id, event_id);

CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, created_at, id);

CREATE TABLE webhook_event_types (
  event_type TEXT NOT NULL,
  webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  PRIMARY KEY (event_type, webhook_id)
) WITHOUT ROWID;

CREATE INDEX webhook_event_types_webhook_idx ON webhook_event_types (webhook_id);

CREATE TABLE webhook_events (
  seq        INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  type       TEXT    NOT NULL,
  subject_id TEXT    NOT NULL,
  -- When it happened (the engine's time); NULL: the dispatcher's now.
  at         INTEGER,
  data       TEXT    NOT NULL
);

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
