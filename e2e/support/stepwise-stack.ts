// What the browser tests run against: a real `stepwise serve` child process (the built CLI) on a free port,
// a temporary SQLite file, the manual test clock, and a real SMTP listener on loopback in this process, so
// the automated emails really go somewhere the test can read them.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ParsedMail, simpleParser } from 'mailparser';
import { type SmtpSink, startSmtpSink } from '../../src/mail/test-support/smtp-sink.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface StackUser {
  id: string;
  email: string;
  name: string;
  password: string;
}

export interface StepwiseStack {
  baseUrl: string;
  admin: StackUser;
  api: ApiClient;
  /** The loopback port of the SMTP listener (STEPWISE_SMTP_URL's), for mailboxes the tests set up. */
  smtpPort: number;
  /** Every message the SMTP listener accepted, parsed. */
  mail(): Promise<ParsedMail[]>;
  /** Waits until `count` messages match, or fails naming what did arrive. */
  waitForMail(match: (mail: ParsedMail) => boolean, count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  stop(): Promise<void>;
}

/** A bearer-token client of the HTTP API for set-up and the test clock (the browser does the rest). */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | null = null,
  ) {}

  async as(email: string, password: string): Promise<ApiClient> {
    const { token } = await this.request<{ token: string }>('POST', '/api/auth/login', { email, password });
    return new ApiClient(this.baseUrl, token);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token !== null) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** A user of `role` (this client must be an administrator's), with a password made from the role. */
  async createUser(name: string, email: string, role: string): Promise<StackUser> {
    const password = `${role} password for the e2e run`;
    const created = await this.request<{ id: string }>('POST', '/api/users', { email, name, role, password });
    return { id: created.id, email, name, password };
  }

  /** Moves the test clock; the server answers once everything due by then has been processed. */
  moveClock(move: { advance: string } | { set: string }): Promise<{ now: string; processed: number }> {
    return this.request('POST', '/api/clock', move);
  }
}

export async function startStepwiseStack(options: {
  logFile: string;
  /** Extra environment for the server (e.g. `STEPWISE_MAX_ACTIVE_SEQUENCES`). */
  env?: Record<string, string>;
}): Promise<StepwiseStack> {
  const smtp = await startSmtpSink();
  const dataDir = mkdtempSync(join(tmpdir(), 'stepwise-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const admin: StackUser = {
    id: '',
    email: 'admin@stepwise.test',
    name: 'Administrator',
    password: 'e2e admin password, long enough',
  };
  const log = createWriteStream(options.logFile);
  const child = spawn(process.execPath, ['bin/stepwise.js', 'serve'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      PORT: String(port),
      HOST: '127.0.0.1',
      STEPWISE_PUBLIC_URL: baseUrl,
      DATABASE_URL: join(dataDir, 'stepwise.db'),
      STEPWISE_CLOCK: 'manual',
      STEPWISE_SECRET: 'e2e-secret-0123456789-0123456789-0123456789',
      STEPWISE_ADMIN_EMAIL: admin.email,
      STEPWISE_ADMIN_PASSWORD: admin.password,
      // No spacing between sends: three leads' emails go out in one pass.
      STEPWISE_SMTP_URL: `smtp://127.0.0.1:${smtp.port}?minSpacingMs=0`,
      LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const stop = async () => {
    await stopChild(child);
    log.end();
    await smtp.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(baseUrl, child, options.logFile);
    const api = await new ApiClient(baseUrl).as(admin.email, admin.password);
    admin.id = (await api.request<{ id: string }>('GET', '/api/users/me')).id;
    return {
      baseUrl,
      admin,
      api,
      smtpPort: smtp.port,
      mail: () => parseAll(smtp),
      waitForMail: (match, count, timeoutMs = 20_000) => waitForMail(smtp, match, count, timeoutMs),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(baseUrl: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`stepwise serve exited with code ${child.exitCode} before answering; see ${logFile}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`stepwise serve did not answer /healthz within 30 s; see ${logFile}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function parseAll(smtp: SmtpSink): Promise<ParsedMail[]> {
  return Promise.all(smtp.accepted.map((raw) => simpleParser(raw)));
}

async function waitForMail(
  smtp: SmtpSink,
  match: (mail: ParsedMail) => boolean,
  count: number,
  timeoutMs: number,
): Promise<ParsedMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await parseAll(smtp);
    const found = all.filter(match);
    if (found.length >= count) return found;
    if (Date.now() > deadline) {
      const seen =
        all.map((m) => `${addressesOf(m).join(', ')}: ${m.subject ?? ''}`).join('\n  ') || '(none)';
      throw new Error(
        `Expected ${count} matching emails over SMTP, got ${found.length}. Received:\n  ${seen}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function addressesOf(mail: ParsedMail): string[] {
  const to = mail.to === undefined ? [] : Array.isArray(mail.to) ? mail.to : [mail.to];
  return to.flatMap((group) => group.value.map((address) => address.address ?? ''));
}
