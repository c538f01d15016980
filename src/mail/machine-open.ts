// Opens that are most likely a machine fetching the pixel, not a person reading.

/**
 * Security gateways (Microsoft Defender Safe Links, Mimecast, Proofpoint, Barracuda) fetch every
 * image of an incoming message while scanning it, typically within a few seconds of delivery. A
 * person rarely opens a message that fast. Apple Mail Privacy Protection also prefetches, but minutes
 * to hours later, so no time window can catch it; this flag is for the scanners only.
 */
export const MACHINE_OPEN_WINDOW_MS = 10_000;

/** Both times in epoch milliseconds from our clock. An open before the send can only be an artefact. */
export function isLikelyMachineOpen(sentAt: number, openedAt: number): boolean {
  return openedAt - sentAt < MACHINE_OPEN_WINDOW_MS;
}
