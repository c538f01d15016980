// The suppression list (issue 4: "an address that unsubscribed or hard-bounced is never emailed
// again"). Signals add to it (signals.ts); the mail sender asks it before each send and, for a
// suppressed address, delivers `email_suppressed` so the step is skipped with reason `suppressed`.
import type { EngineDeps } from './deps.js';
import { BadRequestError } from './errors.js';
import {
  type Page,
  type PageOptions,
  SUPPRESSION_REASONS,
  type Suppression,
  type SuppressionReason,
} from './ports/store.js';

/** Addresses compare case-insensitively: the list keeps them trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function checkedEmail(email: string): string {
  const normalized = normalizeEmail(email);
  if (normalized.length > 320 || !/^[^\s@]+@[^\s@]+$/.test(normalized)) {
    throw new BadRequestError('Not an email address.', [
      { code: 'invalid_email', path: '/email', message: `"${email}" is not an email address.` },
    ]);
  }
  return normalized;
}

export async function isSuppressed(deps: EngineDeps, email: string): Promise<boolean> {
  return (await deps.store.suppressions.getMany([normalizeEmail(email)])).length > 0;
}

/** Why and since when this address is not emailed, or null: one lookup on the suppressions pkey (a record page's marker). */
export async function emailSuppression(deps: EngineDeps, email: string): Promise<Suppression | null> {
  const [entry] = await deps.store.suppressions.getMany([normalizeEmail(email)]);
  return entry ?? null;
}

/** The suppressed ones among these addresses (lower-cased), for a sender's batch. */
export async function suppressedAmong(deps: EngineDeps, emails: readonly string[]): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const rows = await deps.store.suppressions.getMany([...new Set(emails.map(normalizeEmail))]);
  return new Set(rows.map((row) => row.email));
}

/**
 * Adds an address (the first reason stays). Returns the entry as stored and whether this call added it.
 * @throws BadRequestError `invalid_email`, `invalid_reason`.
 */
export async function suppress(
  deps: EngineDeps,
  input: { email: string; reason: SuppressionReason; source?: string | null | undefined },
): Promise<{ suppression: Suppression; added: boolean }> {
  const email = checkedEmail(input.email);
  if (!SUPPRESSION_REASONS.includes(input.reason)) {
    throw new BadRequestError('Not a suppression reason.', [
      { code: 'invalid_reason', path: '/reason', message: `One of ${SUPPRESSION_REASONS.join(', ')}.` },
    ]);
  }
  const entry: Suppression = {
    email,
    reason: input.reason,
    at: deps.clock.now(),
    source: input.source ?? null,
  };
  const added = (await deps.store.suppressions.addMany([entry])).length > 0;
  const [stored] = await deps.store.suppressions.getMany([email]);
  return { suppression: stored ?? entry, added };
}

/** Ordered by address; `nextCursor` pages on. */
export function listSuppressions(deps: EngineDeps, options: PageOptions = {}): Promise<Page<Suppression>> {
  return deps.store.suppressions.list(options);
}

/** Takes an address off the list (an administrator's correction); false when it was not listed. */
export function unsuppress(deps: EngineDeps, email: string): Promise<boolean> {
  return deps.store.suppressions.remove(normalizeEmail(email));
}
