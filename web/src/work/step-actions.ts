// What a seller does to one step, as a value: the dialogs produce it, the screens run it (optimistically
// in My work, awaited on a record page) through `performStepAction`.
import type { CallOutcome } from '@domain/definition.js';
import type { Api } from '../api/endpoints.js';
import type { EnrollmentDetail } from '../api/types.js';

export type StepAction =
  | { type: 'complete'; outcome?: CallOutcome; notes?: string }
  | { type: 'skip' }
  | { type: 'snooze'; until: string }
  | { type: 'send'; subject?: string; body?: string }
  /** An email the seller sent from their own mail client: the step completes, nothing is queued. */
  | { type: 'mark-sent' }
  | { type: 'skip-wait' };

export function performStepAction(
  api: Api,
  stepRowId: string,
  action: StepAction,
): Promise<EnrollmentDetail> {
  switch (action.type) {
    case 'complete':
      return api.enrollmentSteps.complete(stepRowId, {
        ...(action.outcome === undefined ? {} : { outcome: action.outcome }),
        ...(action.notes === undefined || action.notes.trim() === '' ? {} : { notes: action.notes }),
      });
    case 'skip':
      return api.enrollmentSteps.skip(stepRowId);
    case 'snooze':
      return api.enrollmentSteps.snooze(stepRowId, action.until);
    case 'send':
      return api.enrollmentSteps.send(stepRowId, {
        ...(action.subject === undefined ? {} : { subject: action.subject }),
        ...(action.body === undefined ? {} : { body: action.body }),
      });
    case 'mark-sent':
      return api.enrollmentSteps.complete(stepRowId, {});
    case 'skip-wait':
      return api.enrollmentSteps.skipWait(stepRowId);
    default:
      return assertNever(action);
  }
}

/** Past tense for the notice after it worked. */
export function actionDoneText(
  action: StepAction,
  recordName: string,
  mailbox?: 'own' | 'default' | 'none',
): string {
  switch (action.type) {
    case 'complete':
      return action.outcome === undefined
        ? `Completed the step for ${recordName}.`
        : `Logged the call with ${recordName}.`;
    case 'skip':
      return `Skipped the step for ${recordName}.`;
    case 'snooze':
      return `Snoozed the step for ${recordName}.`;
    case 'send':
      // The API queues the email; the outbox sends it when a mailbox can (docs/mail.md). Never "sent" here.
      return mailbox === 'none'
        ? `Queued the email to ${recordName}. No mailbox is set up yet: it waits in the outbox until you add your own mailbox under Your account (or an administrator adds one).`
        : `Queued the email to ${recordName}; it goes out through the outbox.`;
    case 'mark-sent':
      return `Marked the email to ${recordName} as sent outside Stepwise.`;
    case 'skip-wait':
      return `Ended the wait for ${recordName}.`;
    default:
      return assertNever(action);
  }
}

function assertNever(value: never): never {
  throw new Error(`Unhandled step action ${JSON.stringify(value)}`);
}
