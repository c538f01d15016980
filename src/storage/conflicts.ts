// Constraint names (the same in both dialects' migrations) mapped to the stable reasons callers see.
import type { ConflictReason } from '../engine/ports/store.js';

const UNIQUE_REASONS: Readonly<Record<string, ConflictReason>> = {
  users_email_key: 'email_taken',
  api_tokens_token_hash_key: 'token_taken',
  records_external_id_key: 'external_id_taken',
  email_templates_builtin_key_key: 'builtin_key_taken',
  enrollments_one_running_key: 'already_enrolled',
  sequence_versions_pkey: 'version_exists',
  outbox_idempotency_key_key: 'duplicate_effect',
  signals_dedupe_key_key: 'duplicate_signal',
};

export function uniqueViolationReason(constraint: string | null): ConflictReason {
  if (constraint === null) return 'conflict';
  return UNIQUE_REASONS[constraint] ?? (constraint.endsWith('_pkey') ? 'duplicate_id' : 'conflict');
}
