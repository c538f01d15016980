// The resources the API answers with (api.md "Resources"), as the web app reads them.
import type { EntityType, SequenceDefinition, Step } from '@domain/definition.js';

export type Role = 'admin' | 'sequence_manager' | 'sales_manager' | 'salesperson';

export const ROLE_NAMES: Record<Role, string> = {
  admin: 'System Administrator',
  sequence_manager: 'Sequence Manager',
  sales_manager: 'Sales Manager',
  salesperson: 'Salesperson',
};

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  timezone: string;
  workingHours?: Record<string, string[][]>;
  timeOff?: { start: string; end: string }[];
  disabled?: boolean;
  createdAt?: string;
}

/** GET /api/users/directory: an active user as every signed-in user sees them (no address). */
export interface DirectoryUser {
  id: string;
  name: string;
  role: Role;
  timezone: string;
}

/** GET /api/users/me: the user, and which mailbox sends their emails (none: they wait in the outbox). */
export interface Me extends User {
  mailbox?: 'own' | 'default' | 'none';
}

export interface LoginAnswer {
  token: string;
  csrfToken?: string;
  expiresAt?: string;
  user: User;
}

export type SequenceStatus = 'inactive' | 'active' | 'revision';

export interface SequenceSummary {
  stepCount: number;
  durationDays: number;
}

export interface Sequence {
  id: string;
  name: string;
  description?: string | null;
  entityType: EntityType;
  status: SequenceStatus;
  version: number;
  /** The version new connections get (active or in revision); null while inactive. */
  activeVersion?: number | null;
  ownerId: string;
  ownerName?: string;
  tags?: string[];
  definition: SequenceDefinition;
  summary: SequenceSummary;
  enrolledCount?: number;
  createdAt?: string;
  updatedAt?: string;
}

export interface SequenceVersion {
  version: number;
  description?: string | null;
  activatedAt?: string | null;
  createdAt?: string;
  enrolledCount?: number;
}

/** GET /api/sequences/{id}/versions/{version}: one version with its steps. */
export interface SequenceVersionDetail extends SequenceVersion {
  definition: SequenceDefinition;
  summary: { stepCount: number; durationDays: number };
}

export interface SequenceTemplateInfo {
  key: string;
  name: string;
  entityType: EntityType;
  description: string;
  stepCount: number;
  durationDays: number;
}

export interface EmailTemplate {
  id: string;
  name: string;
  subject: string;
  body: string;
  entityType?: EntityType | null;
  updatedAt?: string;
}

export interface EmailPreview {
  subject: string;
  html: string;
  text: string;
}

export interface CrmRecord {
  id: string;
  type: EntityType;
  name: string;
  email?: string | null;
  phone?: string | null;
  company?: string | null;
  ownerId?: string;
  timezone?: string | null;
  fields?: Record<string, unknown>;
  linkedinUrl?: string | null;
  externalId?: string | null;
  createdAt?: string;
  updatedAt?: string;
  /** The sequence the record runs in now (list and one-record answers). */
  currentSequence?: { id: string; name: string; enrollmentId: string } | null;
  /** Why emails to the record's address are not sent, or null (one-record answers only). */
  emailSuppressed?: EmailSuppression | null;
}

export interface EmailSuppression {
  reason: 'unsubscribed' | 'bounced' | 'manual';
  at: string;
}

/** POST /api/records (with `type` and `name`) and PATCH /api/records/{id}: null clears a field. */
export interface RecordInput {
  name?: string;
  email?: string | null;
  phone?: string | null;
  company?: string | null;
  linkedinUrl?: string | null;
  timezone?: string | null;
  ownerId?: string;
  /** Merged into the record's custom fields; a key sent as null is removed. */
  fields?: Record<string, string | number | boolean | null>;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export interface WorkItem {
  id: string;
  enrollmentId: string;
  /** The record, with the ways to reach it (null: the record has none). */
  record: {
    id: string;
    name: string;
    type: EntityType;
    email: string | null;
    phone: string | null;
    linkedinUrl: string | null;
  };
  sequence: { id: string; name: string };
  step: {
    id: string;
    type: Step['type'];
    name?: string | null;
    description?: string | null;
    templateId?: string | null;
  };
  /** null: workable now, without a due time. */
  dueAt: string | null;
  /** `open`: workable now; `waiting`: scheduled (or snoozed) to open at dueAt. */
  state: EnrollmentStepState;
  /** When a seller last snoozed the step: `waiting` with it, it opens at dueAt, the time they chose. */
  snoozedAt?: string | null;
  /** `paused`: can't be worked until the enrollment resumes (a record's up next shows these; the work list doesn't). */
  enrollmentStatus?: 'active' | 'paused';
}

export type EnrollmentStepState = 'waiting' | 'open' | 'completed' | 'skipped' | 'cancelled' | 'failed';

/** One step of an enrollment as it happened (GET /api/enrollments/{id} `history`). */
export interface EnrollmentHistoryEntry {
  id: string;
  stepId: string;
  type: Step['type'];
  name?: string | null;
  state: EnrollmentStepState;
  dueAt?: string | null;
  openedAt?: string | null;
  completedAt?: string | null;
  outcome?: string | null;
  notes?: string | null;
  actorId?: string | null;
}

/** GET /api/enrollments/{id} and the answer of every step action. */
export interface EnrollmentDetail extends Enrollment {
  endedAt?: string | null;
  history: EnrollmentHistoryEntry[];
}

export interface DisconnectAnswer {
  disconnected: string[];
  notEnrolled: string[];
}

/** POST /api/records/import and /bulk: `row` and `line` name a CSV row. */
export interface UpsertAnswer {
  created: number;
  updated: number;
  errors: { index: number; code: string; message: string; row?: number; line?: number }[];
  items?: { index: number; id: string; outcome: 'created' | 'updated' }[];
}

export interface Enrollment {
  id: string;
  sequenceId: string;
  sequenceVersion: number;
  recordId: string;
  record?: { id: string; name: string; type: EntityType };
  ownerId: string;
  status: 'active' | 'paused' | 'completed' | 'disconnected' | 'error';
  endReason?: string | null;
  currentStepId?: string | null;
  dueAt?: string | null;
  startedAt?: string;
  createdAt?: string;
}

export interface StepStats {
  stepId: string;
  reached: number;
  completed: number;
  skipped: number;
  emailsSent?: number;
  opened?: number;
  clicked?: number;
  replied?: number;
  bounced?: number;
  outcomes?: Record<string, number>;
}

export interface SequenceStatsAnswer {
  /** The version shown, or null for all versions together. */
  version?: number | null;
  versions?: number[];
  /** The definition the steps are laid out on (the version's, or the active one for all). */
  definition?: SequenceDefinition;
  enrolled: number;
  active: number;
  paused: number;
  completed: number;
  disconnected: number;
  endReasons: Record<string, number>;
  steps: StepStats[];
}

/** One seller's row of GET /api/sequences/{id}/stats/sellers: their enrollments by status and end reason. */
export interface SellerStats {
  ownerId: string;
  name: string;
  /** False for a user disabled since. */
  activeUser: boolean;
  enrolled: number;
  active: number;
  paused: number;
  completed: number;
  disconnected: number;
  error: number;
  endReasons: Record<string, number>;
}

export interface SellerStatsAnswer {
  version: number | null;
  /** Managers get every seller; a salesperson only their own row. */
  sellers: SellerStats[];
}

export interface ConnectAnswer {
  enrolled: { recordId: string; enrollmentId: string }[];
  rejected: { recordId: string; code: string; message: string }[];
}

/** POST /api/users and PATCH /api/users/{id} (every field optional on PATCH). */
export interface UserInput {
  email?: string;
  name?: string;
  role?: Role;
  password?: string;
  timezone?: string;
  /** The days given (`[]`: a day off); a day left out keeps its hours, or on create takes Mon–Fri 08:00–17:00. */
  workingHours?: Record<string, [string, string][]>;
  timeOff?: { start: string; end: string }[];
  disabled?: boolean;
}

/** One row of GET /api/sequences/{id}/enrollments (a connected record and its progress). */
/** GET /api/records/{id}/enrollments: one of a record's enrollments, ended ones included. */
export interface RecordEnrollment {
  enrollmentId: string;
  sequence: { id: string; name: string; deleted: boolean } | null;
  sequenceId: string;
  sequenceVersion: number;
  ownerId: string;
  status: Enrollment['status'];
  endReason: string | null;
  currentStep: { id: string; name: string | null; type: string | null } | null;
  dueAt: string | null;
  startedAt: string;
  endedAt: string | null;
  daysElapsed: number;
}

export interface ConnectedRecord {
  enrollmentId: string;
  record: { id: string; name: string; type: EntityType } | null;
  ownerId: string;
  status: Enrollment['status'];
  endReason: string | null;
  sequenceVersion: number;
  currentStep: { id: string; name: string | null; type: string | null } | null;
  dueAt: string | null;
  startedAt: string;
  endedAt: string | null;
  daysElapsed: number;
}

/** A sending mailbox (GET /api/mailboxes); the password is write-only (`hasPassword`). */
export interface Mailbox {
  id: string;
  userId: string | null;
  name: string;
  host: string;
  port: number;
  secure: boolean;
  username: string | null;
  hasPassword: boolean;
  fromAddress: string;
  fromName: string | null;
  dailyCap: number;
  minSpacingSeconds: number;
  /** Where its replies and bounces are read; the URL's password is never answered. */
  imap: MailboxImap | null;
  sentLast24h: number;
  createdAt: string;
  updatedAt: string;
}

export interface MailboxImap {
  host: string;
  port: number;
  secure: boolean;
  /** The folder polled. */
  mailbox: string;
  username: string;
}

export interface MailboxInput {
  userId?: string | null;
  name?: string;
  host?: string;
  port?: number;
  secure?: boolean;
  username?: string | null;
  /** Sent only when the admin typed one (null: none); never read back. */
  password?: string | null;
  fromAddress?: string;
  fromName?: string | null;
  dailyCap?: number;
  minSpacingSeconds?: number;
  /** imaps://user:pass@host:993/INBOX; sent only when typed (null: stop reading replies); never read back. */
  imapUrl?: string | null;
}

/** PATCH /api/users/me: what every user may change of their own account. */
export interface MeInput {
  name?: string;
  timezone?: string;
  /** The days given (`[]`: a day off); a day left out keeps its hours. The form sends all seven. */
  workingHours?: Record<string, [string, string][]>;
  timeOff?: { start: string; end: string }[];
}

/** PUT /api/users/me/mailbox: the signed-in user's own sending mailbox (no `userId`: it is theirs). */
export type MyMailboxInput = Omit<MailboxInput, 'userId'>;

/** One of the signed-in user's API tokens (GET /api/users/me/tokens): never the token itself. */
export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** POST /api/users/me/tokens: the only answer that carries the token. */
export interface NewApiToken extends ApiToken {
  token: string;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  /** Only in the answers of create and rotate-secret: shown once. */
  secret?: string;
}

export interface WebhookDeliveryAttempt {
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number | null;
}

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: WebhookDeliveryAttempt[];
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
  payload: unknown;
}

/** An outgoing email in the outbox (GET /api/outbox). */
export interface OutboxItem {
  id: string;
  enrollmentId: string | null;
  recordId: string | null;
  stepId: string | null;
  to: string;
  subject: string;
  status: string;
  mailboxId: string | null;
  handedOverAt: string | null;
  lastError: string | null;
  createdAt: string;
}
