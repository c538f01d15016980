// A real SMTP server on 127.0.0.1 (smtp-server) for mail tests: records every message it accepts and
// answers each DATA as the test's plan says (accept, a 4xx/5xx answer, or no answer at all).
import { SMTPServer } from 'smtp-server';

export type SinkAnswer = 'accept' | 'hang' | { code: number; message: string };

export interface SmtpSink {
  port: number;
  /** Raw messages the server accepted, in order. */
  accepted: Buffer[];
  /** Every DATA received (accepted or not). */
  received: Buffer[];
  close(): Promise<void>;
}

export async function startSmtpSink(
  plan: (attempt: number) => SinkAnswer = () => 'accept',
  /** Awaited once the message is in, before the answer: a test acts while the sender waits for it. */
  beforeAnswer?: (attempt: number) => Promise<void>,
): Promise<SmtpSink> {
  const accepted: Buffer[] = [];
  const received: Buffer[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 100,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'test' });
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        received.push(raw);
        const attempt = received.length;
        await beforeAnswer?.(attempt);
        const answer = plan(attempt);
        if (answer === 'hang') return; // the message is in, the answer never comes
        if (answer === 'accept') {
          accepted.push(raw);
          callback(null, `2.0.0 Ok: queued as Q${attempt}`);
          return;
        }
        callback(Object.assign(new Error(answer.message), { responseCode: answer.code }));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    accepted,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hung sessions would keep close() waiting.
        for (const connection of (server as unknown as { connections: Set<{ close(): void }> }).connections ??
          [])
          connection.close();
      }),
  };
}
