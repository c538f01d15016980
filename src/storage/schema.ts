// The Kysely view of the tables the migrations create, shared by both dialects.
// Times are epoch ms numbers; JSON columns travel as text (SQLite TEXT, PostgreSQL JSONB read back as
// text by the pool's type parser) and are parsed by the repositories; booleans are written as 0/1.
import type { ColumnType, Generated } from 'kysely';

/** A JSON column: written and read as JSON text. */
export type JsonText = string;
/** SQLite answers 0/1, PostgreSQL true/false; both accept 0/1. */
export type BooleanColumn = ColumnType<boolean | number, 0 | 1, 0 | 1>;

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string | null;
  timezone: string;
  working_hours: JsonText;
  time_off: JsonText;
  disabled: BooleanColumn;
  created_at: number;
  updated_at: number;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

export interface FieldDefinitionsTable {
  entity_type: string;
  key: string;
  label: string;
  kind: string;
  choices: JsonText | null;
}

export interface RecordsTable {
  id: string;
  type: string;
  name: string;
  email: string | null;
  phone: string | null;
  linkedin_url: string | null;
  company: string | null;
  timezone: string | null;
  owner_id: string;
  external_id: string | null;
  fields: JsonText;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface EmailTemplatesTable {
  id: string;
  name: string;
  subject: string;
  body: string;
  entity_type: string | null;
  owner_id: string | null;
  builtin_key: string | null;
  created_at: number;
  updated_at: number;
}

export interface SequencesTable {
  id: string;
  name: string;
  description: string | null;
  entity_type: string;
  status: string;
  owner_id: string;
  active_version: number | null;
  draft_version: number;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface SequenceTagsTable {
  sequence_id: string;
  tag: string;
}

export interface SequenceVersionsTable {
  sequence_id: string;
  version: number;
  definition: JsonText;
  description: string | null;
  created_at: number;
  activated_at: number | null;
}

export interface EnrollmentsTable {
  id: string;
  sequence_id: string;
  sequence_version: number;
  record_id: string;
  owner_id: string;
  status: string;
  end_reason: string | null;
  current_step_id: string | null;
  due_at: number | null;
  state: JsonText;
  lease_until: number | null;
  lease_owner: string | null;
  version: Generated<number>;
  started_at: number;
  ended_at: number | null;
  /** '' or the sequence id while running, null once ended: see enrollments_one_running_key. */
  exclusive_slot: string | null;
}

export interface EnrollmentStepsTable {
  id: string;
  enrollment_id: string;
  step_id: string;
  type: string;
  state: string;
  owner_id: string;
  record_id: string;
  sequence_id: string;
  proposed_due_at: number | null;
  due_at: number | null;
  opened_at: number | null;
  completed_at: number | null;
  outcome: string | null;
  notes: string | null;
  actor_id: string | null;
  /** 0018_step_snoozed_at: when a seller last snoozed the step. */
  snoozed_at: number | null;
}

export interface OutboxTable {
  id: string;
  idempotency_key: string;
  kind: string;
  payload: JsonText;
  status: string;
  available_at: number;
  attempts: Generated<number>;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  /** 0003_mail: outboxKeyHash(secret, idempotency_key), set when the message is handed to SMTP. */
  message_key_hash: string | null;
  mailbox_key: string | null;
  provider_response: string | null;
}

export interface MailboxesTable {
  id: string;
  user_id: string | null;
  host: string;
  port: number;
  secure: BooleanColumn;
  username: string | null;
  password_encrypted: string | null;
  from_address: string | null;
  daily_cap: number | null;
  min_spacing_ms: number;
  created_at: number;
  updated_at: number;
  /** 0006_mailbox_names. */
  name: Generated<string>;
  from_name: string | null;
  /** 0017_mailbox_imap: the whole IMAP URL, encrypted (it carries the password). */
  imap_url_encrypted: string | null;
}

export interface MailSendsTable {
  id: string;
  mailbox_key: string;
  outbox_id: string;
  at: number;
}

export interface SignalsTable {
  id: string;
  dedupe_key: string | null;
  type: string;
  record_id: string | null;
  enrollment_id: string | null;
  message_key: string | null;
  at: number;
  data: JsonText | null;
  /** The email step it is about, when the signal was stored for a later condition (0009_signal_steps). */
  step_id: string | null;
}

/** The first time each counter came for one email step instance (0004; the facts a condition reads). */
export interface SignalStepFirstsTable {
  step_row_id: string;
  counter: string;
  at: number;
}

export interface StepStatsTable {
  sequence_id: string;
  version: number;
  step_id: string;
  counter: string;
  value: number;
}

export interface AuditLogTable {
  id: string;
  at: number;
  actor_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string;
  data: JsonText | null;
}

export interface SettingsTable {
  key: string;
  value: JsonText;
}

export interface SchemaMigrationsTable {
  name: string;
  checksum: string;
  applied_at: Generated<number>;
}

/** 0005_webhooks. */
export interface WebhooksTable {
  id: string;
  url: string;
  events: JsonText;
  description: string | null;
  secret: string;
  active: BooleanColumn;
  created_at: number;
  updated_at: number;
}

export interface WebhookEventTypesTable {
  event_type: string;
  webhook_id: string;
}

export interface WebhookEventsTable {
  seq: Generated<number>;
  type: string;
  subject_id: string;
  at: number | null;
  data: JsonText;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  status: string;
  next_attempt_at: number | null;
  retry_until: number;
  lease_until: number | null;
  created_at: number;
  delivered_at: number | null;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  at: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface Database {
  users: UsersTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  field_definitions: FieldDefinitionsTable;
  records: RecordsTable;
  email_templates: EmailTemplatesTable;
  sequences: SequencesTable;
  sequence_tags: SequenceTagsTable;
  sequence_versions: SequenceVersionsTable;
  enrollments: EnrollmentsTable;
  enrollment_steps: EnrollmentStepsTable;
  outbox: OutboxTable;
  mailboxes: MailboxesTable;
  mail_sends: MailSendsTable;
  signals: SignalsTable;
  signal_step_firsts: SignalStepFirstsTable;
  step_stats: StepStatsTable;
  audit_log: AuditLogTable;
  settings: SettingsTable;
  schema_migrations: SchemaMigrationsTable;
  webhooks: WebhooksTable;
  webhook_event_types: WebhookEventTypesTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}
