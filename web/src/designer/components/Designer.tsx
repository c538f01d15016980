// The sequence designer: the canvas, the step picker and the side panel around one designer store.
import { useDesigner } from '../designer-context.js';
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
