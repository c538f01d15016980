// The Store port: everything the engine and the API keep in the database, grouped by resource.
// The store never invents ids nor reads the clock: callers pass ids (Ids port) and times (Clock port),
// as epoch milliseconds. Implementations live in src/storage (SQLite and PostgreSQL).
import type { EntityType, FieldValue, SequenceDefinition, StepType } from '../../domain/definition.js';
import type { EndReason, EnrollmentState, EnrollmentStatus } from '../../domain/enrollment.js';

// ---------------------------------------------------------------------------------------------
// Shared shapes

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** One page of a list, ordered by a keyset; `nextCursor` is opaque and null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageOptions {
  /** 1…1000, default 50. */
  limit?: number | undefined;
  /** A `nextCursor` from the previous page of the same list with the same filters. */
  cursor?: string | null | undefined;
}

export interface StoreCapabilities {
  /** `SELECT … FOR UPDATE SKIP LOCKED`: several workers can claim due rows side by side. */
  readonly supportsSkipLocked: boolean;
  /** LISTEN/NOTIFY, usable as a wake-up hint between processes. */
  readonly supportsListenNotify: boolean;
  /** More than one process may write at once (false: one writer at a time, as SQLite). */
  readonly concurrentWriters: boolean;
  /** Most bind parameters one statement may carry (chunk set-based writes below it). */
  readonly maxParameters: number;
}

// ---------------------------------------------------------------------------------------------
// Errors: the only exceptions a Store throws. Driver errors never leave the storage layer.

/** An I/O failure or a bug in a statement; `cause` holds the driver error for the log. */
export class StoreError extends Error {
  override readonly name: string = 'StoreError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export const CONFLICT_REASONS = [
  'email_taken',
  'external_id_taken',
  'token_taken',
  'builtin_key_taken',
  'already_enrolled',
  'version_exists',
  'duplicate_effect',
  'duplicate_signal',
  'duplicate_id',
  'missing_reference',
  'conflict',
] as const;
/** Why a write collided with what is stored: a unique key taken, or a referenced row missing. */
export type ConflictReason = (typeof CONFLICT_REASONS)[number];

export class StoreConflictError extends StoreError {
  override readonly name = 'StoreConflictError';
  readonly reason: ConflictReason;
  /** The constraint (index) the database named, when it named one. */
  readonly constraint: string | null;

  constructor(reason: ConflictReason, constraint: string | null, options?: { cause?: unknown }) {
    super(reason, `Conflict: ${reason}${constraint === null ? '' : ` (${constraint})`}`, options);
    this.reason = reason;
    this.constraint = constraint;
  }
}

export interface StoreIssue {
  /** `unknown_field`, `wrong_type`, `not_a_choice`, `not_a_date`, `not_scalar`, `invalid_cursor`, … */
  code: string;
  /** The custom field key, when the issue is about one. */
  field?: string;
  message: string;
}

/** Input the store refuses to keep (a wrong-typed custom field, a forged cursor). Nothing was written. */
export class StoreValidationError extends StoreError {
  override readonly name = 'StoreValidationError';
  readonly issues: StoreIssue[];

  constructor(code: string, issues: StoreIssue[]) {
    super(code, issues.map((issue) => issue.message).join(' '));
    this.issues = issues;
  }
}

// ---------------------------------------------------------------------------------------------
// Users, API tokens, sessions

export const ROLES = ['admin', 'sequence_manager', 'sales_manager', 'salesperson'] as const;
export type Role = (typeof ROLES)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** `["HH:MM", "HH:MM"]` intervals per weekday in the user's time zone (`"24:00"` may end one). */
export type WorkingHours = Record<Weekday, [string, string][]>;

/** Dynamics' default: Monday to Friday, 08:00–17:00. */
export const DEFAULT_WORKING_HOURS: WorkingHours = {
  mon: [['08:00', '17:00']],
  tue: [['08:00', '17:00']],
  wed: [['08:00', '17:00']],
  thu: [['08:00', '17:00']],
  fri: [['08:00', '17:00']],
  sat: [],
  sun: [],
};

export interface TimeOff {
  start: number;
  end: number;
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  passwordHash: string | null;
  /** IANA zone name. */
  timezone: string;
  workingHours: WorkingHours;
  timeOff: TimeOff[];
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface NewUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  passwordHash?: string | null | undefined;
  /** Default `UTC`. */
  timezone?: string | undefined;
  /** Default DEFAULT_WORKING_HOURS. */
  workingHours?: WorkingHours | undefined;
  timeOff?: TimeOff[] | undefined;
  disabled?: boolean | undefined;
  createdAt: number;
}

export interface UserPatch {
  email?: string | undefined;
  name?: string | undefined;
  role?: Role | undefined;
  passwordHash?: string | null | undefined;
  timezone?: string | undefined;
  /** The days to change; a day left out keeps its hours. */
  workingHours?: Partial<WorkingHours> | undefined;
  timeOff?: TimeOff[] | undefined;
  disabled?: boolean | undefined;
}

export interface UserListOptions extends PageOptions {
  role?: Role | undefined;
}

export interface UserRepository {
  /** @throws StoreConflictError `email_taken` (case-insensitive). */
  create(user: NewUser): Promise<User>;
  get(id: string): Promise<User | null>;
  /** Case-insensitive. */
  getByEmail(email: string): Promise<User | null>;
  getMany(ids: readonly string[]): Promise<User[]>;
  /** Null when there is no such user. @throws StoreConflictError `email_taken`. */
  update(id: string, patch: UserPatch, updatedAt: number): Promise<User | null>;
  /** Ordered by lower-case email. */
  list(options?: UserListOptions): Promise<Page<User>>;
  count(): Promise<number>;
}

export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  tokenHash: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface NewApiToken {
  id: string;
  userId: string;
  name: string;
  tokenHash: string;
  createdAt: number;
}

export interface ApiTokenRepository {
  create(token: NewApiToken): Promise<ApiToken>;
  /** Revoked tokens are returned too (with `revokedAt`): the caller decides. */
  getByHash(tokenHash: string): Promise<ApiToken | null>;
  /** All of a user's tokens, oldest first: for lookups by id (a user holds a handful). */
  listForUser(userId: string): Promise<ApiToken[]>;
  /** A page of a user's tokens in (created_at, id) order (api_tokens_user_idx, then a sort of that user's few rows). */
  listPageForUser(userId: string, options?: PageOptions): Promise<Page<ApiToken>>;
  touch(id: string, at: number): Promise<void>;
  revoke(id: string, at: number): Promise<boolean>;
}

export interface Session {
  /** The hash of the session cookie's token. */
  id: string;
  userId: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

export interface SessionRepository {
  create(session: Session): Promise<Session>;
  /** Expired sessions are returned too: the caller compares `expiresAt` with its clock. */
  get(id: string): Promise<Session | null>;
  delete(id: string): Promise<boolean>;
  deleteForUser(userId: string): Promise<number>;
  deleteExpired(now: number): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// Records and their typed custom fields

export const FIELD_KINDS = ['text', 'number', 'boolean', 'date', 'choice'] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

export interface FieldDefinition {
  entityType: EntityType;
  key: string;
  label: string;
  kind: FieldKind;
  /** The allowed values of a `choice` field; null for other kinds. */
  choices: string[] | null;
}

export interface FieldDefinitionRepository {
  /** Creates or replaces the definition of (entityType, key). */
  put(definition: FieldDefinition): Promise<FieldDefinition>;
  list(entityType?: EntityType): Promise<FieldDefinition[]>;
  delete(entityType: EntityType, key: string): Promise<boolean>;
}

/** Custom field values: scalars only. A `date` is `YYYY-MM-DD` or an ISO 8601 instant. */
export type RecordFields = Record<string, FieldValue>;

export interface SalesRecord {
  id: string;
  type: EntityType;
  name: string;
  email: string | null;
  phone: string | null;
  linkedinUrl: string | null;
  company: string | null;
  timezone: string | null;
  ownerId: string;
  externalId: string | null;
  fields: RecordFields;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

export interface NewRecord {
  id: string;
  type: EntityType;
  name: string;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  linkedinUrl?: string | null | undefined;
  company?: string | null | undefined;
  timezone?: string | null | undefined;
  ownerId: string;
  externalId?: string | null | undefined;
  fields?: RecordFields | undefined;
  createdAt: number;
}

export interface RecordPatch {
  name?: string | undefined;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  linkedinUrl?: string | null | undefined;
  company?: string | null | undefined;
  timezone?: string | null | undefined;
  /** Gives the record's running enrollments and their unfinished steps to this owner too, in the same transaction. */
  ownerId?: string | undefined;
  externalId?: string | null | undefined;
  /** Merged key by key into the stored fields; a null value removes the key. */
  fields?: RecordFields | undefined;
}

export interface RecordListOptions extends PageOptions {
  type?: EntityType | undefined;
  ownerId?: string | undefined;
  /** Case-insensitive substring of name, email or company. */
  q?: string | undefined;
}

/**
 * One row of a bulk upsert; with an `externalId` it updates the record of that (type, externalId) if
 * there is one, keeping that record's id (`id` is used only when the row creates a record).
 */
export type RecordUpsert = Omit<NewRecord, 'createdAt'> & {
  /**
   * The row names no owner: `ownerId` owns the record only when the row creates it, and an update keeps
   * the stored owner. Otherwise an update gives the record to `ownerId`, with its running enrollments and
   * their unfinished steps (as `RecordLifecycleRepository.changeOwner`).
   */
  keepStoredOwner?: boolean | undefined;
};

/** An update that gave a record to another owner: from whom, and the running enrollments that followed. */
export interface RecordOwnerChange {
  from: string;
  to: string;
  enrollmentIds: string[];
}

export type RecordUpsertResult =
  | { index: number; outcome: 'created'; id: string }
  | { index: number; outcome: 'updated'; id: string; ownerChange?: RecordOwnerChange | undefined }
  | { index: number; outcome: 'error'; code: string; message: string };

export interface RecordRepository {
  /**
   * @throws StoreValidationError `invalid_fields` when a custom field breaks its definition.
   * @throws StoreConflictError `external_id_taken`, `missing_reference` (no such owner).
   */
  create(record: NewRecord): Promise<SalesRecord>;
  /** Soft-deleted records are returned (with `deletedAt`). */
  get(id: string): Promise<SalesRecord | null>;
  getMany(ids: readonly string[]): Promise<SalesRecord[]>;
  /** Live records whose email matches, case-insensitively (inbound mail). */
  findByEmail(email: string): Promise<SalesRecord[]>;
  /** Null when there is no live record with that id. Same errors as `create`. */
  update(id: string, patch: RecordPatch, updatedAt: number): Promise<SalesRecord | null>;
  /** Also moves the deletion stamp on, in the same transaction (see `deletionStamp`). */
  softDelete(id: string, deletedAt: number): Promise<boolean>;
  /**
   * A count of record deletions: connect reads it before it reads the records and hands it to its write
   * (CommitOptions.recordsLive), which re-reads it to learn whether any record was deleted in between.
   */
  deletionStamp(): Promise<number>;
  /** Live records ordered by (name, id). */
  list(options?: RecordListOptions): Promise<Page<SalesRecord>>;
  /**
   * Set-based upsert by (type, externalId), one result per input row in input order. On update,
   * null or absent columns keep their stored value and `fields` merge. Only live records match: a
   * deleted record keeps its externalId but no longer holds it, and an upsert of it creates a new record.
   * Codes: `invalid_fields`, `owner_not_found`, `duplicate_external_id` (repeated in the same call),
   * `too_many_fields` (an update whose fields, merged into the stored ones, pass MAX_RECORD_FIELDS; the
   * record is left as it was).
   */
  upsertMany(rows: readonly RecordUpsert[], at: number): Promise<RecordUpsertResult[]>;
}

// ---------------------------------------------------------------------------------------------
// Email templates

export interface EmailTemplate {
  id: string;
  name: string;
  subject: string;
  body: string;
  /** Null: usable with every entity type. */
  entityType: EntityType | null;
  ownerId: string | null;
  /** Set on the copies of built-in templates (sequence template gallery). */
  builtinKey: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewEmailTemplate {
  id: string;
  name: string;
  subject: string;
  body: string;
  entityType?: EntityType | null | undefined;
  ownerId?: string | null | undefined;
  builtinKey?: string | null | undefined;
  createdAt: number;
}

export interface EmailTemplatePatch {
  name?: string | undefined;
  subject?: string | undefined;
  body?: string | undefined;
  entityType?: EntityType | null | undefined;
}

export interface EmailTemplateListOptions extends PageOptions {
  /** Templates of this entity type and those usable with every type. */
  entityType?: EntityType | undefined;
}

export interface EmailTemplateRepository {
  /** @throws StoreConflictError `builtin_key_taken`. */
  create(template: NewEmailTemplate): Promise<EmailTemplate>;
  get(id: string): Promise<EmailTemplate | null>;
  getByBuiltinKey(key: string): Promise<EmailTemplate | null>;
  update(id: string, patch: EmailTemplatePatch, updatedAt: number): Promise<EmailTemplate | null>;
  delete(id: string): Promise<boolean>;
  /** Ordered by (name, id). */
  list(options?: EmailTemplateListOptions): Promise<Page<EmailTemplate>>;
}

// ---------------------------------------------------------------------------------------------
// Sequences and their versions

export const SEQUENCE_STATUSES = ['inactive', 'active', 'revision'] as const;
export type SequenceStatus = (typeof SEQUENCE_STATUSES)[number];

export interface Sequence {
  id: string;
  name: string;
  description: string | null;
  entityType: EntityType;
  status: SequenceStatus;
  ownerId: string;
  /** The version new connections get; null until first activated. */
  activeVersion: number | null;
  /** The editable version (equals activeVersion while active and not in revision). */
  draftVersion: number;
  /** Sorted. */
  tags: string[];
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

export interface SequenceVersion {
  sequenceId: string;
  version: number;
  definition: SequenceDefinition;
  description: string | null;
  createdAt: number;
  activatedAt: number | null;
}

export interface NewSequence {
  id: string;
  name: string;
  description?: string | null | undefined;
  entityType: EntityType;
  ownerId: string;
  tags?: readonly string[] | undefined;
  /** Becomes version 1, the draft. */
  definition: SequenceDefinition;
  createdAt: number;
}

export interface SequencePatch {
  name?: string | undefined;
  description?: string | null | undefined;
  status?: SequenceStatus | undefined;
  activeVersion?: number | null | undefined;
  draftVersion?: number | undefined;
  /** Replaces the tag set. */
  tags?: readonly string[] | undefined;
}

export interface NewSequenceVersion {
  sequenceId: string;
  version: number;
  definition: SequenceDefinition;
  description?: string | null | undefined;
  createdAt: number;
}

export interface SequenceVersionPatch {
  definition?: SequenceDefinition | undefined;
  description?: string | null | undefined;
  activatedAt?: number | null | undefined;
}

export interface SequenceListOptions extends PageOptions {
  status?: SequenceStatus | undefined;
  entityType?: EntityType | undefined;
  tag?: string | undefined;
  /** Case-insensitive substring of the name. */
  q?: string | undefined;
}

export interface SequenceRepository {
  /** Creates the sequence, inactive, with `definition` as version 1 (the draft). */
  create(sequence: NewSequence): Promise<Sequence>;
  /** Deleted sequences are returned too (with `deletedAt`). */
  get(id: string): Promise<Sequence | null>;
  getMany(ids: readonly string[]): Promise<Sequence[]>;
  update(id: string, patch: SequencePatch, updatedAt: number): Promise<Sequence | null>;
  softDelete(id: string, deletedAt: number): Promise<boolean>;
  /** Live sequences ordered by (name, id). */
  list(options?: SequenceListOptions): Promise<Page<Sequence>>;
  /** Live sequences whose status is `active` or `revision` (both run enrollments). */
  countActive(): Promise<number>;
  /** @throws StoreConflictError `version_exists`. */
  createVersion(version: NewSequenceVersion): Promise<SequenceVersion>;
  getVersion(sequenceId: string, version: number): Promise<SequenceVersion | null>;
  updateVersion(
    sequenceId: string,
    version: number,
    patch: SequenceVersionPatch,
  ): Promise<SequenceVersion | null>;
  /** Oldest first. */
  listVersions(sequenceId: string): Promise<SequenceVersion[]>;
  /** Deletes a version that was never activated (a discarded revision's draft); false when there is none such. */
  deleteDraftVersion(sequenceId: string, version: number): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Enrollments (minimal: the engine adds its hot-path statements next to these)

// The enrollment statuses and end reasons are the domain's (the transition function decides them).
export {
  END_REASONS,
  ENROLLMENT_STATUSES,
  type EndReason,
  type EnrollmentStatus,
} from '../../domain/enrollment.js';

export const ENROLLMENT_STEP_STATES = [
  'waiting',
  'open',
  'completed',
  'skipped',
  'cancelled',
  'failed',
] as const;
export type EnrollmentStepState = (typeof ENROLLMENT_STEP_STATES)[number];

/**
 * `record`: a record has at most one running enrollment (the default).
 * `sequence`: a record may run in several different sequences, never twice in the same one.
 */
export type EnrollmentExclusivity = 'record' | 'sequence';

export interface Enrollment {
  id: string;
  sequenceId: string;
  sequenceVersion: number;
  recordId: string;
  ownerId: string;
  status: EnrollmentStatus;
  endReason: EndReason | null;
  currentStepId: string | null;
  /** When the scheduler next looks at it; null when nothing is due (waiting for a seller). */
  dueAt: number | null;
  /** The transition function's state. */
  state: JsonObject;
  leaseUntil: number | null;
  leaseOwner: string | null;
  /** Fencing counter: every write bumps it. */
  version: number;
  startedAt: number;
  endedAt: number | null;
}

export interface NewEnrollment {
  id: string;
  sequenceId: string;
  sequenceVersion: number;
  recordId: string;
  ownerId: string;
  currentStepId?: string | null | undefined;
  dueAt?: number | null | undefined;
  state: JsonObject;
  startedAt: number;
  exclusivity: EnrollmentExclusivity;
}

export interface EnrollmentEnd {
  status: Exclude<EnrollmentStatus, 'active' | 'paused'>;
  endReason: EndReason | null;
  endedAt: number;
}

/**
 * The orders of a sequence's connected records: `status` (by status, then oldest connected first: the
 * default), `newest` (newest connected first), `name` (the record's name A–Z, byte order as the records list).
 */
export const SEQUENCE_ENROLLMENT_SORTS = ['status', 'newest', 'name'] as const;
export type SequenceEnrollmentSort = (typeof SEQUENCE_ENROLLMENT_SORTS)[number];

export interface EnrollmentListOptions extends PageOptions {
  status?: EnrollmentStatus | undefined;
  /** Only the enrollments of this owner's records (a seller sees only their own). */
  ownerId?: string | undefined;
  /** Case-insensitive substring of the record's name or email (as the records list's `q`). */
  q?: string | undefined;
  /** Default `status`. A cursor is valid only with the `q` and `sort` of the page that handed it out. */
  sort?: SequenceEnrollmentSort | undefined;
}

export interface EnrollmentStep {
  id: string;
  enrollmentId: string;
  stepId: string;
  type: StepType;
  state: EnrollmentStepState;
  ownerId: string;
  recordId: string;
  sequenceId: string;
  proposedDueAt: number | null;
  dueAt: number | null;
  openedAt: number | null;
  completedAt: number | null;
  outcome: string | null;
  notes: string | null;
  actorId: string | null;
}

export type NewEnrollmentStep = Omit<
  EnrollmentStep,
  'proposedDueAt' | 'dueAt' | 'openedAt' | 'completedAt' | 'outcome' | 'notes' | 'actorId'
> &
  Partial<
    Pick<
      EnrollmentStep,
      'proposedDueAt' | 'dueAt' | 'openedAt' | 'completedAt' | 'outcome' | 'notes' | 'actorId'
    >
  >;

export interface EnrollmentRepository {
  /** Starts `active`. @throws StoreConflictError `already_enrolled`, `missing_reference`. */
  create(enrollment: NewEnrollment): Promise<Enrollment>;
  get(id: string): Promise<Enrollment | null>;
  /** The record's running (active or paused) enrollments. */
  listRunningForRecord(recordId: string): Promise<Enrollment[]>;
  /** The newest enrollment of each record that has one, running or ended. */
  latestByRecord(recordIds: readonly string[]): Promise<{ recordId: string; enrollmentId: string }[]>;
  /** Every enrollment of the record, ended ones included, newest first (by id: ids are time-ordered). */
  listByRecord(recordId: string, options?: PageOptions): Promise<Page<Enrollment>>;
  /** A sequence's enrollments (connected records), in `options.sort` order. */
  listBySequence(sequenceId: string, options?: EnrollmentListOptions): Promise<Page<Enrollment>>;
  /** Ends a running enrollment and frees its slot; false when it was not running. */
  end(id: string, end: EnrollmentEnd): Promise<boolean>;
  createStep(step: NewEnrollmentStep): Promise<EnrollmentStep>;
  /** Oldest first (by id). */
  listSteps(enrollmentId: string): Promise<EnrollmentStep[]>;
}

// ---------------------------------------------------------------------------------------------
// Audit log and settings

export interface AuditEntry {
  id: string;
  at: number;
  /** Null for the system. */
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  data: JsonObject | null;
}

export interface AuditListOptions extends PageOptions {
  /** Both or neither. */
  subject?: { type: string; id: string } | undefined;
}

export interface AuditRepository {
  append(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  list(options?: AuditListOptions): Promise<Page<AuditEntry>>;
}

export interface SettingsRepository {
  get(key: string): Promise<JsonValue | undefined>;
  set(key: string, value: JsonValue): Promise<void>;
  /** Keeps `value` unless the key is already set; returns what is stored (the first writer wins). */
  setIfAbsent(key: string, value: JsonValue): Promise<JsonValue>;
}

// ---------------------------------------------------------------------------------------------
// The engine's hot path: claim due enrollments, load them, and commit transitions set-based with a
// version fence. The engine turns a transition's effects into these rows; the store only writes them.

/** An enrollment as the engine works on it: the transition state decoded, plus its fencing version. */
export interface EngineEnrollment {
  id: string;
  sequenceId: string;
  sequenceVersion: number;
  recordId: string;
  ownerId: string;
  state: EnrollmentState;
  version: number;
  startedAt: number;
}

/** What the engine reads of a live record; `fields` only when asked for (field conditions). */
export interface EngineRecord {
  id: string;
  type: EntityType;
  ownerId: string;
  timezone: string | null;
  fields: RecordFields | null;
}

/** A running enrollment's slot (enrollments_one_running_key). */
export interface RunningSlot {
  enrollmentId: string;
  recordId: string;
  sequenceId: string;
  /** '' (one running enrollment per record) or the sequence id. */
  slot: string;
}

export interface NewEngineEnrollment {
  id: string;
  sequenceId: string;
  sequenceVersion: number;
  recordId: string;
  ownerId: string;
  state: EnrollmentState;
  startedAt: number;
  /** '' or the sequence id; ignored (NULL) when `state` has already ended. */
  exclusiveSlot: string;
  endedAt: number | null;
}

/** The fenced update of one enrollment: applies only while the stored version is `expectedVersion`. */
export interface EnrollmentUpdate {
  id: string;
  expectedVersion: number;
  /** The state as loaded (at `expectedVersion`): the store writes only the columns that changed. */
  before: EnrollmentState;
  state: EnrollmentState;
  endedAt: number | null;
}

/** A history row (enrollment_steps), inserted when a step instance is entered. */
export interface StepHistoryInsert {
  id: string;
  enrollmentId: string;
  stepId: string;
  type: StepType;
  state: EnrollmentStepState;
  ownerId: string;
  recordId: string;
  sequenceId: string;
  proposedDueAt: number | null;
  dueAt: number | null;
  openedAt: number | null;
  completedAt: number | null;
  outcome: string | null;
  notes: string | null;
  actorId: string | null;
}

/** A change to a history row written by an earlier transition; null fields keep their value. */
export interface StepHistoryPatch {
  id: string;
  state: EnrollmentStepState | null;
  dueAt: number | null;
  openedAt: number | null;
  completedAt: number | null;
  outcome: string | null;
  notes: string | null;
  actorId: string | null;
  /** When a seller snoozed the step (set by a snooze, never cleared). */
  snoozedAt: number | null;
}

export interface OutboxInsert {
  id: string;
  /** UNIQUE (outbox_idempotency_key_key): a retried transition never adds a second row. */
  idempotencyKey: string;
  kind: string;
  payload: JsonObject;
  availableAt: number;
  createdAt: number;
}

export interface RecordFieldWrite {
  recordId: string;
  field: string;
  value: FieldValue;
  at: number;
}

/** Added to step_stats (sequence, version, step, counter); the store aggregates deltas per key. */
export interface StatDelta {
  sequenceId: string;
  version: number;
  /** '' for enrollment-level counters (`enrolled`, `ended:<reason>`). */
  stepId: string;
  counter: string;
  by: number;
}

/** A paused enrollment's held email, made due again when it resumes. */
export interface OutboxRelease {
  idempotencyKey: string;
  availableAt: number;
}

/** Everything one enrollment's transition writes; nothing of it lands unless its insert or fence does. */
export interface EnrollmentCommit {
  enrollmentId: string;
  target: { type: 'insert'; row: NewEngineEnrollment } | { type: 'update'; row: EnrollmentUpdate };
  steps: StepHistoryInsert[];
  stepPatches: StepHistoryPatch[];
  outbox: OutboxInsert[];
  /** Idempotency keys of outbox rows to mark `dropped` if still `pending` or `held`. */
  outboxDrops: string[];
  /** Idempotency keys of outbox rows to mark `held` (a paused enrollment's email) if still `pending`. */
  outboxHolds: string[];
  /** Held outbox rows to make `pending` again, due at `availableAt`. */
  outboxReleases: OutboxRelease[];
  fields: RecordFieldWrite[];
  stats: StatDelta[];
  audit: AuditEntry[];
  /** Enrollments started by this one (advance_to_sequence), inserted after it in the same transaction. */
  follow: EnrollmentCommit[];
}

export interface CommitOptions {
  /** Wake other processes' workers (PostgreSQL NOTIFY at commit; a hint only). */
  notify: boolean;
  /**
   * Write nothing unless this sequence is still live and active on this version, checked inside the
   * commit's transaction with the sequence row share-locked (PostgreSQL `FOR SHARE`; SQLite's IMMEDIATE
   * transaction already serialises): a connect racing a deactivation either lands before it (and is
   * disconnected by it) or sees the sequence inactive. Connect passes it; ticks don't need it.
   */
  sequenceLive?: { sequenceId: string; version: number };
  /**
   * The inserted enrollments' records were read live after the deletion stamp was `asOf`
   * (RecordRepository.deletionStamp). Inside the transaction, right after the sequence guard, the stamp
   * is read again with its row share-locked (PostgreSQL `FOR SHARE`; SQLite's IMMEDIATE transaction
   * already serialises), so a record deletion either commits first (and if the stamp moved, the inserts
   * whose record is now deleted are dropped: `recordsGone`) or waits for this commit (and then ends the
   * enrollments it finds running). Connect passes it.
   */
  recordsLive?: { asOf: number };
}

export interface CommitResult {
  /** Enrollment ids whose commit landed (follow-ons included). */
  written: string[];
  /** Updates whose version had moved: nothing of theirs was written. */
  stale: string[];
  /** Inserts refused by enrollments_one_running_key: nothing of theirs was written. */
  alreadyEnrolled: string[];
  /** Set when `sequenceLive` did not hold: nothing at all was written. */
  sequenceNotLive?: true;
  /** Inserts whose record was deleted since `recordsLive.asOf`: nothing of theirs was written. */
  recordsGone?: string[];
}

export interface EngineRepository {
  /**
   * Adds to step_stats outside a commit (in key order: concurrent writers lock counters in one order): a
   * manual email the outbox sent, counted when the mail server took it (engine/outbox-sender.ts).
   */
  addStats(deltas: readonly StatDelta[]): Promise<void>;
  /**
   * Leases up to `limit` active enrollments due by `now` whose lease is free or expired
   * (enrollments_due_idx; PostgreSQL FOR UPDATE SKIP LOCKED, SQLite BEGIN IMMEDIATE).
   */
  claimDue(now: number, limit: number, leaseOwner: string, leaseUntil: number): Promise<EngineEnrollment[]>;
  /** The earliest due time of an active enrollment, leased or not (enrollments_due_idx). */
  nextDueAt(): Promise<number | null>;
  load(ids: readonly string[]): Promise<EngineEnrollment[]>;
  /** Live (not deleted) records. */
  loadRecords(ids: readonly string[], withFields: boolean): Promise<EngineRecord[]>;
  /** Running enrollments of these records (enrollments_one_running_key). */
  runningSlots(recordIds: readonly string[]): Promise<RunningSlot[]>;
  /** Ids of a sequence's running enrollments after `afterId`, by id (enrollments_sequence_status_idx). */
  runningIdsOfSequence(sequenceId: string, afterId: string | null, limit: number): Promise<string[]>;
  /** `updatedAt` of these users: calendars are cached by it. */
  userStamps(ids: readonly string[]): Promise<{ id: string; updatedAt: number }[]>;
  /**
   * Enrollments of which this owner holds a manual step scheduled (or snoozed) to open after `after`: the
   * ones a change of the owner's calendar may move (enrollment_steps_scheduled_idx). Distinct ids, paused
   * enrollments included; the transition decides which steps the calendar placed.
   */
  scheduledStepEnrollments(ownerId: string, after: number): Promise<string[]>;
  /** Writes the commits in one transaction (or the caller's), fences first; see CommitResult. */
  commit(commits: readonly EnrollmentCommit[], options: CommitOptions): Promise<CommitResult>;
  /** A sequence's counters, all versions (step_stats pkey prefix). `stepId` '' holds enrollment-level ones. */
  stepStats(
    sequenceId: string,
  ): Promise<{ version: number; stepId: string; counter: string; value: number }[]>;
  /** Calls `onWork` on other processes' NOTIFY; resolves to a stop function, or null when unsupported. */
  listenForWork(onWork: () => void): Promise<(() => Promise<void>) | null>;
}

// ---------------------------------------------------------------------------------------------
// Many enrollments started at once (connect's bulk path, src/engine/connect-bulk.ts): records whose
// start transition is the same (one owner's calendar, one instant, one definition) share one shape
// and differ only in their ids, so the store builds their rows from the shape in one tight loop.

/** A history row of a shape: a member's row id is its enrollment id + `idSuffix`. */
export type StartStep = Omit<StepHistoryInsert, 'id' | 'enrollmentId' | 'ownerId' | 'recordId'> & {
  idSuffix: string;
};

/** An outbox row of a shape: a member's key is its enrollment id + `keySuffix`, its payload this with its ids. */
export type StartEmail = Omit<OutboxInsert, 'id' | 'idempotencyKey'> & { keySuffix: string };

export interface StartMember {
  /** Index of its shape in `StartBatch.shapes`. */
  shape: number;
  enrollmentId: string;
  recordId: string;
  ownerId: string;
  /** One per email of the shape, in order. */
  outboxIds: string[];
}

/** What each of its members writes when it starts; all of it lands with the member's enrollment row or not at all. */
export interface StartShape {
  state: EnrollmentState;
  endedAt: number | null;
  steps: StartStep[];
  emails: StartEmail[];
  /** Field writes of the start (update_field before the first wait), the same for every member's record. */
  fields: { field: string; value: FieldValue }[];
  /** The counters of ONE start (`enrolled` included); the store adds them once per member that landed. */
  stats: StatDelta[];
}

export interface StartBatch {
  sequenceId: string;
  version: number;
  startedAt: number;
  /** '' or the sequence id (NULL for a shape whose state has already ended). */
  exclusiveSlot: string;
  shapes: StartShape[];
  /** In the order their ids were drawn (time-ordered ids: b-tree inserts stay at the right edge). */
  members: StartMember[];
}

export interface EnrollmentStartRepository {
  /**
   * Inserts the members' enrollments and, for those that landed, their shapes' rows, in one
   * transaction; enrollments_one_running_key refuses a record already running (`alreadyEnrolled`).
   * Same options and result as `EngineRepository.commit` (no updates: `stale` is empty).
   */
  startMany(batch: StartBatch, options: CommitOptions): Promise<CommitResult>;
}

// ---------------------------------------------------------------------------------------------
// Sequences' life (activate, deactivate, delete, stats): locks and reads beyond SequenceRepository.

/** A live sequence that runs enrollments (`active` or `revision`), with its active version's definition. */
export interface RunningSequence {
  id: string;
  name: string;
  entityType: EntityType;
  status: 'active' | 'revision';
  activeVersion: number;
  definition: SequenceDefinition;
}

/** How many of a sequence's enrollments one seller has in one status, ended for one reason (or running). */
export interface SellerEnrollmentCount {
  /** The enrollment's owner: the seller who works it, or who had it when it ended. */
  ownerId: string;
  status: EnrollmentStatus;
  endReason: EndReason | null;
  count: number;
}

/** One step_stats counter summed over a sequence's versions; `stepId` '' holds enrollment-level counters. */
export interface StepCounterTotal {
  stepId: string;
  counter: string;
  value: number;
}

export interface SequenceLifecycleRepository {
  /**
   * Serialises changes to the set of running sequences (activate, deactivate, delete) until the
   * transaction ends, so the active-sequence limit and advance-target checks can't race. Call first
   * inside `transaction()`.
   */
  lockStatusChanges(): Promise<void>;
  /** Locks one sequence row until the transaction ends; false when there is no such sequence. */
  lockSequence(id: string): Promise<boolean>;
  /** Live `active` and `revision` sequences (at most the active-sequence limit of them). */
  listRunning(): Promise<RunningSequence[]>;
  /**
   * Enrollments of a sequence by status (enrollments_sequence_status_idx, index-only), or of one of its
   * versions (the same index, each row read for its version).
   */
  countEnrollmentsByStatus(sequenceId: string, version?: number): Promise<Record<EnrollmentStatus, number>>;
  /**
   * Enrollments of a sequence (or of one of its versions, or of one owner's) by owner, status and end
   * reason: enrollments_sequence_status_idx, each row read for its owner and end reason.
   */
  countEnrollmentsBySeller(
    sequenceId: string,
    options?: { version?: number | undefined; ownerId?: string | undefined },
  ): Promise<SellerEnrollmentCount[]>;
  /** Running (active or paused) enrollments per sequence; sequences without any are absent. */
  countRunningEnrollments(sequenceIds: readonly string[]): Promise<Map<string, number>>;
  /** Running enrollments of one sequence per version; versions without any are absent. */
  countRunningEnrollmentsByVersion(sequenceId: string): Promise<Map<number, number>>;
  /** These (sequence, version) rows; missing ones are absent. */
  getVersions(keys: readonly { sequenceId: string; version: number }[]): Promise<SequenceVersion[]>;
  /**
   * step_stats of a sequence summed over its versions, or of one version, by (step, counter) (its primary
   * key's prefix).
   */
  stepCounters(sequenceId: string, version?: number): Promise<StepCounterTotal[]>;
}

// ---------------------------------------------------------------------------------------------
// Read models of enrollments: the work list, a record's current steps, one history row; and the
// operations figures /metrics reports. Reads only.

/** A manual step in a work list, or a record's current step, with what a seller needs to see. */
export interface WorkRow {
  /** The history row's id (stepRowId): what /api/enrollment-steps/{id} takes. */
  id: string;
  enrollmentId: string;
  stepId: string;
  type: StepType;
  /** `open` (workable now) or `waiting` (scheduled, snoozed, a running wait or condition). */
  state: EnrollmentStepState;
  ownerId: string;
  dueAt: number | null;
  /** When a seller last snoozed this step, or null: a waiting step with it opens at dueAt, the seller's time. */
  snoozedAt: number | null;
  sequenceId: string;
  sequenceVersion: number;
  sequenceName: string;
  /** A record's up next shows a paused enrollment's step too (the work list only active ones). */
  enrollmentStatus: 'active' | 'paused';
  /** The record with the ways to reach it, so a step's card and dialog need no second request. */
  record: WorkRecord;
}

export interface WorkRecord {
  id: string;
  name: string;
  type: EntityType;
  email: string | null;
  phone: string | null;
  linkedinUrl: string | null;
}

export interface WorklistOptions extends PageOptions {
  ownerId: string;
  /** Due at or after (inclusive); null: no lower bound. */
  dueFrom: number | null;
  /** Due before (exclusive); null: no upper bound. */
  dueBefore: number | null;
}

export interface EnrollmentViewRepository {
  /**
   * One owner's open and scheduled manual steps of active enrollments, by (due_at, id), in one
   * statement over enrollment_steps_worklist_idx and enrollment_steps_scheduled_idx.
   */
  worklist(options: WorklistOptions): Promise<Page<WorkRow>>;
  /** The current step (open or waiting) of each running enrollment of a record. */
  currentSteps(recordId: string): Promise<WorkRow[]>;
}

export interface OperationsRepository {
  /** Active enrollments due by `now` (enrollments_due_idx). */
  dueBacklog(now: number): Promise<number>;
  /** Outbox rows by status, for the statuses an index counts cheaply: pending, sending, failed, send_unknown. */
  outboxDepth(): Promise<Record<string, number>>;
}

// ---------------------------------------------------------------------------------------------
// Mail: the outbox as the sender works it, and SMTP mailboxes with their send log (0003_mail).

export const OUTBOX_STATUSES = [
  'pending',
  'held',
  'sending',
  'sent',
  'failed',
  'send_unknown',
  'dropped',
] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export interface OutboxMessage {
  id: string;
  idempotencyKey: string;
  kind: string;
  payload: JsonObject;
  status: OutboxStatus;
  availableAt: number;
  attempts: number;
  leaseUntil: number | null;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
  /** outboxKeyHash(secret, idempotencyKey): set when the message is first handed to SMTP. */
  messageKeyHash: string | null;
  mailboxKey: string | null;
  providerResponse: string | null;
}

export interface OutboxRepository {
  /**
   * Leases up to `limit` pending rows of `kind` available by `now` whose lease is free or expired,
   * oldest `available_at` first (outbox_pending_idx; PostgreSQL FOR UPDATE SKIP LOCKED). They stay
   * `pending`: only `markSending` takes one out of the pending set.
   */
  claimDue(kind: string, now: number, limit: number, leaseUntil: number): Promise<OutboxMessage[]>;
  /** The earliest `available_at` of a pending row of `kind` (outbox_pending_idx). */
  nextAvailableAt(kind: string): Promise<number | null>;
  /**
   * When the sender takes up each of these messages (by idempotency key): their rows' `available_at`, which
   * it claims by and moves when it defers one; keys without a row are left out. One statement for any
   * number of keys (outbox_idempotency_key_key). What the views show as a queued automated email's send
   * time (src/engine/enrollment-views.ts, emailSendTimes).
   */
  sendTimes(keys: readonly string[]): Promise<Map<string, number>>;
  get(id: string): Promise<OutboxMessage | null>;
  /** The row whose Message-ID carries this hash (outbox_message_key_hash_idx). */
  getByMessageKeyHash(hash: string): Promise<OutboxMessage | null>;
  /**
   * Pending emails waiting for a later time (a sending window, a limit) that are of `ownerId` (the owner the
   * row names) or of one of `enrollmentIds`: due now, so the sender reads their window again at once (a
   * calendar that opened sooner, a new owner). Answers how many.
   */
  sendPendingSooner(
    match: { ownerId: string } | { enrollmentIds: readonly string[] },
    now: number,
  ): Promise<number>;
  /**
   * pending → pending later (a wait for a mailbox, a limit, a retry), lease released. `mailboxKey`: the
   * mailbox whose limits it now waits for, whose slot at `availableAt` it holds (`mailboxSlots`); null: it
   * waits for something else and holds no slot (the key of a row never handed to SMTP is cleared); absent:
   * as it was.
   */
  reschedule(
    id: string,
    change: {
      availableAt: number;
      lastError: string | null;
      countAttempt: boolean;
      mailboxKey?: string | null | undefined;
    },
  ): Promise<boolean>;
  /**
   * The slots earlier sender passes gave: the `available_at`, later than `after`, of the pending rows never
   * handed to SMTP that wait for this mailbox's limits (`reschedule` with its key), earliest first.
   * outbox_pending_idx: a range scan of the pending rows due after `after`.
   */
  mailboxSlots(mailboxKey: string, after: number): Promise<number[]>;
  /**
   * pending → sending, attempts + 1, with the lease that bounds the SMTP exchange; false when the row
   * is no longer pending (dropped by a disconnect meanwhile). Written before any byte goes out. `payload`,
   * when given, replaces the queued one: the message as it goes out (another owner sends it).
   */
  markSending(
    id: string,
    sending: {
      at: number;
      leaseUntil: number;
      messageKeyHash: string;
      mailboxKey: string;
      payload?: JsonObject | undefined;
    },
  ): Promise<boolean>;
  /** sending → sent, with the provider's answer. */
  markSent(id: string, sentAt: number, providerResponse: string): Promise<boolean>;
  /** sending → pending at `availableAt` (a transient failure; the attempt is already counted). */
  retryLater(id: string, availableAt: number, lastError: string): Promise<boolean>;
  /** from `from` → `to` with the reason in last_error; false when the row was not in `from`. */
  settle(
    id: string,
    from: readonly OutboxStatus[],
    to: 'failed' | 'send_unknown' | 'dropped',
    reason: string,
  ): Promise<boolean>;
  /** send_unknown → dropped (an administrator's decision); `deliveredAt`, when they found it was delivered, is its `sentAt`. */
  dropUnknown(id: string, drop: { deliveredAt: number | null; reason: string }): Promise<boolean>;
  /** send_unknown → pending at `availableAt` (an administrator's re-send); false when not send_unknown. */
  requeueUnknown(id: string, availableAt: number): Promise<boolean>;
  /** Rows left `sending` past their lease (a crashed or hung sender) become `send_unknown`; returns them. */
  expireSending(now: number): Promise<OutboxMessage[]>;
  /** Rows in `status`, oldest first (outbox_attention_idx for failed / send_unknown). */
  listByStatus(status: OutboxStatus, options?: PageOptions): Promise<Page<OutboxMessage>>;
}

export interface Mailbox {
  id: string;
  /** Null: the installation's default mailbox. */
  userId: string | null;
  host: string;
  port: number;
  /** TLS from the first byte (smtps, port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  username: string | null;
  /** AES-256-GCM ciphertext (src/mail/mailbox-password.ts); never the password itself. */
  passwordEncrypted: string | null;
  /** For administrators ("Sales team", "Ada's Gmail"). */
  name: string;
  fromAddress: string | null;
  /** The display name of the From header; null: the owner's name. */
  fromName: string | null;
  /** Messages per rolling 24 hours; null: no cap. */
  dailyCap: number | null;
  minSpacingMs: number;
  /**
   * Where its replies and bounces are polled (`imaps://user:pass@host/INBOX`), encrypted as a whole like
   * the password, since it carries one; null: not polled.
   */
  imapUrlEncrypted: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewMailbox {
  id: string;
  userId: string | null;
  host: string;
  port: number;
  secure?: boolean | undefined;
  username?: string | null | undefined;
  passwordEncrypted?: string | null | undefined;
  name?: string | undefined;
  fromAddress?: string | null | undefined;
  fromName?: string | null | undefined;
  /** Default 400; null: no cap. */
  dailyCap?: number | null | undefined;
  /** Default 20,000. */
  minSpacingMs?: number | undefined;
  imapUrlEncrypted?: string | null | undefined;
  createdAt: number;
}

export type MailboxPatch = Partial<Omit<NewMailbox, 'id' | 'userId' | 'createdAt'>>;

export interface MailboxRepository {
  /** @throws StoreConflictError `conflict` (mailboxes_user_key): the user (or the installation) has one. */
  create(mailbox: NewMailbox): Promise<Mailbox>;
  get(id: string): Promise<Mailbox | null>;
  /** The user's own mailbox; `null` asks for the installation default (mailboxes_user_key). */
  forUser(userId: string | null): Promise<Mailbox | null>;
  /** Every mailbox, in id order (one per user at most, plus the default). */
  list(): Promise<Mailbox[]>;
  /** A page of mailboxes in id order (the primary key). */
  listPage(options?: PageOptions): Promise<Page<Mailbox>>;
  update(id: string, patch: MailboxPatch, updatedAt: number): Promise<Mailbox | null>;
  delete(id: string): Promise<boolean>;
  /** Logs one SMTP attempt of a mailbox (its key: a mailbox id, or `env` for STEPWISE_SMTP_URL). */
  logSend(send: { id: string; mailboxKey: string; outboxId: string; at: number }): Promise<void>;
  /** The latest SMTP attempt of each outbox row (mail_sends_outbox_idx): when it was handed over. */
  lastSendAt(outboxIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * Attempts since `since` (mail_sends_mailbox_at_idx): how many, the latest, and the time of the
   * `nth` oldest of them (0-based; null when there are not that many) — when the cap frees a slot.
   */
  sendWindow(
    mailboxKey: string,
    since: number,
    nth: number,
  ): Promise<{ count: number; lastAt: number | null; nthAt: number | null }>;
  /** The times of its attempts since `since`, oldest first (mail_sends_mailbox_at_idx). */
  sendsSince(mailboxKey: string, since: number): Promise<number[]>;
}

// ---------------------------------------------------------------------------------------------
// Seller actions, signals, suppression and records' life (src/engine/seller-actions.ts, signals.ts,
// suppression.ts, record-lifecycle.ts; tables of 0004_signals_suppressions).

/** A history row with the sequence version its enrollment runs (step_stats is kept per version). */
export interface StepInstance extends EnrollmentStep {
  sequenceVersion: number;
}

/** What a signal needs of the email step it is about: where it counts, and which definition decides. */
export type SignalStep = Pick<
  StepInstance,
  'id' | 'enrollmentId' | 'stepId' | 'type' | 'recordId' | 'sequenceId' | 'sequenceVersion'
>;

export interface StepInstanceRepository {
  /** History rows by id (enrollment_steps pkey); missing ones are absent. */
  getMany(ids: readonly string[]): Promise<StepInstance[]>;
  /** getMany with only the columns a signal needs (the intake's hot path). */
  signalSteps(ids: readonly string[]): Promise<SignalStep[]>;
  /**
   * The newest completed (sent) `email` or `automated_email` row of each of these enrollments, where
   * there is one (enrollment_steps_enrollment_idx): what a reply or open without a message id concerns.
   */
  latestSentEmails(enrollmentIds: readonly string[]): Promise<SignalStep[]>;
}

/** The step_stats counter a signal adds to, once per (step instance, counter). */
export interface SignalCount {
  stepRowId: string;
  sequenceId: string;
  version: number;
  stepId: string;
  counter: string;
}

export interface SignalInsert {
  id: string;
  /** The client's signal id; a second signal with the same key is not stored (signals_dedupe_key_key). */
  dedupeKey: string | null;
  type: string;
  recordId: string | null;
  enrollmentId: string | null;
  /** The outbox idempotency key of the message the signal is about. */
  messageKey: string | null;
  /**
   * The email step (of `enrollmentId`) the signal is about, set when the signal was not applied to the
   * enrollment at once: a condition that tests that step reads it later (`facts`).
   */
  stepId: string | null;
  at: number;
  data: JsonObject | null;
  /** The step counters the signal counts on, each once per step instance (a click counts as an open too). */
  counts: readonly SignalCount[];
}

/** A stored signal a condition may test: `type` of email step `stepId`, at `at`. */
export interface StoredSignalFact {
  enrollmentId: string;
  stepId: string;
  type: string;
  at: number;
}

export interface SignalRepository {
  /** Those of these dedupe keys already stored (signals_dedupe_key_key). */
  existingDedupeKeys(keys: readonly string[]): Promise<string[]>;
  /** Outbox idempotency keys of rows named by their id (outbox pkey) or Message-ID hash (outbox_message_key_hash_idx). */
  outboxKeys(refs: {
    ids: readonly string[];
    hashes: readonly string[];
  }): Promise<{ id: string; messageKeyHash: string | null; idempotencyKey: string }[]>;
  /**
   * Inserts the rows in one transaction, skipping those whose dedupe key is taken; for each inserted
   * row's `count`, adds 1 to step_stats unless an earlier signal already counted that (step instance,
   * counter) (signal_step_firsts pkey). Returns the ids of the inserted rows.
   */
  insert(rows: readonly SignalInsert[]): Promise<string[]>;
  /**
   * The facts of these enrollments' email steps: the earliest time each signal type came for each step
   * instance (signal_step_firsts, found by the enrollment's history rows).
   */
  facts(enrollments: readonly { id: string }[]): Promise<StoredSignalFact[]>;
}

export const SUPPRESSION_REASONS = ['unsubscribed', 'bounced', 'manual'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** An address never to email again. */
export interface Suppression {
  /** Lower-cased. */
  email: string;
  reason: SuppressionReason;
  at: number;
  /** Where it came from: `signal`, `unsubscribe_page`, a user id… */
  source: string | null;
}

export interface SuppressionRepository {
  /** Adds the addresses not yet suppressed (the first reason stays); returns those added. Emails must be lower-cased. */
  addMany(entries: readonly Suppression[]): Promise<string[]>;
  /** The entries of these lower-cased addresses (suppressions pkey). */
  getMany(emails: readonly string[]): Promise<Suppression[]>;
  /** Ordered by email. */
  list(options?: PageOptions): Promise<Page<Suppression>>;
  remove(email: string): Promise<boolean>;
}

export interface RecordLifecycleRepository {
  /**
   * In one transaction: the live record's owner, its running enrollments' owner (their version bumped,
   * so a transition loaded before this re-reads) and the owner of their unfinished (`open`, `waiting`)
   * step rows, due times kept (the engine then places scheduled steps in the new owner's calendar, in
   * the same transaction: src/engine/owner-calendar.ts); finished step rows keep theirs. Null when there
   * is no live record; otherwise the ids of the running enrollments whose owner changed.
   */
  changeOwner(recordId: string, ownerId: string, at: number): Promise<{ enrollmentIds: string[] } | null>;
}

// ---------------------------------------------------------------------------------------------
// Outgoing webhooks (0005_webhooks; src/engine/webhooks): endpoints, the event log database triggers
// fill in the engine's own transactions, deliveries (one per endpoint and event) and their attempts.

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export interface Webhook {
  id: string;
  url: string;
  /** Event types, or `*` for all. */
  events: string[];
  description: string | null;
  /** The HMAC-SHA256 key of Stepwise-Signature. */
  secret: string;
  active: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface NewWebhook {
  id: string;
  url: string;
  events: readonly string[];
  description?: string | null | undefined;
  secret: string;
  active?: boolean | undefined;
  createdAt: number;
}

export interface WebhookPatch {
  url?: string | undefined;
  events?: readonly string[] | undefined;
  description?: string | null | undefined;
  secret?: string | undefined;
  active?: boolean | undefined;
}

/** One row of the event log, written by a trigger in the transaction of the change it describes. */
export interface WebhookEvent {
  seq: number;
  type: string;
  subjectId: string;
  /** When it happened (the engine's time); null: unknown, the dispatcher's now. */
  at: number | null;
  data: JsonObject;
}

export interface WebhookAttempt {
  id: string;
  deliveryId: string;
  at: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  /** The exact JSON body. */
  payload: string;
  status: WebhookDeliveryStatus;
  nextAttemptAt: number | null;
  retryUntil: number;
  createdAt: number;
  deliveredAt: number | null;
  /** Oldest first. */
  attempts: WebhookAttempt[];
}

export interface NewWebhookDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  payload: string;
  nextAttemptAt: number;
  retryUntil: number;
  createdAt: number;
}

/** What an attempt leaves the delivery in. */
export type WebhookAttemptOutcome =
  | { status: 'delivered'; at: number }
  | { status: 'pending'; nextAttemptAt: number }
  | { status: 'failed' };

export interface WebhookRepository {
  /** Also lists its event types for the triggers when active. */
  create(webhook: NewWebhook): Promise<Webhook>;
  get(id: string): Promise<Webhook | null>;
  /** Ordered by (created_at, id). */
  list(options?: PageOptions): Promise<Page<Webhook>>;
  listActive(): Promise<Webhook[]>;
  update(id: string, patch: WebhookPatch, updatedAt: number): Promise<Webhook | null>;
  /** Deletes the endpoint with its deliveries. */
  delete(id: string): Promise<boolean>;
  /**
   * The oldest `limit` events not yet fanned out, locked until the transaction ends (PostgreSQL
   * FOR UPDATE SKIP LOCKED). Call inside `transaction()` with `enqueue` and `deleteEvents`.
   */
  takeEvents(limit: number): Promise<WebhookEvent[]>;
  deleteEvents(seqs: readonly number[]): Promise<void>;
  /** Inserts the deliveries whose (webhook, event) is new (webhook_deliveries_event_key); returns how many. */
  enqueue(deliveries: readonly NewWebhookDelivery[]): Promise<number>;
  /** Leases up to `limit` pending deliveries due by `now` (webhook_deliveries_due_idx), oldest due first. */
  claimDue(now: number, limit: number, leaseUntil: number): Promise<WebhookDelivery[]>;
  /** The earliest `next_attempt_at` of a pending delivery (webhook_deliveries_due_idx). */
  nextDueAt(): Promise<number | null>;
  /** Logs an attempt and moves a pending delivery as `outcome` says; false when it was not pending. */
  recordAttempt(attempt: WebhookAttempt, outcome: WebhookAttemptOutcome): Promise<boolean>;
  getDelivery(id: string): Promise<WebhookDelivery | null>;
  /** An endpoint's deliveries, newest first, with their attempts. */
  listDeliveries(webhookId: string, options?: PageOptions): Promise<Page<WebhookDelivery>>;
  /** Back to pending, due at `now`, retried until `retryUntil` (whatever its status); null when missing. */
  resend(id: string, now: number, retryUntil: number): Promise<WebhookDelivery | null>;
  /** Pending deliveries (for /metrics). */
  countPending(): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// The store

export type StoreDialect = 'sqlite' | 'postgres';

export interface Store {
  readonly dialect: StoreDialect;
  readonly capabilities: StoreCapabilities;
  readonly users: UserRepository;
  readonly apiTokens: ApiTokenRepository;
  readonly sessions: SessionRepository;
  readonly fieldDefinitions: FieldDefinitionRepository;
  readonly records: RecordRepository;
  readonly emailTemplates: EmailTemplateRepository;
  readonly sequences: SequenceRepository;
  readonly enrollments: EnrollmentRepository;
  readonly audit: AuditRepository;
  readonly settings: SettingsRepository;
  /** Locks and reads of the sequence use cases (src/engine/sequences). */
  readonly sequenceLifecycle: SequenceLifecycleRepository;
  /** The engine's hot-path statements. */
  readonly engine: EngineRepository;
  /** Many enrollments started from shared shapes (connect's bulk path). */
  readonly enrollmentStarts: EnrollmentStartRepository;
  /** The outbox as the mail sender works it (claim, send, settle). */
  readonly outbox: OutboxRepository;
  /** SMTP mailboxes and their send log (limits). */
  readonly mailboxes: MailboxRepository;
  /** Work list, a record's current steps, history rows (src/engine/worklist.ts, enrollment-views.ts). */
  readonly enrollmentViews: EnrollmentViewRepository;
  /** Figures for /metrics. */
  readonly operations: OperationsRepository;
  /** History rows with their sequence version (seller actions, signals). */
  readonly stepInstances: StepInstanceRepository;
  /** Engagement signals, deduplicated, and their per-step counters. */
  readonly signals: SignalRepository;
  /** Addresses never to email again. */
  readonly suppressions: SuppressionRepository;
  /** Owner changes of records with their running enrollments. */
  readonly recordLifecycle: RecordLifecycleRepository;
  /** Outgoing webhooks: endpoints, the event log, deliveries and their attempts. */
  readonly webhooks: WebhookRepository;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * Called on a transaction's store, it joins that transaction. Inside `fn` use `tx` only: on SQLite
   * the outer store waits for the single connection, so using it there would wait forever.
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * True on a transaction's store. A statement that failed there may have ended the transaction
   * (PostgreSQL aborts it: every later statement fails), so a busy error is not retried inside it: it
   * goes up to whoever runs the whole transaction, who may run it again.
   */
  readonly inTransaction: boolean;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
