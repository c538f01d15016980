// A small IMAP4rev1 server on 127.0.0.1 (node:net) for the IMAP poller's tests: no npm IMAP server is
// installed. It implements what imapflow uses for polling and nothing more — CAPABILITY, LOGIN,
// LIST, SELECT/EXAMINE (UIDVALIDITY, UIDNEXT), UID SEARCH (ALL, SEEN, UNSEEN, UID set), UID FETCH
// (UID, FLAGS, RFC822.SIZE, BODY[]/BODY.PEEK[]), UID STORE ±FLAGS[.SILENT], NOOP, LOGOUT — following
// RFC 3501's syntax (tagged answers, literals both ways, `n:*` ranges). Anything else answers BAD.
import { createServer, type Socket } from 'node:net';

interface StoredMessage {
  uid: number;
  flags: Set<string>;
  raw: Buffer;
}

interface Box {
  uidValidity: number;
  uidNext: number;
  messages: StoredMessage[];
}

export interface ImapTestServer {
  port: number;
  /** Puts a message in a mailbox (INBOX by default); returns its UID. */
  deliver(raw: Buffer | string, options?: { mailbox?: string; flags?: string[] }): number;
  /** The mailbox's messages with their flags. */
  messages(mailbox?: string): { uid: number; flags: string[] }[];
  /** A new UIDVALIDITY: every message gets a new UID (as after a server-side rebuild). */
  renumber(mailbox?: string): void;
  /** Cuts every open connection (a network drop or a server restart). */
  dropConnections(): void;
  /** Refuses new connections' log-ins (NO) until called with false. */
  refuseLogins(refuse: boolean): void;
  /** Every command received, `TAG COMMAND args`, in order (passwords masked). */
  commands: string[];
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

type Token = string | Token[];

/** Splits IMAP arguments: atoms (with `[…]` sections), quoted strings, literals (already inlined), lists. */
function tokenize(input: string): Token[] {
  let i = 0;
  const list = (close: string | null): Token[] => {
    const out: Token[] = [];
    while (i < input.length) {
      const c = input[i] as string;
      if (c === ' ') {
        i++;
      } else if (close !== null && c === close) {
        i++;
        return out;
      } else if (c === '(') {
        i++;
        out.push(list(')'));
      } else if (c === '"') {
        let value = '';
        i++;
        while (i < input.length && input[i] !== '"') {
          if (input[i] === '\\') i++;
          value += input[i];
          i++;
        }
        i++;
        out.push(value);
      } else {
        let value = '';
        let depth = 0;
        while (i < input.length) {
          const d = input[i] as string;
          if (depth === 0 && (d === ' ' || d === ')' || d === '(')) break;
          if (d === '[') depth++;
          if (d === ']') depth--;
          value += d;
          i++;
        }
        out.push(value);
      }
    }
    return out;
  };
  return list(null);
}

/** `1:3,7,9:*` → the UIDs of `uids` it names (`*` is the highest; `n:*` with n above it names the highest). */
function inSet(set: string, uids: readonly number[]): number[] {
  const max = uids.length === 0 ? 0 : Math.max(...uids);
  const wanted = new Set<number>();
  for (const part of set.split(',')) {
    const [a = '', b] = part.split(':');
    const from = a === '*' ? max : Number(a);
    const to = b === undefined ? from : b === '*' ? max : Number(b);
    const [lo, hi] = from <= to ? [from, to] : [to, from];
    for (const uid of uids) if (uid >= lo && uid <= hi) wanted.add(uid);
  }
  return uids.filter((uid) => wanted.has(uid));
}

const quote = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export async function startImapTestServer(
  options: { users?: Record<string, string> } = {},
): Promise<ImapTestServer> {
  const users = options.users ?? { poller: 'secret' };
  const boxes = new Map<string, Box>();
  const boxOf = (name: string) => {
    const key = name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
    let box = boxes.get(key);
    if (box === undefined) {
      box = { uidValidity: 1_700_000_000, uidNext: 1, messages: [] };
      boxes.set(key, box);
    }
    return box;
  };
  boxOf('INBOX');
  const commands: string[] = [];
  const sockets = new Set<Socket>();
  let accepted = 0;
  let refusing = false;

  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffer = Buffer.alloc(0);
    let line = '';
    let literal = 0;
    let user: string | null = null;
    let selected: { name: string; box: Box; readOnly: boolean; known: number } | null = null;
    const send = (text: string | Buffer) => {
      if (!socket.destroyed) socket.write(text);
    };
    send('* OK [CAPABILITY IMAP4rev1] Stepwise IMAP test server ready\r\n');

    const flagsOf = (m: StoredMessage) => `(${[...m.flags].join(' ')})`;
    const seqOf = (box: Box, m: StoredMessage) => box.messages.indexOf(m) + 1;
    /** Untagged EXISTS for messages that arrived since the client last heard. */
    const announce = () => {
      if (selected !== null && selected.box.messages.length !== selected.known) {
        selected.known = selected.box.messages.length;
        send(`* ${selected.known} EXISTS\r\n`);
      }
    };

    const run = (tag: string, command: string, args: Token[]) => {
      const ok = (text: string) => send(`${tag} OK ${text}\r\n`);
      const no = (text: string) => send(`${tag} NO ${text}\r\n`);
      const bad = (text: string) => send(`${tag} BAD ${text}\r\n`);
      switch (command) {
        case 'CAPABILITY':
          send('* CAPABILITY IMAP4rev1\r\n');
          return ok('CAPABILITY completed');
        case 'NOOP':
          announce();
          return ok('NOOP completed');
        case 'LOGOUT':
          send('* BYE logging out\r\n');
          ok('LOGOUT completed');
          socket.end();
          return;
        case 'LOGIN': {
          const [name, password] = args;
          if (typeof name !== 'string' || typeof password !== 'string')
            return bad('LOGIN needs a user and a password');
          if (refusing || users[name] !== password) return no('[AUTHENTICATIONFAILED] Invalid credentials');
          user = name;
          return ok('[CAPABILITY IMAP4rev1] LOGIN completed');
        }
      }
      if (user === null) return bad('Log in first');
      switch (command) {
        case 'LIST': {
          const [, pattern] = args;
          if (pattern === '') send('* LIST (\\Noselect) "/" ""\r\n');
          else
            for (const name of boxes.keys())
              if (pattern === '*' || String(pattern).toUpperCase() === name.toUpperCase())
                send(`* LIST () "/" ${quote(name)}\r\n`);
          return ok('LIST completed');
        }
        case 'SELECT':
        case 'EXAMINE': {
          const name = args[0];
          if (typeof name !== 'string' || !boxes.has(name.toUpperCase() === 'INBOX' ? 'INBOX' : name))
            return no('[NONEXISTENT] No such mailbox');
          const box = boxOf(name);
          selected = { name, box, readOnly: command === 'EXAMINE', known: box.messages.length };
          const unseen = box.messages.findIndex((m) => !m.flags.has('\\Seen'));
          send('* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n');
          send('* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)] Flags permitted\r\n');
          send(`* ${box.messages.length} EXISTS\r\n* 0 RECENT\r\n`);
          if (unseen >= 0) send(`* OK [UNSEEN ${unseen + 1}] First unseen\r\n`);
          send(
            `* OK [UIDVALIDITY ${box.uidValidity}] UIDs valid\r\n* OK [UIDNEXT ${box.uidNext}] Predicted next UID\r\n`,
          );
          return ok(`[${selected.readOnly ? 'READ-ONLY' : 'READ-WRITE'}] ${command} completed`);
        }
        case 'UID':
          break;
        default:
          return bad(`${command} is not supported by this test server`);
      }
      if (selected === null) return bad('Select a mailbox first');
      const { box } = selected;
      const [sub = '', ...rest] = args;
      const uids = box.messages.map((m) => m.uid);
      switch (String(sub).toUpperCase()) {
        case 'SEARCH': {
          let found = uids;
          for (let k = 0; k < rest.length; k++) {
            const key = String(rest[k]).toUpperCase();
            if (key === 'ALL') continue;
            if (key === 'CHARSET') {
              k++;
              continue;
            }
            if (key === 'SEEN' || key === 'UNSEEN') {
              const wantSeen = key === 'SEEN';
              found = found.filter(
                (uid) => box.messages.find((m) => m.uid === uid)?.flags.has('\\Seen') === wantSeen,
              );
            } else if (key === 'UID') {
              const allowed = new Set(inSet(String(rest[++k]), uids));
              found = found.filter((uid) => allowed.has(uid));
            } else return bad(`SEARCH ${key} is not supported by this test server`);
          }
          announce();
          send(`* SEARCH${found.map((uid) => ` ${uid}`).join('')}\r\n`);
          return ok('UID SEARCH completed');
        }
        case 'FETCH': {
          const [set, items] = rest;
          const wanted = (Array.isArray(items) ? items : [items]).map((item) => String(item).toUpperCase());
          for (const uid of inSet(String(set), uids)) {
            const m = box.messages.find((x) => x.uid === uid) as StoredMessage;
            const parts: (string | Buffer)[] = [`UID ${uid}`];
            const body =
              wanted.includes('BODY[]') || wanted.includes('BODY.PEEK[]') || wanted.includes('RFC822');
            if (wanted.includes('BODY[]') && !selected.readOnly) m.flags.add('\\Seen');
            if (wanted.includes('FLAGS') || wanted.includes('BODY[]')) parts.push(`FLAGS ${flagsOf(m)}`);
            if (wanted.includes('RFC822.SIZE')) parts.push(`RFC822.SIZE ${m.raw.length}`);
            if (body) parts.push(`BODY[] {${m.raw.length}}\r\n`, m.raw);
            send(`* ${seqOf(box, m)} FETCH (`);
            parts.forEach((part, n) => {
              const previous = parts[n - 1];
              if (n > 0 && !(typeof previous === 'string' && previous.endsWith('\r\n'))) send(' ');
              send(part);
            });
            send(')\r\n');
          }
          return ok('UID FETCH completed');
        }
        case 'STORE': {
          if (selected.readOnly) return no('Mailbox is read-only');
          const [set, action, flagList] = rest;
          const flags = (Array.isArray(flagList) ? flagList : [flagList]).map(String);
          const mode = String(action).toUpperCase();
          for (const uid of inSet(String(set), uids)) {
            const m = box.messages.find((x) => x.uid === uid) as StoredMessage;
            if (mode.startsWith('+')) for (const flag of flags) m.flags.add(flag);
            else if (mode.startsWith('-')) for (const flag of flags) m.flags.delete(flag);
            else m.flags = new Set(flags);
            if (!mode.endsWith('.SILENT'))
              send(`* ${seqOf(box, m)} FETCH (UID ${uid} FLAGS ${flagsOf(m)})\r\n`);
          }
          return ok('UID STORE completed');
        }
        default:
          return bad(`UID ${String(sub)} is not supported by this test server`);
      }
    };

    const onLine = (text: string) => {
      const space = text.indexOf(' ');
      const tag = space < 0 ? text : text.slice(0, space);
      const tokens = tokenize(space < 0 ? '' : text.slice(space + 1));
      const command = String(tokens[0] ?? '').toUpperCase();
      const args = tokens.slice(1);
      commands.push(command === 'LOGIN' ? `${tag} LOGIN ${String(args[0])} ***` : text);
      try {
        run(tag, command, args);
      } catch (error) {
        send(`${tag} BAD ${String(error).replace(/\r?\n/g, ' ')}\r\n`);
      }
    };

    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (literal > 0) {
          if (buffer.length < literal) return;
          line += quote(buffer.subarray(0, literal).toString('utf8'));
          buffer = buffer.subarray(literal);
          literal = 0;
          continue;
        }
        const end = buffer.indexOf('\r\n');
        if (end < 0) return;
        const part = buffer.subarray(0, end).toString('utf8');
        buffer = buffer.subarray(end + 2);
        const match = /\{(\d+)(\+?)\}$/.exec(part);
        if (match !== null) {
          // A literal follows: `{n}` waits for our go-ahead, `{n+}` (LITERAL+) does not.
          line += part.slice(0, match.index);
          literal = Number(match[1]);
          if (match[2] !== '+') send('+ Ready for literal data\r\n');
          continue;
        }
        const text = line + part;
        line = '';
        onLine(text);
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  return {
    port,
    commands,
    connections: () => accepted,
    deliver(raw, options = {}) {
      const box = boxOf(options.mailbox ?? 'INBOX');
      const uid = box.uidNext++;
      box.messages.push({ uid, flags: new Set(options.flags ?? []), raw: Buffer.from(raw) });
      return uid;
    },
    messages: (mailbox = 'INBOX') =>
      boxOf(mailbox).messages.map((m) => ({ uid: m.uid, flags: [...m.flags] })),
    renumber(mailbox = 'INBOX') {
      const box = boxOf(mailbox);
      box.uidValidity++;
      box.uidNext = 1;
      for (const m of box.messages) m.uid = box.uidNext++;
    },
    dropConnections() {
      for (const socket of sockets) socket.destroy();
    },
    refuseLogins(refuse) {
      refusing = refuse;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
