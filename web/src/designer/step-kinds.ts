// The registry of step kinds: what the step picker offers (tab, title, icon, help) and what a new step of
// each kind holds. The picker, the store's insert action and the nodes all read it, so a new kind is one entry.
import type { CallOutcome, EmailSignal, Step, StepType } from '@domain/definition.js';
import type { IconName } from '../ui/icon-names.js';
import { waitName } from './wait-duration.js';

export const PICKER_TABS = ['steps', 'conditions', 'commands', 'linkedin'] as const;
export type PickerTab = (typeof PICKER_TABS)[number];

export const PICKER_TAB_TITLES: Record<PickerTab, string> = {
  steps: 'Steps',
  conditions: 'Conditions',
  commands: 'Commands',
  linkedin: 'LinkedIn',
};

/** What a new step may refer to: the closest email and phone call that come before it on every path. */
export interface InsertContext {
  precedingEmail: string | undefined;
  precedingCall: string | undefined;
}

export interface StepKind {
  readonly kind: string;
  readonly title: string;
  readonly help: string;
  readonly icon: IconName;
  readonly tab: PickerTab;
  /** The step type this kind creates. */
  readonly type: StepType;
  /** A condition kind that tests an earlier step needs one of that kind before it. */
  readonly requires?: 'email' | 'call';
  /** A new step of this kind, without links (the insert function adds them). */
  create(id: string, context: InsertContext): Step;
}

/** How long a condition waits for its signal until the user says otherwise. */
export const DEFAULT_WITHIN = 'P2D';

function signalCondition(signal: EmailSignal, title: string, help: string): StepKind {
  return {
    kind: `condition_${signal}`,
    title,
    help,
    icon: 'branch',
    tab: 'conditions',
    type: 'condition',
    requires: 'email',
    create: (id, context) => ({
      id,
      type: 'condition',
      name: title,
      if: { signal, step: context.precedingEmail ?? '' },
      within: DEFAULT_WITHIN,
    }),
  };
}

const ANSWERED: CallOutcome[] = ['answered'];

export const STEP_KINDS = [
  {
    kind: 'email',
    title: 'Email',
    help: 'The seller sends an email, from a template or written on the spot.',
    icon: 'mail',
    tab: 'steps',
    type: 'email',
    create: (id) => ({ id, type: 'email', name: 'Email' }),
  },
  {
    kind: 'automated_email',
    title: 'Automated email',
    help: 'Sent automatically from a template, inside working hours.',
    icon: 'mail-auto',
    tab: 'steps',
    type: 'automated_email',
    create: (id) => ({ id, type: 'automated_email', name: 'Automated email' }),
  },
  {
    kind: 'phone_call',
    title: 'Phone call',
    help: 'The seller calls and logs the outcome.',
    icon: 'phone',
    tab: 'steps',
    type: 'phone_call',
    create: (id) => ({ id, type: 'phone_call', name: 'Phone call' }),
  },
  {
    kind: 'task',
    title: 'Task',
    help: 'A custom activity, such as preparing a meeting.',
    icon: 'task',
    tab: 'steps',
    type: 'task',
    create: (id) => ({ id, type: 'task', name: 'Task' }),
  },
  {
    kind: 'wait',
    title: 'Set wait time',
    help: 'Waits before the next step; up to 30 days. A sequence can’t start or end with a wait.',
    icon: 'clock',
    tab: 'steps',
    type: 'wait',
    create: (id) => ({ id, type: 'wait', name: waitName('P1D'), duration: 'P1D' }),
  },
  signalCondition('email_opened', 'Email opened', 'Goes to Yes when the recipient opens the email.'),
  signalCondition('email_replied', 'Email replied', 'Goes to Yes when the recipient replies.'),
  signalCondition('email_clicked', 'Link clicked', 'Goes to Yes when a link in the email is clicked.'),
  signalCondition(
    'email_attachment_opened',
    'Attachment opened',
    'Goes to Yes when an attachment of the email is opened.',
  ),
  {
    kind: 'condition_call_outcome',
    title: 'Phone call outcome',
    help: 'Goes to Yes when the call’s logged outcome is one you choose.',
    icon: 'branch',
    tab: 'conditions',
    type: 'condition',
    requires: 'call',
    create: (id, context) => ({
      id,
      type: 'condition',
      name: 'Call answered?',
      if: { step: context.precedingCall ?? '', outcome: [...ANSWERED] },
    }),
  },
  {
    kind: 'condition_field',
    title: 'Field value',
    help: 'Goes to Yes when a field of the record matches.',
    icon: 'branch',
    tab: 'conditions',
    type: 'condition',
    create: (id) => ({ id, type: 'condition', name: 'Field value', if: { field: '', op: 'eq', value: '' } }),
  },
  {
    kind: 'update_field',
    title: 'Update field',
    help: 'Sets a field of the record to a value.',
    icon: 'edit-field',
    tab: 'commands',
    type: 'update_field',
    create: (id) => ({ id, type: 'update_field', name: 'Update field', field: '', value: '' }),
  },
  {
    kind: 'advance_to_sequence',
    title: 'Advance to another sequence',
    help: 'Moves the record to another active sequence. Nothing can follow it.',
    icon: 'forward',
    tab: 'commands',
    type: 'advance_to_sequence',
    create: (id) => ({
      id,
      type: 'advance_to_sequence',
      name: 'Advance to another sequence',
      sequenceId: '',
    }),
  },
  {
    kind: 'linkedin_research',
    title: 'Research on LinkedIn',
    help: 'Look up the person and the company on LinkedIn.',
    icon: 'linkedin',
    tab: 'linkedin',
    type: 'linkedin_research',
    create: (id) => ({ id, type: 'linkedin_research', name: 'Research on LinkedIn' }),
  },
  {
    kind: 'linkedin_get_introduced',
    title: 'Get introduced',
    help: 'Ask a shared connection for an introduction.',
    icon: 'linkedin',
    tab: 'linkedin',
    type: 'linkedin_get_introduced',
    create: (id) => ({ id, type: 'linkedin_get_introduced', name: 'Get introduced on LinkedIn' }),
  },
  {
    kind: 'linkedin_connect',
    title: 'Send connection request',
    help: 'Send a LinkedIn connection request with a personal note.',
    icon: 'linkedin',
    tab: 'linkedin',
    type: 'linkedin_connect',
    create: (id) => ({ id, type: 'linkedin_connect', name: 'Connect on LinkedIn' }),
  },
  {
    kind: 'linkedin_inmail',
    title: 'Send InMail',
    help: 'Send a LinkedIn InMail message.',
    icon: 'linkedin',
    tab: 'linkedin',
    type: 'linkedin_inmail',
    create: (id) => ({ id, type: 'linkedin_inmail', name: 'Send LinkedIn InMail' }),
  },
] as const satisfies readonly StepKind[];

export type StepKindName = (typeof STEP_KINDS)[number]['kind'];

export function findStepKind(kind: string): StepKind | undefined {
  return STEP_KINDS.find((k) => k.kind === kind);
}

export function kindsOfTab(tab: PickerTab): StepKind[] {
  return STEP_KINDS.filter((k) => k.tab === tab);
}

/** How a step type looks on the canvas: its title (when the step has no name) and icon. */
export const STEP_TYPE_LOOKS: Record<StepType, { title: string; icon: IconName }> = {
  email: { title: 'Email', icon: 'mail' },
  automated_email: { title: 'Automated email', icon: 'mail-auto' },
  phone_call: { title: 'Phone call', icon: 'phone' },
  task: { title: 'Task', icon: 'task' },
  linkedin_research: { title: 'LinkedIn research', icon: 'linkedin' },
  linkedin_get_introduced: { title: 'LinkedIn: get introduced', icon: 'linkedin' },
  linkedin_connect: { title: 'LinkedIn: connect', icon: 'linkedin' },
  linkedin_inmail: { title: 'LinkedIn: InMail', icon: 'linkedin' },
  wait: { title: 'Wait', icon: 'clock' },
  condition: { title: 'Condition', icon: 'branch' },
  update_field: { title: 'Update field', icon: 'edit-field' },
  advance_to_sequence: { title: 'Advance to another sequence', icon: 'forward' },
};
