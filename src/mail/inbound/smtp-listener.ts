// The inbound SMTP listener (`stepwise inbound --port`): accepts mail for any recipient, refuses
// messages over the size cap (552), and hands each message to `onMessage` (handleInboundEmail).
// A failure while handling answers 451, so the sending server retries later.
import { SMTPServer } from 'smtp-server';

export interface InboundListenerOptions {
  port: number;
  host: string;
  maxBytes: number;
  onMessage(raw: Buffer): Promise<void>;
  onError?: (error: unknown) => void;
}

export interface InboundListener {
  /** The port it listens on (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

export async function startInboundListener(options: InboundListenerOptions): Promise<InboundListener> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: options.maxBytes,
    banner: 'Stepwise inbound',
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= options.maxBytes) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded || size > options.maxBytes) {
          callback(Object.assign(new Error('Message exceeds the size limit'), { responseCode: 552 }));
          return;
        }
        options.onMessage(Buffer.concat(chunks)).then(
          () => callback(),
          (error: unknown) => {
            options.onError?.(error);
            callback(Object.assign(new Error('Temporary failure, try again later'), { responseCode: 451 }));
          },
        );
      });
    },
  });
  server.on('error', (error) => options.onError?.(error));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
