// What a step dialog needs to know about the step it acts on (a work item or an Up next entry).
import type { Step } from '@domain/definition.js';
import type { WorkItem } from '../api/types.js';
import { stepTitle } from '../designer/describe-step.js';

export interface ActionTarget {
  /** The enrollment step id the actions take. */
  id: string;
  recordId: string;
  recordName: string;
  stepTitle: string;
  stepType: Step['type'];
  /** The step's description as the definition holds it: a call's script, a task's instructions. */
  stepDescription: string | null;
  templateId: string | null;
  /** How to reach the record, as the work list read it. */
  contact: Pick<WorkItem['record'], 'email' | 'phone' | 'linkedinUrl'>;
}

export function targetOf(item: WorkItem): ActionTarget {
  return {
    id: item.id,
    recordId: item.record.id,
    recordName: item.record.name,
    stepTitle: stepTitle({ name: item.step.name ?? undefined, type: item.step.type } as Pick<
      Step,
      'name' | 'type'
    >),
    stepType: item.step.type,
    stepDescription: item.step.description || null,
    templateId: item.step.templateId ?? null,
    contact: {
      email: item.record.email ?? null,
      phone: item.record.phone ?? null,
      linkedinUrl: item.record.linkedinUrl ?? null,
    },
  };
}
