// Tabs as the WAI-ARIA pattern: arrow keys move between tabs, the panel is labelled by its tab.
import { type KeyboardEvent, useRef } from 'react';

export interface TabItem<K extends string> {
  key: K;
  label: string;
  count?: number;
}

export function Tabs<K extends string>({
  items,
  selected,
  onSelect,
  label,
  id,
}: {
  /** Shared with tabPanelProps so each panel is labelled by its tab (use useId in the caller). */
  id: string;
  items: readonly TabItem<K>[];
  selected: K;
  onSelect: (key: K) => void;
  label: string;
}) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const delta = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (delta === 0) return;
    event.preventDefault();
    const next = (index + delta + items.length) % items.length;
    const item = items[next];
    if (item === undefined) return;
    onSelect(item.key);
    refs.current[next]?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {items.map((item, index) => (
        <button
          key={item.key}
          ref={(el) => {
            refs.current[index] = el;
          }}
          type="button"
          role="tab"
          id={tabId(id, item.key)}
          aria-selected={item.key === selected}
          aria-controls={panelId(id, item.key)}
          tabIndex={item.key === selected ? 0 : -1}
          className="tab"
          onClick={() => onSelect(item.key)}
          onKeyDown={(event) => onKeyDown(event, index)}
        >
          {item.label}
          {item.count !== undefined && <span className="tab-count">{item.count}</span>}
        </button>
      ))}
    </div>
  );
}

/** Props for the element that shows the selected tab's content. */
export function tabPanelProps(tabsId: string, key: string) {
  return { role: 'tabpanel', id: panelId(tabsId, key), 'aria-labelledby': tabId(tabsId, key) } as const;
}

function tabId(id: string, key: string) {
  return `${id}-tab-${key}`;
}
function panelId(id: string, key: string) {
  return `${id}-panel-${key}`;
}
