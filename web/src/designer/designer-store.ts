// The designer's state: the definition being edited, the selected step, whether there are unsaved changes,
// the open step picker, and the server's validation errors by step. One store per open designer, made by
// createDesignerStore and read through narrow selectors; every edit goes through edit-definition.ts.
import type { SequenceDefinition, SequenceOptions } from '@domain/definition.js';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ProblemDetail } from '../api/api-error.js';
import { deleteStep, insertStep, type StepPatch, updateOptions, updateStep } from './edit-definition.js';
import type { LinkRef } from './flow-types.js';

export type PanelView = { kind: 'step'; stepId: string } | { kind: 'options' } | null;

export interface DesignerState {
  definition: SequenceDefinition;
  readOnly: boolean;
  panel: PanelView;
  dirty: boolean;
  /** The link the step picker adds to, while it is open. */
  pickerLink: LinkRef | null;
  /** From the last 422: problems per step id, and those that belong to no step. */
  stepErrors: Record<string, ProblemDetail[]>;
  generalErrors: ProblemDetail[];
  /** A message for the user after an edit that could not be done (a refused delete). */
  notice: string | null;

  openPicker(link: LinkRef): void;
  closePicker(): void;
  addStep(kind: string): void;
  select(stepId: string | null): void;
  showOptions(): void;
  updateStep(stepId: string, patch: StepPatch): void;
  updateOptions(patch: Partial<SequenceOptions>): void;
  /** Deletes the step; false (and a notice) when it can't be deleted. */
  deleteStep(stepId: string): boolean;
  setServerErrors(errors: ProblemDetail[]): void;
  /** After a save: the server's copy is now the baseline. */
  markSaved(definition: SequenceDefinition): void;
  dismissNotice(): void;
}

export type DesignerStore = StoreApi<DesignerState>;

export function createDesignerStore(initial: {
  definition: SequenceDefinition;
  readOnly?: boolean;
}): DesignerStore {
  return createStore<DesignerState>()((set, get) => {
    const edit = (definition: SequenceDefinition, extra: Partial<DesignerState> = {}) => {
      if (get().readOnly) return;
      set({ definition, dirty: true, ...extra });
    };
    return {
      definition: initial.definition,
      readOnly: initial.readOnly ?? false,
      panel: null,
      dirty: false,
      pickerLink: null,
      stepErrors: {},
      generalErrors: [],
      notice: null,

      openPicker: (link) => {
        if (!get().readOnly) set({ pickerLink: link });
      },
      closePicker: () => set({ pickerLink: null }),
      addStep: (kind) => {
        const link = get().pickerLink;
        if (link === null) return;
        const { definition, stepId } = insertStep(get().definition, link, kind);
        edit(definition, { pickerLink: null, panel: { kind: 'step', stepId } });
      },
      select: (stepId) => set({ panel: stepId === null ? null : { kind: 'step', stepId } }),
      showOptions: () => set({ panel: { kind: 'options' } }),
      updateStep: (stepId, patch) => edit(updateStep(get().definition, stepId, patch)),
      updateOptions: (patch) => edit(updateOptions(get().definition, patch)),
      deleteStep: (stepId) => {
        const result = deleteStep(get().definition, stepId);
        if (!result.ok) {
          set({ notice: result.reason });
          return false;
        }
        const { [stepId]: _gone, ...stepErrors } = get().stepErrors;
        edit(result.definition, {
          panel: null,
          stepErrors,
          notice: result.removed.length > 1 ? `Deleted ${result.removed.length} steps.` : null,
        });
        return true;
      },
      setServerErrors: (errors) => {
        const stepErrors: Record<string, ProblemDetail[]> = {};
        const generalErrors: ProblemDetail[] = [];
        for (const error of errors) {
          if (error.stepId === undefined) generalErrors.push(error);
          else stepErrors[error.stepId] = [...(stepErrors[error.stepId] ?? []), error];
        }
        set({ stepErrors, generalErrors });
      },
      markSaved: (definition) => set({ definition, dirty: false }),
      dismissNotice: () => set({ notice: null }),
    };
  });
}
