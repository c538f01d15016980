// What a receiver gets: `{id, type, createdAt, data}` as JSON, built once when the event is fanned
// out and sent byte for byte on every attempt (the signature covers exactly these bytes).
import type { JsonObject, JsonValue } from '../ports/store.js';

/** Retries stop this long after the event (or after an administrator's re-send). */
export const RETRY_WINDOW_MS = 24 * 60 * 60_000;

const iso = (ms: number): string => new Date(ms).toISOString();

/** Times in `data` are epoch ms in the event log; receivers get ISO 8601 (`…At` keys). */
function withIsoTimes(data: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(data)) {
    out[key] = key.endsWith('At') && typeof value === 'number' ? iso(value) : (value as JsonValue);
  }
  return out;
}

export function eventId(seq: number): string {
  return `evt_${seq}`;
}

export function deliveryPayload(id: string, type: string, at: number, data: JsonObject): string {
  return JSON.stringify({ id, type, createdAt: iso(at), data: withIsoTimes(data) });
}
