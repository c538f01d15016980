// The resources the API answers with (api.md "Resources"), as the web app reads them.
import type { EntityType, SequenceDefinition, Step } from '@domain/definition.js';

export type Role = 'admin' | 'sequence_manager' | 'sales_manager' | 'salesperson';

export const ROLE_NAMES: Record<Role, string> = {
  admin: 'System Administrator',
  sequence_manager: 'Sequence manager',
  sales_manager: 'Sales manager',
  salesperson: 'Salesperson',
};

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  timezone: string;
  workingHours?: Record<string, string[][]>;
  disabled?: boolean;
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
  enrolledCount?: number;
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
  currentSequence?: { id: string; name: string } | null;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export interface WorkItem {
  id: string;
  enrollmentId: string;
  record: { id: string; name: string; type: EntityType };
  sequence: { id: string; name: string };
  step: { id: string; type: Step['type']; name?: string; description?: string; templateId?: string };
  dueAt: string;
  state: string;
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
  enrolled: number;
  active: number;
  paused: number;
  completed: number;
  disconnected: number;
  endReasons: Record<string, number>;
  steps: StepStats[];
}

export interface ConnectAnswer {
  enrolled: { recordId: string; enrollmentId: string }[];
  rejected: { recordId: string; code: string; message: string }[];
}
