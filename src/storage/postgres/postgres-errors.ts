// PostgreSQL errors (SQLSTATE) to StoreErrors. PostgreSQL names the violated constraint, which is the
// index name the migrations gave.
import { StoreConflictError, StoreError } from '../../engine/ports/store.js';
import { uniqueViolationReason } from '../conflicts.js';
import type { ErrorMapper } from '../error-mapping-driver.js';

interface PostgresFailure {
  code: string;
  constraint?: string;
}

function isPostgresFailure(error: unknown): error is PostgresFailure {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

export const postgresErrorMapper: ErrorMapper = (error) => {
  if (error instanceof StoreError) return error;
  if (isPostgresFailure(error)) {
    const constraint = error.constraint ?? null;
    switch (error.code) {
      case '23505': // unique_violation
        return new StoreConflictError(uniqueViolationReason(constraint), constraint, { cause: error });
      case '23503': // foreign_key_violation
        return new StoreConflictError('missing_reference', constraint, { cause: error });
      case '40001': // serialization_failure
      case '40P01': // deadlock_detected
      case '55P03': // lock_not_available
        return new StoreError('busy', 'The database is busy.', { cause: error });
    }
  }
  return new StoreError('store_failure', 'The database failed.', { cause: error });
};
