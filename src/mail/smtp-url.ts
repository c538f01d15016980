// STEPWISE_SMTP_URL as the installation's fallback account: `smtp://user:pass@host:port` or
// `smtps://…`; limits may ride along as query parameters (`?dailyCap=off&minSpacingMs=0`).
import type { MailboxAccount } from '../engine/ports/mailer.js';

export const ENV_MAILBOX_KEY = 'env';

export function accountFromSmtpUrl(url: string): MailboxAccount {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'smtps:';
  if (!secure && parsed.protocol !== 'smtp:')
    throw new Error('STEPWISE_SMTP_URL must start with smtp:// or smtps://');
  const capParam = parsed.searchParams.get('dailyCap');
  const spacingParam = parsed.searchParams.get('minSpacingMs');
  const dailyCap = capParam === null ? 400 : capParam === 'off' || capParam === '0' ? null : Number(capParam);
  const minSpacingMs = spacingParam === null ? 20_000 : Number(spacingParam);
  if (dailyCap !== null && !(Number.isInteger(dailyCap) && dailyCap > 0))
    throw new Error('dailyCap must be a positive whole number or off');
  if (!(Number.isInteger(minSpacingMs) && minSpacingMs >= 0))
    throw new Error('minSpacingMs must be a whole number ≥ 0');
  return {
    key: ENV_MAILBOX_KEY,
    host: parsed.hostname,
    port: parsed.port === '' ? (secure ? 465 : 587) : Number(parsed.port),
    secure,
    username: parsed.username === '' ? null : decodeURIComponent(parsed.username),
    password: parsed.password === '' ? null : { plain: decodeURIComponent(parsed.password) },
    fromAddress: null,
    fromName: null,
    dailyCap,
    minSpacingMs,
    version: 0,
  };
}
