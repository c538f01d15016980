// "Now" as the server sees it. Under the test clock (STEPWISE_CLOCK=manual) the server's time is not the
// browser's, and Overdue/Today, relative due times and snooze presets must follow the server's; on a
// real server /api/clock does not exist and the browser's clock is the time.
import { useEffect, useState } from 'react';
import type { Api } from '../api/endpoints.js';

/** The offset between the server's clock and the browser's: 0 unless the server runs a manual clock. */
export async function serverClockOffset(api: Api, browserNow: () => number): Promise<number> {
  try {
    const { now } = await api.clock.get();
    const at = Date.parse(now);
    return Number.isFinite(at) ? at - browserNow() : 0;
  } catch {
    return 0;
  }
}

/**
 * The server's time, re-read from the browser's clock every `everyMs` (so "due in 5 minutes" moves on)
 * and whenever `refresh` changes (a reload after the test clock moved).
 */
export function useServerNow(
  api: Api,
  refresh: unknown = 0,
  everyMs = 30_000,
): { now: number; ready: boolean } {
  const [offset, setOffset] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  // biome-ignore lint/correctness/useExhaustiveDependencies: refresh re-reads the server clock on demand
  useEffect(() => {
    let live = true;
    serverClockOffset(api, () => Date.now()).then((o) => {
      if (!live) return;
      setOffset(o);
      setNow(Date.now() + o);
    });
    return () => {
      live = false;
    };
  }, [api, refresh]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() + (offset ?? 0)), everyMs);
    return () => clearInterval(timer);
  }, [offset, everyMs]);
  return { now, ready: offset !== null };
}
