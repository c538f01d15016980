// The WebhookPoster over fetch (undici, built into Node): redirects are not followed (a 3xx is a
// failed attempt: the endpoint should be registered at its final URL), the body of the answer is
// discarded, and the duration is measured on the monotonic timer.
import { performance } from 'node:perf_hooks';
import type { WebhookPoster, WebhookRequest, WebhookResponse } from './poster.js';

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error) return `${error.message}: ${cause.message}`;
    return error.message;
  }
  return String(error);
}

export class HttpWebhookPoster implements WebhookPoster {
  async post(request: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    try {
      const response = await fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(request.timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      return {
        statusCode: response.status,
        error: response.status >= 200 && response.status < 300 ? null : `HTTP ${response.status}`,
        durationMs: performance.now() - started,
      };
    } catch (error) {
      return { statusCode: null, error: describe(error), durationMs: performance.now() - started };
    }
  }
}
