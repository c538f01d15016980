// The sequence designer: the canvas, the step picker and the side panel around one designer store.
import { useEffect } from 'react';
import { useDesigner } from '../designer-context.js';
import { stepNodeId } from '../flow-types.js';
import { DesignerCanvas } from './DesignerCanvas.js';
import { OptionsPanel } from './OptionsPanel.js';
import { StepPanel } from './StepPanel.js';
import { StepPicker } from './StepPicker.js';

export function Designer({ label }: { label: string }) {
  const panel = useDesigner((s) => s.panel);
  const notice = useDesigner((s) => s.notice);
  const dismiss = useDesigner((s) => s.dismissNotice);
  // Select the stored array and filter here: a selector that builds a new array would re-render forever.
  const allGeneralErrors = useDesigner((s) => s.generalErrors);
  const generalErrors = allGeneralErrors.filter((e) => !(e.path?.includes('/options') ?? false));
  // The options' own problems are shown in the Options panel; while it is closed, the banner points there.
  const optionErrors = allGeneralErrors.length - generalErrors.length;
  const showOptions = useDesigner((s) => s.showOptions);
  const optionsHidden = optionErrors > 0 && panel?.kind !== 'options';
  const select = useDesigner((s) => s.select);
  // Escape closes the side panel wherever the focus is, except in a dialog (which closes first, on its own
  // Escape); if the focus was in the panel, it goes back to the step's card.
  useEffect(() => {
    if (panel === null) return;
    const closeOnEscape = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      const target = event.target instanceof Element ? event.target : null;
      if (target?.closest('dialog') != null || document.querySelector('dialog[open]') !== null) return;
      const inPanel = target?.closest('.panel') != null;
      select(null);
      if (inPanel && panel.kind === 'step')
        document
          .querySelector<HTMLElement>(`[data-id="${CSS.escape(stepNodeId(panel.stepId))}"] .flow-step-button`)
          ?.focus();
    };
    document.addEventListener('keydown', closeOnEscape);
    return () => document.removeEventListener('keydown', closeOnEscape);
  }, [panel, select]);
  return (
    <div className={`designer${panel === null ? '' : ' with-panel'}`}>
      <div className="designer-stage">
        {(notice !== null || generalErrors.length > 0 || optionsHidden) && (
          <div className="designer-messages">
            {notice !== null && (
              <div className="notice" role="status">
                <span>{notice}</span>
                <button type="button" className="link-button" onClick={dismiss}>
                  Dismiss
                </button>
              </div>
            )}
            {(generalErrors.length > 0 || optionsHidden) && (
              <div className="notice notice-error" role="alert">
                <ul>
                  {generalErrors.map((e) => (
                    <li key={`${e.code}${e.path ?? ''}`}>{e.message}</li>
                  ))}
                  {optionsHidden && (
                    <li>
                      {optionErrors === 1
                        ? 'The sequence’s options have a problem. '
                        : `The sequence’s options have ${optionErrors} problems. `}
                      <button type="button" className="link-button" onClick={showOptions}>
                        Open the options
                      </button>
                    </li>
                  )}
                </ul>
              </div>
            )}
          </div>
        )}
        <DesignerCanvas label={label} />
      </div>
      {panel?.kind === 'step' && <StepPanel key={panel.stepId} stepId={panel.stepId} />}
      {panel?.kind === 'options' && <OptionsPanel />}
      <StepPicker />
    </div>
  );
}
