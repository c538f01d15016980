// First start of `stepwise serve` on a database without users: the administrator from the environment,
// or a one-time set-up link (api.md "Authentication and set-up").
import type { Logger } from 'pino';
import { issueSetupToken, setupPath } from '../api/auth/setup-token.js';
import type { Config } from '../config.js';
import type { EngineDeps } from '../engine/deps.js';
import { addUser } from './commands/users.js';

/** True when there is still no user afterwards: then the set-up link is printed once the server listens. */
export async function ensureAdministrator(deps: EngineDeps, config: Config, log: Logger): Promise<boolean> {
  if ((await deps.store.users.count()) > 0) {
    // Still set on a later start (a compose file keeps them): say they did nothing, so that a password
    // changed there is not taken for the administrator's new one.
    if (config.adminEmail !== null)
      log.info(
        'STEPWISE_ADMIN_EMAIL and STEPWISE_ADMIN_PASSWORD are read only while there are no users: ' +
          'they changed nothing (a password is changed in Your account)',
      );
    return false;
  }
  if (config.adminEmail !== null && config.adminPassword !== null) {
    const admin = await addUser(deps, {
      email: config.adminEmail,
      name: 'Administrator',
      role: 'admin',
      password: config.adminPassword,
    });
    log.info({ userId: admin.id }, 'created the first administrator from STEPWISE_ADMIN_EMAIL');
    return false;
  }
  return true;
}

/**
 * Issues a fresh set-up token (the one printed at an earlier start stops working) and logs its link.
 * The link is a secret, logged on purpose: it is how the operator reaches the first sign-in.
 * `baseUrl` is the public URL (STEPWISE_PUBLIC_URL, or http://localhost:PORT).
 */
export async function printSetupLink(deps: EngineDeps, baseUrl: string, log: Logger): Promise<string> {
  const { token, expiresAt } = await issueSetupToken(deps);
  const link = `${baseUrl}${setupPath(token)}`;
  log.warn(
    { expiresAt: new Date(expiresAt).toISOString() },
    `no users yet: open ${link} to create the administrator (valid 24 hours, until the next start, ` +
      'used once); or set STEPWISE_ADMIN_EMAIL and STEPWISE_ADMIN_PASSWORD, or run ' +
      '`npx stepwise users add --email you@example.com --name "Your Name" --role admin`',
  );
  return link;
}

/**
 * The base of links printed at start: the public URL, except that with PORT=0 and no STEPWISE_PUBLIC_URL
 * (tests) the default `http://localhost:0` is no address, so the one the server listens on is used.
 */
export function linkBase(config: Config, listeningUrl: string): string {
  return config.port === 0 && config.publicUrl === 'http://localhost:0' ? listeningUrl : config.publicUrl;
}
