-- 0001_initial (PostgreSQL): people, records, templates, sequences, and the engine's tables.
-- Times are epoch milliseconds (bigint), JSON is jsonb. Lists are keyset-paginated, so each list index
-- ends with the sort key and `id`. Soft-deleted rows stay out of the list indexes. Text that is sorted
-- or compared in a keyset is COLLATE "C": byte order, the same as SQLite, whatever the database's locale.

-- People --------------------------------------------------------------------------------------

CREATE TABLE users (
  id            text COLLATE "C" NOT NULL PRIMARY KEY,
  email         text COLLATE "C" NOT NULL,
  name          text             NOT NULL,
  role          text             NOT NULL CHECK (role IN ('admin', 'sequence_manager', 'sales_manager', 'salesperson')),
  password_hash text,
  timezone      text             NOT NULL DEFAULT 'UTC',
  working_hours jsonb            NOT NULL,
  time_off      jsonb            NOT NULL DEFAULT '[]',
  disabled      boolean          NOT NULL DEFAULT false,
  created_at    bigint           NOT NULL,
  updated_at    bigint           NOT NULL
);
-- Log-in by email, case-insensitive uniqueness, and the user list's order.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE api_tokens (
  id           text COLLATE "C" NOT NULL PRIMARY KEY,
  user_id      text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         text             NOT NULL,
  token_hash   text COLLATE "C" NOT NULL,
  created_at   bigint           NOT NULL,
  last_used_at bigint,
  revoked_at   bigint
);
CREATE UNIQUE INDEX api_tokens_token_hash_key ON api_tokens (token_hash);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE sessions (
  id         text COLLATE "C" NOT NULL PRIMARY KEY, -- the hash of the cookie's token
  user_id    text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token text             NOT NULL,
  created_at bigint           NOT NULL,
  expires_at bigint           NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

-- Records -------------------------------------------------------------------------------------

CREATE TABLE field_definitions (
  entity_type text COLLATE "C" NOT NULL CHECK (entity_type IN ('lead', 'contact', 'account', 'opportunity')),
  key         text COLLATE "C" NOT NULL,
  label       text             NOT NULL,
  kind        text             NOT NULL CHECK (kind IN ('text', 'number', 'boolean', 'date', 'choice')),
  choices     jsonb,
  PRIMARY KEY (entity_type, key)
);

CREATE TABLE records (
  id           text COLLATE "C" NOT NULL PRIMARY KEY,
  type         text COLLATE "C" NOT NULL CHECK (type IN ('lead', 'contact', 'account', 'opportunity')),
  name         text COLLATE "C" NOT NULL,
  email        text COLLATE "C",
  phone        text,
  linkedin_url text,
  company      text,
  timezone     text,
  owner_id     text COLLATE "C" NOT NULL REFERENCES users (id),
  external_id  text COLLATE "C",
  fields       jsonb            NOT NULL DEFAULT '{}',
  created_at   bigint           NOT NULL,
  updated_at   bigint           NOT NULL,
  deleted_at   bigint
);
-- Bulk upsert's conflict target; kept for deleted records so a re-import revives them.
CREATE UNIQUE INDEX records_external_id_key ON records (type, external_id) WHERE external_id IS NOT NULL;
-- Record lists: by type and owner, by owner, and unfiltered / by type (filtered while walking).
CREATE INDEX records_type_owner_name_idx ON records (type, owner_id, name, id) WHERE deleted_at IS NULL;
CREATE INDEX records_owner_name_idx ON records (owner_id, name, id) WHERE deleted_at IS NULL;
CREATE INDEX records_name_idx ON records (name, id) WHERE deleted_at IS NULL;
-- Inbound mail: which records does this sender belong to.
CREATE INDEX records_email_idx ON records (lower(email)) WHERE email IS NOT NULL AND deleted_at IS NULL;

-- Email templates -----------------------------------------------------------------------------

CREATE TABLE email_templates (
  id          text COLLATE "C" NOT NULL PRIMARY KEY,
  name        text COLLATE "C" NOT NULL,
  subject     text             NOT NULL,
  body        text             NOT NULL,
  entity_type text COLLATE "C" CHECK (entity_type IN ('lead', 'contact', 'account', 'opportunity')),
  owner_id    text COLLATE "C" REFERENCES users (id),
  builtin_key text COLLATE "C",
  created_at  bigint           NOT NULL,
  updated_at  bigint           NOT NULL
);
CREATE UNIQUE INDEX email_templates_builtin_key_key ON email_templates (builtin_key) WHERE builtin_key IS NOT NULL;
CREATE INDEX email_templates_name_idx ON email_templates (name, id);

-- Sequences -----------------------------------------------------------------------------------

CREATE TABLE sequences (
  id             text COLLATE "C" NOT NULL PRIMARY KEY,
  name           text COLLATE "C" NOT NULL,
  description    text,
  entity_type    text COLLATE "C" NOT NULL CHECK (entity_type IN ('lead', 'contact', 'account', 'opportunity')),
  status         text COLLATE "C" NOT NULL CHECK (status IN ('inactive', 'active', 'revision')),
  owner_id       text COLLATE "C" NOT NULL REFERENCES users (id),
  active_version integer,
  draft_version  integer          NOT NULL,
  created_at     bigint           NOT NULL,
  updated_at     bigint           NOT NULL,
  deleted_at     bigint
);
-- Lists filtered by status, and the active-sequence count (index-only).
CREATE INDEX sequences_status_name_idx ON sequences (status, name, id) WHERE deleted_at IS NULL;
CREATE INDEX sequences_name_idx ON sequences (name, id) WHERE deleted_at IS NULL;

CREATE TABLE sequence_tags (
  sequence_id text COLLATE "C" NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
  tag         text COLLATE "C" NOT NULL,
  PRIMARY KEY (sequence_id, tag)
);
-- Filter by tag.
CREATE INDEX sequence_tags_tag_idx ON sequence_tags (tag, sequence_id);

CREATE TABLE sequence_versions (
  sequence_id  text COLLATE "C" NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
  version      integer          NOT NULL CHECK (version > 0),
  definition   jsonb            NOT NULL,
  description  text,
  created_at   bigint           NOT NULL,
  activated_at bigint,
  PRIMARY KEY (sequence_id, version)
);

-- Engine: enrollments and their steps ---------------------------------------------------------

CREATE TABLE enrollments (
  id               text COLLATE "C" NOT NULL PRIMARY KEY,
  sequence_id      text COLLATE "C" NOT NULL,
  sequence_version integer          NOT NULL,
  record_id        text COLLATE "C" NOT NULL REFERENCES records (id),
  owner_id         text COLLATE "C" NOT NULL REFERENCES users (id),
  status           text COLLATE "C" NOT NULL
                     CHECK (status IN ('active', 'paused', 'completed', 'disconnected', 'error')),
  end_reason       text CHECK (end_reason IN ('user_disconnected', 'sequence_deactivated', 'sequence_deleted',
                     'record_deleted', 'exit_on_reply', 'bounced', 'unsubscribed', 'advanced_to_other_sequence',
                     'completed')),
  current_step_id  text,
  due_at           bigint,
  state            jsonb            NOT NULL DEFAULT '{}',
  lease_until      bigint,
  lease_owner      text,
  version          integer          NOT NULL DEFAULT 0,
  started_at       bigint           NOT NULL,
  ended_at         bigint,
  -- '' (one running enrollment per record) or the sequence id (one per record and sequence) while
  -- active or paused; NULL once ended, so ended enrollments never collide and leave the index.
  exclusive_slot   text COLLATE "C",
  FOREIGN KEY (sequence_id, sequence_version) REFERENCES sequence_versions (sequence_id, version),
  CHECK ((status IN ('active', 'paused')) = (exclusive_slot IS NOT NULL))
);
-- design.md §3.4: one running enrollment per record (or per record and sequence).
CREATE UNIQUE INDEX enrollments_one_running_key ON enrollments (record_id, exclusive_slot)
  WHERE exclusive_slot IS NOT NULL;
-- Claiming due work: the scheduler's range scan over due times (FOR UPDATE SKIP LOCKED).
CREATE INDEX enrollments_due_idx ON enrollments (due_at) WHERE status = 'active' AND due_at IS NOT NULL;
-- A sequence's connected records (by status), stats and bulk disconnects.
CREATE INDEX enrollments_sequence_status_idx ON enrollments (sequence_id, status, id);

CREATE TABLE enrollment_steps (
  id              text COLLATE "C" NOT NULL PRIMARY KEY,
  enrollment_id   text COLLATE "C" NOT NULL REFERENCES enrollments (id),
  step_id         text             NOT NULL,
  type            text             NOT NULL,
  state           text COLLATE "C" NOT NULL
                    CHECK (state IN ('waiting', 'open', 'completed', 'skipped', 'cancelled', 'failed')),
  owner_id        text COLLATE "C" NOT NULL,
  record_id       text COLLATE "C" NOT NULL,
  sequence_id     text COLLATE "C" NOT NULL,
  proposed_due_at bigint,
  due_at          bigint,
  opened_at       bigint,
  completed_at    bigint,
  outcome         text,
  notes           text,
  actor_id        text COLLATE "C"
);
-- The seller's work list: open steps of one owner by due time.
CREATE INDEX enrollment_steps_worklist_idx ON enrollment_steps (owner_id, due_at, id) WHERE state = 'open';
-- An enrollment's history.
CREATE INDEX enrollment_steps_enrollment_idx ON enrollment_steps (enrollment_id);

-- Engine: effects, signals, counters ----------------------------------------------------------

CREATE TABLE outbox (
  id              text COLLATE "C" NOT NULL PRIMARY KEY,
  idempotency_key text COLLATE "C" NOT NULL,
  kind            text             NOT NULL,
  payload         jsonb            NOT NULL,
  status          text COLLATE "C" NOT NULL
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'send_unknown', 'dropped')),
  available_at    bigint           NOT NULL,
  attempts        integer          NOT NULL DEFAULT 0,
  lease_until     bigint,
  last_error      text,
  created_at      bigint           NOT NULL,
  sent_at         bigint
);
-- design.md §3.3: a retried effect never produces a second row.
CREATE UNIQUE INDEX outbox_idempotency_key_key ON outbox (idempotency_key);
-- The sender's claim of pending effects (FOR UPDATE SKIP LOCKED).
CREATE INDEX outbox_pending_idx ON outbox (available_at) WHERE status = 'pending';
-- The administrator's view of effects that need a decision.
CREATE INDEX outbox_attention_idx ON outbox (status, created_at) WHERE status IN ('failed', 'send_unknown');

CREATE TABLE signals (
  id            text COLLATE "C" NOT NULL PRIMARY KEY,
  dedupe_key    text COLLATE "C",
  type          text             NOT NULL,
  record_id     text COLLATE "C",
  enrollment_id text COLLATE "C",
  message_key   text COLLATE "C",
  at            bigint           NOT NULL,
  data          jsonb
);
-- A repeated signal (same client id, same tracking hit) is a no-op.
CREATE UNIQUE INDEX signals_dedupe_key_key ON signals (dedupe_key) WHERE dedupe_key IS NOT NULL;
-- A record's engagement timeline, and condition checks.
CREATE INDEX signals_record_at_idx ON signals (record_id, at);

CREATE TABLE step_stats (
  sequence_id text COLLATE "C" NOT NULL,
  version     integer          NOT NULL,
  step_id     text COLLATE "C" NOT NULL,
  counter     text COLLATE "C" NOT NULL,
  value       bigint           NOT NULL DEFAULT 0,
  PRIMARY KEY (sequence_id, version, step_id, counter)
);

-- Audit and settings --------------------------------------------------------------------------

CREATE TABLE audit_log (
  id           text COLLATE "C" NOT NULL PRIMARY KEY,
  at           bigint           NOT NULL,
  actor_id     text COLLATE "C",
  action       text             NOT NULL,
  subject_type text COLLATE "C" NOT NULL,
  subject_id   text COLLATE "C" NOT NULL,
  data         jsonb
);
-- One subject's history, newest first; and the whole log, newest first.
CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id, at, id);
CREATE INDEX audit_log_at_idx ON audit_log (at, id);

CREATE TABLE settings (
  key   text COLLATE "C" NOT NULL PRIMARY KEY,
  value jsonb            NOT NULL
);
