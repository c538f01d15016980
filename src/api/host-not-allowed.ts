// The save-time half of the outbound rules (engine/outbound-hosts.ts): a webhook URL or a mailbox host the
// server would refuse to connect to is refused when it is saved, with a 422 naming the field. A name that
// does not resolve now is saved (DNS may be down): every connection checks it again.
import type { OutboundPolicy } from '../engine/outbound-hosts.js';
import { ProblemError } from './problem.js';

/** @throws ProblemError 422 `host_not_allowed` at `path` when `host` is refused. */
export async function checkHostAllowed(outbound: OutboundPolicy, host: string, path: string): Promise<void> {
  const why = await outbound.refusalAtSave(host);
  if (why === null) return;
  // The reason is the detail too: forms show the detail.
  throw new ProblemError(422, 'host_not_allowed', `The server does not connect there: ${why}.`, [
    { code: 'host_not_allowed', path, message: why },
  ]);
}

/** The host of an http(s) URL, for `checkHostAllowed`; null when the URL is not one (its own check says so). */
export function hostOfUrl(url: string): string | null {
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.hostname : null;
  } catch {
    return null;
  }
}
