import { describe, expect, it } from 'vitest';
import { permissionsOf } from './permissions.js';

describe('permissionsOf', () => {
  it('gives a salesperson none of the managers’ actions', () => {
    expect(permissionsOf('salesperson')).toEqual({
      manageSequences: false,
      manageEmailTemplates: false,
      importRecords: false,
      assignOwners: false,
      manageSettings: false,
      viewOthersWork: false,
    });
  });

  it('lets every manager role build sequences and templates, and only administrators into settings', () => {
    for (const role of ['sequence_manager', 'sales_manager'] as const) {
      expect(permissionsOf(role)).toMatchObject({ manageSequences: true, manageEmailTemplates: true });
      expect(permissionsOf(role).manageSettings).toBe(false);
    }
    for (const role of ['admin', 'sequence_manager', 'sales_manager'] as const)
      expect(permissionsOf(role).viewOthersWork).toBe(true);
    expect(permissionsOf('admin').manageSettings).toBe(true);
  });

  it('allows nothing without a session', () => {
    expect(Object.values(permissionsOf(undefined)).every((allowed) => !allowed)).toBe(true);
  });
});
