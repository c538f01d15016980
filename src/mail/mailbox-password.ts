// Stored SMTP passwords, and mailboxes' IMAP URLs (which carry one): AES-256-GCM under a key derived
// (HKDF-SHA-256) from STEPWISE_SECRET or the secret kept in the database. The derivation's label keeps this
// key apart from the token MACs.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const INFO = 'stepwise.smtp-password.v1';

function keyOf(secret: string): Buffer {
  if (secret.length < 16) throw new Error('the secret must have at least 16 characters');
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), INFO, 32));
}

/** `v1.{iv}.{tag}.{ciphertext}`, base64url parts. */
export function encryptMailboxPassword(secret: string, password: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), iv);
  const ciphertext = Buffer.concat([cipher.update(password, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** @throws Error when the text was not made with this secret or was altered. */
export function decryptMailboxPassword(secret: string, stored: string): string {
  const [version, iv, tag, ciphertext] = stored.split('.');
  if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined) {
    throw new Error('not an encrypted mailbox password');
  }
  const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
    'utf8',
  );
}
