// Work items for the tests of the work list's pure parts.
import type { WorkItem } from '../api/types.js';

export function workItem(
  id: string,
  overrides: Partial<WorkItem> & { stepType?: WorkItem['step']['type'] } = {},
): WorkItem {
  const { stepType = 'email', ...rest } = overrides;
  return {
    id,
    enrollmentId: `enr-${id}`,
    record: {
      id: `rec-${id}`,
      name: `Record ${id}`,
      type: 'lead',
      email: `${id}@example.test`,
      phone: null,
      linkedinUrl: null,
    },
    sequence: { id: 'seq1', name: 'Outbound' },
    step: { id: 's1', type: stepType, name: 'Introduce yourself', description: null, templateId: 'tpl1' },
    dueAt: '2026-11-24T09:00:00.000Z',
    state: 'open',
    ...rest,
  };
}
