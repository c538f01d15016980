// The WebhookPoster over node:http(s): redirects are not followed (a 3xx is a failed attempt: the endpoint
// should be registered at its final URL, and a redirect to an internal address is never taken), the body
// of the answer is discarded, and the duration is measured on the monotonic timer. The host is resolved
// and checked by the outbound policy (../outbound-hosts.ts) as the connection is made, and the connection
// goes to the addresses checked; TLS keeps the name for SNI and the certificate check.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { OutboundHostError, OutboundPolicy } from '../outbound-hosts.js';
import type { WebhookPoster, WebhookRequest, WebhookResponse } from './poster.js';

function describe(error: unknown): string {
  if (error instanceof OutboundHostError) return error.recorded;
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    return error.message;
  }
  return String(error);
}

export class HttpWebhookPoster implements WebhookPoster {
  readonly #outbound: OutboundPolicy;

  constructor(outbound: OutboundPolicy = new OutboundPolicy()) {
    this.#outbound = outbound;
  }

  async post(request: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    const finished = (statusCode: number | null, error: string | null): WebhookResponse => ({
      statusCode,
      error,
      durationMs: performance.now() - started,
    });
    try {
      const url = new URL(request.url);
      const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
      // A literal address is never looked up by the socket: it is checked here (a name, in #lookup).
      if (this.#outbound.checks && isIP(hostname) !== 0) await this.#outbound.connectable(hostname);
      const statusCode = await this.#send(url, hostname, request);
      return finished(statusCode, statusCode >= 200 && statusCode < 300 ? null : `HTTP ${statusCode}`);
    } catch (error) {
      return finished(null, describe(error));
    }
  }

  #send(url: URL, hostname: string, request: WebhookRequest): Promise<number> {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const body = Buffer.from(request.body);
    return new Promise((resolve, reject) => {
      const outgoing = send(
        {
          protocol: url.protocol,
          hostname,
          port: url.port === '' ? undefined : Number(url.port),
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          headers: { ...request.headers, 'content-length': String(body.length) },
          ...(url.username === '' && url.password === ''
            ? {}
            : { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` }),
          // One connection per delivery, resolved and checked for it: none is kept for the next.
          agent: false,
          lookup: this.#lookup(),
          signal: AbortSignal.timeout(request.timeoutMs),
        },
        (response) => {
          response.resume();
          response.on('error', () => undefined);
          resolve(response.statusCode ?? 0);
          outgoing.destroy();
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  /** The socket's name lookup: the policy's checked addresses (all of them when the socket asks for all). */
  #lookup(): LookupFunction | undefined {
    if (!this.#outbound.checks) return undefined;
    return (hostname, options, callback) => {
      this.#outbound.connectable(hostname).then(
        (addresses) => {
          const family = options.family === 4 || options.family === 6 ? options.family : 0;
          const usable = addresses.filter((a) => family === 0 || a.family === family);
          if (options.all) callback(null, usable);
          else {
            const [first] = usable;
            if (first === undefined)
              callback(
                Object.assign(new Error(`no IPv${family} address for ${hostname}`), { code: 'ENOTFOUND' }),
                '',
                4,
              );
            else callback(null, first.address, first.family);
          }
        },
        (error: NodeJS.ErrnoException) => callback(error, '', 4),
      );
    };
  }
}
