CREATE TABLE api_tokens (
  id text COLLATE "C" NOT NULL,
  user_id text COLLATE "C" NOT NULL,
  name text NOT NULL,
  token_hash text COLLATE "C" NOT NULL,
  created_at bigint NOT NULL,
  last_used_at bigint,
  revoked_at bigint
);
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_pkey PRIMARY KEY (id);
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;
CREATE UNIQUE INDEX api_tokens_pkey ON api_tokens USING btree (id);
CREATE UNIQUE INDEX api_tokens_token_hash_key ON api_tokens USING btree (token_hash);
CREATE INDEX api_tokens_user_idx ON api_tokens USING btree (user_id);

CREATE TABLE audit_log (
  id text COLLATE "C" NOT NULL,
  at bigint NOT NULL,
  actor_id text COLLATE "C",
  action text NOT NULL,
  subject_type text COLLATE "C" NOT NULL,
  subject_id text COLLATE "C" NOT NULL,
  data jsonb
);
ALTER TABLE audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);
CREATE INDEX audit_log_at_idx ON audit_log USING btree (at, id);
CREATE UNIQUE INDEX audit_log_pkey ON audit_log USING btree (id);
CREATE INDEX audit_log_subject_idx ON audit_log USING btree (subject_type, subject_id, at, id);

CREATE TABLE email_templates (
  id text COLLATE "C" NOT NULL,
  name text COLLATE "C" NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  entity_type text COLLATE "C",
  owner_id text COLLATE "C",
  builtin_key text COLLATE "C",
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
ALTER TABLE email_templates ADD CONSTRAINT email_templates_entity_type_check CHECK ((entity_type = ANY (ARRAY['lead'::text, 'contact'::text, 'account'::text, 'opportunity'::text])));
ALTER TABLE email_templates ADD CONSTRAINT email_templates_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES users(id);
ALTER TABLE email_templates ADD CONSTRAINT email_templates_pkey PRIMARY KEY (id);
CREATE UNIQUE INDEX email_templates_builtin_key_key ON email_templates USING btree (builtin_key) WHERE (builtin_key IS NOT NULL);
CREATE INDEX email_templates_name_idx ON email_templates USING btree (name, id);
CREATE UNIQUE INDEX email_templates_pkey ON email_templates USING btree (id);

CREATE TABLE enrollment_steps (
  id text COLLATE "C" NOT NULL,
  enrollment_id text COLLATE "C" NOT NULL,
  step_id text NOT NULL,
  type text NOT NULL,
  state text COLLATE "C" NOT NULL,
  owner_id text COLLATE "C" NOT NULL,
  record_id text COLLATE "C" NOT NULL,
  sequence_id text COLLATE "C" NOT NULL,
  proposed_due_at bigint,
  due_at bigint,
  opened_at bigint,
  completed_at bigint,
  outcome text,
  notes text,
  actor_id text COLLATE "C",
  snoozed_at bigint
);
ALTER TABLE enrollment_steps ADD CONSTRAINT enrollment_steps_pkey PRIMARY KEY (id);
ALTER TABLE enrollment_steps ADD CONSTRAINT enrollment_steps_state_check CHECK ((state = ANY (ARRAY['waiting'::text, 'open'::text, 'completed'::text, 'skipped'::text, 'cancelled'::text, 'failed'::text])));
CREATE INDEX enrollment_steps_enrollment_idx ON enrollment_steps USING btree (enrollment_id);
CREATE UNIQUE INDEX enrollment_steps_pkey ON enrollment_steps USING btree (id);
CREATE INDEX enrollment_steps_scheduled_idx ON enrollment_steps USING btree (owner_id, due_at, id) WHERE ((state = 'waiting'::text) AND (type = ANY (ARRAY['email'::text, 'phone_call'::text, 'task'::text, 'linkedin_research'::text, 'linkedin_get_introduced'::text, 'linkedin_connect'::text, 'linkedin_inmail'::text])));
CREATE INDEX enrollment_steps_worklist_idx ON enrollment_steps USING btree (owner_id, due_at, id) WHERE (state = 'open'::text);

CREATE TABLE enrollments (
  id text COLLATE "C" NOT NULL,
  sequence_id text COLLATE "C" NOT NULL,
  sequence_version integer NOT NULL,
  record_id text COLLATE "C" NOT NULL,
  owner_id text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  end_reason text,
  current_step_id text,
  due_at bigint,
  state jsonb NOT NULL DEFAULT '{}'::jsonb,
  lease_until bigint,
  lease_owner text,
  version integer NOT NULL DEFAULT 0,
  started_at bigint NOT NULL,
  ended_at bigint,
  exclusive_slot text COLLATE "C"
);
ALTER TABLE enrollments ADD CONSTRAINT enrollments_check CHECK (((status = ANY (ARRAY['active'::text, 'paused'::text])) = (exclusive_slot IS NOT NULL)));
ALTER TABLE enrollments ADD CONSTRAINT enrollments_end_reason_check CHECK ((end_reason = ANY (ARRAY['user_disconnected'::text, 'sequence_deactivated'::text, 'sequence_deleted'::text, 'record_deleted'::text, 'exit_on_reply'::text, 'bounced'::text, 'unsubscribed'::text, 'advanced_to_other_sequence'::text, 'completed'::text])));
ALTER TABLE enrollments ADD CONSTRAINT enrollments_pkey PRIMARY KEY (id);
ALTER TABLE enrollments ADD CONSTRAINT enrollments_status_check CHECK ((status = ANY (ARRAY['active'::text, 'paused'::text, 'completed'::text, 'disconnected'::text, 'error'::text])));
CREATE INDEX enrollments_due_idx ON enrollments USING btree (due_at) WHERE ((status = 'active'::text) AND (due_at IS NOT NULL));
CREATE UNIQUE INDEX enrollments_one_running_key ON enrollments USING btree (record_id, exclusive_slot);
CREATE UNIQUE INDEX enrollments_pkey ON enrollments USING btree (id);
CREATE INDEX enrollments_sequence_status_idx ON enrollments USING btree (sequence_id, status, id);

CREATE TABLE field_definitions (
  entity_type text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  label text NOT NULL,
  kind text NOT NULL,
  choices jsonb
);
ALTER TABLE field_definitions ADD CONSTRAINT field_definitions_entity_type_check CHECK ((entity_type = ANY (ARRAY['lead'::text, 'contact'::text, 'account'::text, 'opportunity'::text])));
ALTER TABLE field_definitions ADD CONSTRAINT field_definitions_kind_check CHECK ((kind = ANY (ARRAY['text'::text, 'number'::text, 'boolean'::text, 'date'::text, 'choice'::text])));
ALTER TABLE field_definitions ADD CONSTRAINT field_definitions_pkey PRIMARY KEY (entity_type, key);
CREATE UNIQUE INDEX field_definitions_pkey ON field_definitions USING btree (entity_type, key);

CREATE TABLE mail_sends (
  id text COLLATE "C" NOT NULL,
  mailbox_key text COLLATE "C" NOT NULL,
  outbox_id text COLLATE "C" NOT NULL,
  at bigint NOT NULL
);
ALTER TABLE mail_sends ADD CONSTRAINT mail_sends_pkey PRIMARY KEY (id);
CREATE INDEX mail_sends_mailbox_at_idx ON mail_sends USING btree (mailbox_key, at);
CREATE INDEX mail_sends_outbox_idx ON mail_sends USING btree (outbox_id);
CREATE UNIQUE INDEX mail_sends_pkey ON mail_sends USING btree (id);

CREATE TABLE mailboxes (
  id text COLLATE "C" NOT NULL,
  user_id text COLLATE "C",
  host text NOT NULL,
  port integer NOT NULL,
  secure boolean NOT NULL DEFAULT false,
  username text,
  password_encrypted text,
  from_address text,
  daily_cap integer DEFAULT 400,
  min_spacing_ms integer NOT NULL DEFAULT 20000,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  name text NOT NULL DEFAULT ''::text,
  from_name text,
  imap_url_encrypted text
);
ALTER TABLE mailboxes ADD CONSTRAINT mailboxes_daily_cap_check CHECK (((daily_cap IS NULL) OR (daily_cap > 0)));
ALTER TABLE mailboxes ADD CONSTRAINT mailboxes_min_spacing_ms_check CHECK ((min_spacing_ms >= 0));
ALTER TABLE mailboxes ADD CONSTRAINT mailboxes_pkey PRIMARY KEY (id);
ALTER TABLE mailboxes ADD CONSTRAINT mailboxes_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;
CREATE UNIQUE INDEX mailboxes_pkey ON mailboxes USING btree (id);
CREATE UNIQUE INDEX mailboxes_user_key ON mailboxes USING btree (COALESCE(user_id, ''::text));

CREATE TABLE outbox (
  id text COLLATE "C" NOT NULL,
  idempotency_key text COLLATE "C" NOT NULL,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  status text COLLATE "C" NOT NULL,
  available_at bigint NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  lease_until bigint,
  last_error text,
  created_at bigint NOT NULL,
  sent_at bigint,
  message_key_hash text COLLATE "C",
  mailbox_key text COLLATE "C",
  provider_response text
);
ALTER TABLE outbox ADD CONSTRAINT outbox_pkey PRIMARY KEY (id);
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'held'::text, 'sending'::text, 'sent'::text, 'failed'::text, 'send_unknown'::text, 'dropped'::text])));
CREATE INDEX outbox_attention_idx ON outbox USING btree (status, created_at) WHERE (status = ANY (ARRAY['failed'::text, 'send_unknown'::text]));
CREATE UNIQUE INDEX outbox_idempotency_key_key ON outbox USING btree (idempotency_key);
CREATE INDEX outbox_mailbox_slots_idx ON outbox USING btree (mailbox_key, available_at) WHERE ((status = 'pending'::text) AND (mailbox_key IS NOT NULL));
CREATE INDEX outbox_message_key_hash_idx ON outbox USING btree (message_key_hash) WHERE (message_key_hash IS NOT NULL);
CREATE INDEX outbox_pending_idx ON outbox USING btree (available_at) WHERE (status = 'pending'::text);
CREATE UNIQUE INDEX outbox_pkey ON outbox USING btree (id);
CREATE INDEX outbox_sending_idx ON outbox USING btree (lease_until) WHERE (status = 'sending'::text);

CREATE TABLE records (
  id text COLLATE "C" NOT NULL,
  type text COLLATE "C" NOT NULL,
  name text COLLATE "C" NOT NULL,
  email text COLLATE "C",
  phone text,
  linkedin_url text,
  company text,
  timezone text,
  owner_id text COLLATE "C" NOT NULL,
  external_id text COLLATE "C",
  fields jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  deleted_at bigint
);
ALTER TABLE records ADD CONSTRAINT records_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES users(id);
ALTER TABLE records ADD CONSTRAINT records_pkey PRIMARY KEY (id);
ALTER TABLE records ADD CONSTRAINT records_type_check CHECK ((type = ANY (ARRAY['lead'::text, 'contact'::text, 'account'::text, 'opportunity'::text])));
CREATE INDEX records_email_idx ON records USING btree (lower(email)) WHERE ((email IS NOT NULL) AND (deleted_at IS NULL));
CREATE UNIQUE INDEX records_external_id_key ON records USING btree (type, external_id) WHERE ((external_id IS NOT NULL) AND (deleted_at IS NULL));
CREATE INDEX records_name_idx ON records USING btree (name, id) WHERE (deleted_at IS NULL);
CREATE INDEX records_owner_name_idx ON records USING btree (owner_id, name, id) WHERE (deleted_at IS NULL);
CREATE UNIQUE INDEX records_pkey ON records USING btree (id);
CREATE INDEX records_type_owner_name_idx ON records USING btree (type, owner_id, name, id) WHERE (deleted_at IS NULL);

CREATE TABLE schema_migrations (
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at bigint NOT NULL DEFAULT ((EXTRACT(epoch FROM clock_timestamp()) * (1000)::numeric))::bigint
);
ALTER TABLE schema_migrations ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (name);
CREATE UNIQUE INDEX schema_migrations_pkey ON schema_migrations USING btree (name);

CREATE TABLE sequence_tags (
  sequence_id text COLLATE "C" NOT NULL,
  tag text COLLATE "C" NOT NULL
);
ALTER TABLE sequence_tags ADD CONSTRAINT sequence_tags_pkey PRIMARY KEY (sequence_id, tag);
ALTER TABLE sequence_tags ADD CONSTRAINT sequence_tags_sequence_id_fkey FOREIGN KEY (sequence_id) REFERENCES sequences(id) ON DELETE CASCADE;
CREATE UNIQUE INDEX sequence_tags_pkey ON sequence_tags USING btree (sequence_id, tag);
CREATE INDEX sequence_tags_tag_idx ON sequence_tags USING btree (tag, sequence_id);

CREATE TABLE sequence_versions (
  sequence_id text COLLATE "C" NOT NULL,
  version integer NOT NULL,
  definition jsonb NOT NULL,
  description text,
  created_at bigint NOT NULL,
  activated_at bigint
);
ALTER TABLE sequence_versions ADD CONSTRAINT sequence_versions_pkey PRIMARY KEY (sequence_id, version);
ALTER TABLE sequence_versions ADD CONSTRAINT sequence_versions_sequence_id_fkey FOREIGN KEY (sequence_id) REFERENCES sequences(id) ON DELETE CASCADE;
ALTER TABLE sequence_versions ADD CONSTRAINT sequence_versions_version_check CHECK ((version > 0));
CREATE UNIQUE INDEX sequence_versions_pkey ON sequence_versions USING btree (sequence_id, version);

CREATE TABLE sequences (
  id text COLLATE "C" NOT NULL,
  name text COLLATE "C" NOT NULL,
  description text,
  entity_type text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  owner_id text COLLATE "C" NOT NULL,
  active_version integer,
  draft_version integer NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  deleted_at bigint
);
ALTER TABLE sequences ADD CONSTRAINT sequences_entity_type_check CHECK ((entity_type = ANY (ARRAY['lead'::text, 'contact'::text, 'account'::text, 'opportunity'::text])));
ALTER TABLE sequences ADD CONSTRAINT sequences_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES users(id);
ALTER TABLE sequences ADD CONSTRAINT sequences_pkey PRIMARY KEY (id);
ALTER TABLE sequences ADD CONSTRAINT sequences_status_check CHECK ((status = ANY (ARRAY['inactive'::text, 'active'::text, 'revision'::text])));
CREATE INDEX sequences_name_idx ON sequences USING btree (name, id) WHERE (deleted_at IS NULL);
CREATE UNIQUE INDEX sequences_pkey ON sequences USING btree (id);
CREATE INDEX sequences_status_name_idx ON sequences USING btree (status, name, id) WHERE (deleted_at IS NULL);

CREATE TABLE sessions (
  id text COLLATE "C" NOT NULL,
  user_id text COLLATE "C" NOT NULL,
  csrf_token text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
ALTER TABLE sessions ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);
ALTER TABLE sessions ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;
CREATE INDEX sessions_expires_at_idx ON sessions USING btree (expires_at);
CREATE UNIQUE INDEX sessions_pkey ON sessions USING btree (id);
CREATE INDEX sessions_user_idx ON sessions USING btree (user_id);

CREATE TABLE settings (
  key text COLLATE "C" NOT NULL,
  value jsonb NOT NULL
);
ALTER TABLE settings ADD CONSTRAINT settings_pkey PRIMARY KEY (key);
CREATE UNIQUE INDEX settings_pkey ON settings USING btree (key);

CREATE TABLE signal_step_firsts (
  step_row_id text COLLATE "C" NOT NULL,
  counter text COLLATE "C" NOT NULL,
  at bigint NOT NULL
);
ALTER TABLE signal_step_firsts ADD CONSTRAINT signal_step_firsts_pkey PRIMARY KEY (step_row_id, counter);
CREATE UNIQUE INDEX signal_step_firsts_pkey ON signal_step_firsts USING btree (step_row_id, counter);

CREATE TABLE signals (
  id text COLLATE "C" NOT NULL,
  dedupe_key text COLLATE "C",
  type text NOT NULL,
  record_id text COLLATE "C",
  enrollment_id text COLLATE "C",
  message_key text COLLATE "C",
  at bigint NOT NULL,
  data jsonb,
  step_id text
);
ALTER TABLE signals ADD CONSTRAINT signals_pkey PRIMARY KEY (id);
CREATE UNIQUE INDEX signals_dedupe_key_key ON signals USING btree (dedupe_key) WHERE (dedupe_key IS NOT NULL);
CREATE UNIQUE INDEX signals_pkey ON signals USING btree (id);

CREATE TABLE step_stats (
  sequence_id text COLLATE "C" NOT NULL,
  version integer NOT NULL,
  step_id text COLLATE "C" NOT NULL,
  counter text COLLATE "C" NOT NULL,
  value bigint NOT NULL DEFAULT 0
);
ALTER TABLE step_stats ADD CONSTRAINT step_stats_pkey PRIMARY KEY (sequence_id, version, step_id, counter);
CREATE UNIQUE INDEX step_stats_pkey ON step_stats USING btree (sequence_id, version, step_id, counter);

CREATE TABLE suppressions (
  email text COLLATE "C" NOT NULL,
  reason text NOT NULL,
  at bigint NOT NULL,
  source text
);
ALTER TABLE suppressions ADD CONSTRAINT suppressions_email_check CHECK ((email = lower(email)));
ALTER TABLE suppressions ADD CONSTRAINT suppressions_pkey PRIMARY KEY (email);
ALTER TABLE suppressions ADD CONSTRAINT suppressions_reason_check CHECK ((reason = ANY (ARRAY['unsubscribed'::text, 'bounced'::text, 'manual'::text])));
CREATE UNIQUE INDEX suppressions_pkey ON suppressions USING btree (email);

CREATE TABLE users (
  id text COLLATE "C" NOT NULL,
  email text COLLATE "C" NOT NULL,
  name text NOT NULL,
  role text NOT NULL,
  password_hash text,
  timezone text NOT NULL DEFAULT 'UTC'::text,
  working_hours jsonb NOT NULL,
  time_off jsonb NOT NULL DEFAULT '[]'::jsonb,
  disabled boolean NOT NULL DEFAULT false,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK ((role = ANY (ARRAY['admin'::text, 'sequence_manager'::text, 'sales_manager'::text, 'salesperson'::text])));
CREATE UNIQUE INDEX users_email_key ON users USING btree (lower(email));
CREATE UNIQUE INDEX users_pkey ON users USING btree (id);

CREATE TABLE webhook_attempts (
  id text COLLATE "C" NOT NULL,
  delivery_id text COLLATE "C" NOT NULL,
  at bigint NOT NULL,
  status_code integer,
  error text,
  duration_ms integer NOT NULL
);
ALTER TABLE webhook_attempts ADD CONSTRAINT webhook_attempts_delivery_id_fkey FOREIGN KEY (delivery_id) REFERENCES webhook_deliveries(id) ON DELETE CASCADE;
ALTER TABLE webhook_attempts ADD CONSTRAINT webhook_attempts_pkey PRIMARY KEY (id);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts USING btree (delivery_id, at, id);
CREATE UNIQUE INDEX webhook_attempts_pkey ON webhook_attempts USING btree (id);

CREATE TABLE webhook_deliveries (
  id text COLLATE "C" NOT NULL,
  webhook_id text COLLATE "C" NOT NULL,
  event_id text COLLATE "C" NOT NULL,
  event_type text NOT NULL,
  payload text NOT NULL,
  status text COLLATE "C" NOT NULL,
  next_attempt_at bigint,
  retry_until bigint NOT NULL,
  lease_until bigint,
  created_at bigint NOT NULL,
  delivered_at bigint
);
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (id);
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'delivered'::text, 'failed'::text])));
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_webhook_id_fkey FOREIGN KEY (webhook_id) REFERENCES webhooks(id) ON DELETE CASCADE;
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries USING btree (next_attempt_at) WHERE (status = 'pending'::text);
CREATE UNIQUE INDEX webhook_deliveries_event_key ON webhook_deliveries USING btree (webhook_id, event_id);
CREATE UNIQUE INDEX webhook_deliveries_pkey ON webhook_deliveries USING btree (id);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries USING btree (webhook_id, created_at, id);

CREATE TABLE webhook_event_types (
  event_type text COLLATE "C" NOT NULL,
  webhook_id text COLLATE "C" NOT NULL
);
ALTER TABLE webhook_event_types ADD CONSTRAINT webhook_event_types_pkey PRIMARY KEY (event_type, webhook_id);
ALTER TABLE webhook_event_types ADD CONSTRAINT webhook_event_types_webhook_id_fkey FOREIGN KEY (webhook_id) REFERENCES webhooks(id) ON DELETE CASCADE;
CREATE UNIQUE INDEX webhook_event_types_pkey ON webhook_event_types USING btree (event_type, webhook_id);
CREATE INDEX webhook_event_types_webhook_idx ON webhook_event_types USING btree (webhook_id);

CREATE TABLE webhook_events (
  seq bigint NOT NULL,
  type text NOT NULL,
  subject_id text NOT NULL,
  at bigint,
  data jsonb NOT NULL
);
ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_pkey PRIMARY KEY (seq);
CREATE UNIQUE INDEX webhook_events_pkey ON webhook_events USING btree (seq);

CREATE TABLE webhooks (
  id text COLLATE "C" NOT NULL,
  url text NOT NULL,
  events jsonb NOT NULL,
  description text,
  secret text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
ALTER TABLE webhooks ADD CONSTRAINT webhooks_pkey PRIMARY KEY (id);
CREATE INDEX webhooks_created_idx ON webhooks USING btree (created_at, id);
CREATE UNIQUE INDEX webhooks_pkey ON webhooks USING btree (id);
