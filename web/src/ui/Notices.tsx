// Short messages after an action: successes fade after a few seconds, errors stay until dismissed. The
// two live regions exist before anything is said, so screen readers announce what arrives.
import { useCallback, useEffect, useRef, useState } from 'react';
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
  return (
    <div className="toasts">
      <div role="status" aria-live="polite">
        {list('success')}
      </div>
      <div role="alert" aria-live="assertive">
        {list('error')}
      </div>
    </div>
  );
}
