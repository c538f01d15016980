// A dialog's submit: busy while the action runs, the error in words when it fails, closed when it worked.
import { useState } from 'react';

export function useSubmit(onClose: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      setBusy(false);
      onClose();
    } catch (caught) {
      setBusy(false);
      setError(caught);
    }
  };
  return { busy, error, run, reset: () => setError(null) };
}
