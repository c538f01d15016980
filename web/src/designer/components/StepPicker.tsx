// "Add a step": the four tabs of Dynamics' step picker. Kinds that can't go on this link are shown
// disabled with the reason, so the rule is learnt where it applies.
import { useId, useState } from 'react';
import { Dialog } from '../../ui/Dialog.js';
import { Icon } from '../../ui/Icon.js';
import { Tabs, tabPanelProps } from '../../ui/Tabs.js';
import { useDesigner } from '../designer-context.js';
import { kindAvailability } from '../edit-definition.js';
import { kindsOfTab, PICKER_TAB_TITLES, PICKER_TABS, type PickerTab } from '../step-kinds.js';

export function StepPicker() {
  const link = useDesigner((s) => s.pickerLink);
  const definition = useDesigner((s) => s.definition);
  const close = useDesigner((s) => s.closePicker);
  const addStep = useDesigner((s) => s.addStep);
  const [tab, setTab] = useState<PickerTab>('steps');
  const tabsId = useId();
  return (
    <Dialog title="Add a step" open={link !== null} onClose={close} size="medium">
      <Tabs
        id={tabsId}
        label="Kinds of step"
        items={PICKER_TABS.map((key) => ({ key, label: PICKER_TAB_TITLES[key] }))}
        selected={tab}
        onSelect={setTab}
      />
      {link !== null && (
        <ul className="picker-list" {...tabPanelProps(tabsId, tab)}>
          {kindsOfTab(tab).map((kind) => {
            const availability = kindAvailability(definition, link, kind);
            return (
              <li key={kind.kind}>
                <button
                  type="button"
                  className="picker-item"
                  disabled={!availability.ok}
                  onClick={() => addStep(kind.kind)}
                >
                  <span className={`picker-icon picker-icon-${kind.tab}`} aria-hidden="true">
                    <Icon name={kind.icon} />
                  </span>
                  <span className="picker-text">
                    <span className="picker-title">{kind.title}</span>
                    <span className="picker-help">{availability.ok ? kind.help : availability.reason}</span>
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </Dialog>
  );
}
