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
  templateId: string | null;
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
    templateId: item.step.templateId ?? null,
  };
}
