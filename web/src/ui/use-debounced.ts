// A search box's text as a list should query it: trimmed, and only once the user has paused typing.
import { useEffect, useState } from 'react';

/** `text`, trimmed, `delayMs` after its last change (each keystroke restarts the wait). */
export function useDebounced(text: string, delayMs = 250): string {
  const [settled, setSettled] = useState(text.trim());
  useEffect(() => {
    const timer = setTimeout(() => setSettled(text.trim()), delayMs);
    return () => clearTimeout(timer);
  }, [text, delayMs]);
  return settled;
}
