// The port through which deliveries leave: one HTTP POST, bounded by a timeout. The engine decides
// what to send and what an answer means; the implementation (http-poster.ts) only moves bytes.

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/** The receiver's status code, or null with an error when no answer came (refused, timeout, TLS…). */
export interface WebhookResponse {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface WebhookPoster {
  post(request: WebhookRequest): Promise<WebhookResponse>;
}
