// What a role may do in the app, as the API's route matrix allows it (src/api/route-matrix.test.ts): screens
// hide what the signed-in user can't do instead of offering it and answering "not allowed" afterwards.
import type { Role } from '../api/types.js';

export interface Permissions {
  /** Create, edit, activate, revise, deactivate, clone and delete sequences; read their stats. */
  manageSequences: boolean;
  /** Create, edit and delete email templates. */
  manageEmailTemplates: boolean;
  /** Bulk upserts and CSV imports of records. */
  importRecords: boolean;
  /** Give a record to another owner (a salesperson's records stay their own). */
  assignOwners: boolean;
  /** Users, mailboxes, webhooks and unsent messages. */
  manageSettings: boolean;
  /** Read (and work) another seller's work list: GET /api/worklist?ownerId= refuses a salesperson. */
  viewOthersWork: boolean;
}

export function permissionsOf(role: Role | undefined): Permissions {
  const manager = role === 'admin' || role === 'sequence_manager' || role === 'sales_manager';
  return {
    manageSequences: manager,
    manageEmailTemplates: manager,
    importRecords: manager,
    assignOwners: manager,
    manageSettings: role === 'admin',
    viewOthersWork: manager,
  };
}
