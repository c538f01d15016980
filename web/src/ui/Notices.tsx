// Short messages after an action: successes fade after a few seconds, errors stay until dismissed. The
// two live regions exist before anything is said, so screen readers announce what arrives. They float over
// the bottom of the window, so they also leave as much room at the end of the page: scrolled to the end,
// the last item of a list (a My work card and its buttons) sits above them, never under them.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Icon } from './Icon.js';

export interface Notice {
  id: number;
  kind: 'success' | 'error';
  text: string;
}

const SUCCESS_MS = 6000;

export function useNotices() {
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());
  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const t of pending) clearTimeout(t);
    };
  }, []);
  const dismiss = useCallback((id: number) => setNotices((n) => n.filter((x) => x.id !== id)), []);
  const push = useCallback(
    (notice: Omit<Notice, 'id'>) => {
      const id = nextId.current++;
      setNotices((n) => [...n.slice(-4), { ...notice, id }]);
      if (notice.kind === 'success') {
        const timer = setTimeout(() => {
          timers.current.delete(timer);
          dismiss(id);
        }, SUCCESS_MS);
        timers.current.add(timer);
      }
    },
    [dismiss],
  );
  return { notices, push, dismiss };
}

export function Notices({ notices, onDismiss }: { notices: Notice[]; onDismiss: (id: number) => void }) {
  const list = (kind: Notice['kind']) =>
    notices
      .filter((n) => n.kind === kind)
      .map((n) => (
        <div key={n.id} className={`toast toast-${n.kind}`}>
          <Icon name={kind === 'error' ? 'warning' : 'check'} size={16} />
          <span>{n.text}</span>
          <button
            type="button"
            className="icon-button toast-close"
            aria-label="Dismiss"
            onClick={() => onDismiss(n.id)}
          >
            <Icon name="close" size={14} />
          </button>
        </div>
      ));
  const toasts = useRef<HTMLDivElement>(null);
  const room = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const floating = toasts.current;
    const spacer = room.current;
    if (floating === null || spacer === null) return;
    const keepRoom = () => {
      const height = floating.offsetHeight;
      // The notices' height, their distance from the window's bottom and a gap above them.
      const needed = height === 0 ? 0 : height + TOASTS_BOTTOM + TOASTS_GAP;
      if (spacer.offsetHeight === needed) return;
      const scroller = scrollParent(spacer);
      const atEnd =
        scroller !== null && scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 2;
      spacer.style.height = `${needed}px`;
      // A reader at the end of the page stays there, the last item above the notices that just came.
      if (atEnd && needed > 0) scroller.scrollTop = scroller.scrollHeight;
    };
    keepRoom();
    const observer = new ResizeObserver(keepRoom);
    observer.observe(floating);
    return () => observer.disconnect();
  }, []);
  return (
    <>
      <div ref={room} className="toasts-room" aria-hidden="true" />
      <div ref={toasts} className="toasts">
        <div role="status" aria-live="polite">
          {list('success')}
        </div>
        <div role="alert" aria-live="assertive">
          {list('error')}
        </div>
      </div>
    </>
  );
}

/** .toasts' `bottom` and the room kept between the notices and what ends the page (px). */
const TOASTS_BOTTOM = 16;
const TOASTS_GAP = 8;

/** The nearest ancestor that scrolls vertically (the app's main area), if any. */
function scrollParent(element: HTMLElement): HTMLElement | null {
  for (let at = element.parentElement; at !== null; at = at.parentElement) {
    const overflow = getComputedStyle(at).overflowY;
    if (overflow === 'auto' || overflow === 'scroll') return at;
  }
  return document.scrollingElement instanceof HTMLElement ? document.scrollingElement : null;
}
