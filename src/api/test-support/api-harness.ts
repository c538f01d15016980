// A real server on a real SQLite store in a temporary file, with one user per role (and a second
// salesperson) signed in by API token, for the API suites. Time is a manual clock.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { loadConfig } from '../../config.js';
import { ManualClock } from '../../engine/clock.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineDeps } from '../../engine/deps.js';
import { RandomIds } from '../../engine/ids.js';
import type { OutboundPolicy } from '../../engine/outbound-hosts.js';
import type { Role, User } from '../../engine/ports/store.js';
import { openStore } from '../../storage/open-store.js';
import { createApiToken } from '../auth/api-tokens.js';
import type { LoginLimits } from '../auth/login-limiter.js';
import { hashPassword } from '../auth/password.js';
import { type App, buildServer } from '../server.js';

export const PASSWORD = 'correct horse battery staple';

export type Who = Role | 'seller2';

/** A body for POST /api/mailboxes: the installation's default (`userId` null) or a user's own. */
export function mailboxBody(userId: string | null, name = 'Mailbox') {
  return {
    userId,
    name,
    host: 'smtp.example.com',
    port: 587,
    secure: false,
    username: null,
    password: null,
    fromAddress: 'sales@example.com',
  };
}
export const EVERY_WHO: readonly Who[] = [
  'admin',
  'sequence_manager',
  'sales_manager',
  'salesperson',
  'seller2',
];

export interface Harness {
  app: App;
  deps: EngineDeps;
  clock: ManualClock;
  users: Record<Who, User>;
  tokens: Record<Who, string>;
  /** A request with the bearer token of `who` (or none for `anonymous`). */
  as(who: Who | 'anonymous', options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startHarness(
  options: { env?: Record<string, string>; loginLimits?: LoginLimits; outbound?: OutboundPolicy } = {},
): Promise<Harness> {
  const databaseUrl = join(mkdtempSync(join(tmpdir(), 'stepwise-api-')), 'stepwise.db');
  const store = await openStore(databaseUrl);
  const clock = new ManualClock('2026-11-23T09:00:00Z');
  const deps: EngineDeps = { store, clock, ids: new RandomIds(clock), settings: DEFAULT_ENGINE_SETTINGS };
  const config = loadConfig({ DATABASE_URL: databaseUrl, ...options.env });
  const app = await buildServer({
    config,
    engine: deps,
    logger: pino({ level: 'silent' }),
    webRoot: join(tmpdir(), 'no-such-web-build'),
    ...(options.loginLimits === undefined ? {} : { loginLimits: options.loginLimits }),
    ...(options.outbound === undefined ? {} : { outbound: options.outbound }),
  });
  const passwordHash = await hashPassword(PASSWORD);
  const users = {} as Record<Who, User>;
  const tokens = {} as Record<Who, string>;
  for (const who of EVERY_WHO) {
    const role: Role = who === 'seller2' ? 'salesperson' : who;
    users[who] = await store.users.create({
      id: deps.ids.newId('usr'),
      email: `${who.replace('_', '.')}@example.com`,
      name: `The ${who.replace('_', ' ')}`,
      role,
      passwordHash,
      createdAt: clock.now(),
    });
    tokens[who] = (await createApiToken(deps, users[who].id, 'tests')).token;
  }
  return {
    app,
    deps,
    clock,
    users,
    tokens,
    as(who, request) {
      const headers = { ...(request.headers ?? {}) };
      if (who !== 'anonymous') headers.authorization = `Bearer ${tokens[who]}`;
      return app.inject({ ...request, headers });
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}
