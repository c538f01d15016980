// A real SMTP server on 127.0.0.1 (smtp-server) that stalls as the test says, for the limits on waiting
// for one: `greeting`, it accepts the connection and never says a word; `data`, it takes the message and
// never answers it; `accept`, it works. `recover()` makes it work again, greeting the connections it held
// at the door (a server that was only slow); a message it held stays unanswered.
import { SMTPServer } from 'smtp-server';

export type StallMode = 'greeting' | 'data' | 'accept';

export interface StallingSmtp {
  port: number;
  mode: StallMode;
  /** Connections accepted (held at the door or not). */
  readonly connections: number;
  /** Every message received (answered or not), in order. */
  readonly received: Buffer[];
  /** The messages it accepted. */
  readonly accepted: Buffer[];
  /** Works from now on; the connections held without a greeting are greeted. */
  recover(): void;
  close(): Promise<void>;
}

export async function startStallingSmtp(mode: StallMode): Promise<StallingSmtp> {
  const received: Buffer[] = [];
  const accepted: Buffer[] = [];
  const held: (() => void)[] = [];
  let connections = 0;
  const state = { mode };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 100,
    // Its own idle timeout must not end a stall before the client's limits do.
    socketTimeout: 10 * 60_000,
    onConnect(_session, callback) {
      connections++;
      if (state.mode === 'greeting') held.push(() => callback());
      else callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        received.push(raw);
        if (state.mode === 'data') return; // the message is in, the answer never comes
        accepted.push(raw);
        callback(null, `2.0.0 Ok: queued as Q${received.length}`);
      });
    },
  });
  // A client that hangs up on a stalled session (its limits) is what this server is for, not an error.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    get mode() {
      return state.mode;
    },
    set mode(next: StallMode) {
      state.mode = next;
    },
    get connections() {
      return connections;
    },
    received,
    accepted,
    recover() {
      state.mode = 'accept';
      for (const greet of held.splice(0)) {
        try {
          greet();
        } catch {
          // The client gave up on that connection already.
        }
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        held.splice(0);
        server.close(() => resolve());
        // Stalled sessions would keep close() waiting.
        for (const connection of (server as unknown as { connections: Set<{ close(): void }> }).connections ??
          [])
          connection.close();
      }),
  };
}
