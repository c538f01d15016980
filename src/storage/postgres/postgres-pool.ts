// The pg Pool for one store. Type parsers are set on this pool only (never on pg's global registry):
// BIGINT and COUNT(*) come back as JS numbers (epoch ms fit easily), and json/jsonb come back as text
// so that the repositories parse JSON the same way on both dialects.
import pg from 'pg';

const INT8 = 20;
const JSON_OID = 114;
const JSONB = 3802;

const asText = (value: string) => value;
const asNumber = (value: string) => Number(value);

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8) return asNumber;
    if (oid === JSON_OID || oid === JSONB) return asText;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** How long to wait for a connection from the server. */
const CONNECT_TIMEOUT_MS = 15_000;

export interface PostgresPoolOptions {
  /** Schema to work in (tests use one per test); it must match [a-z_][a-z0-9_]*. */
  schema: string | null;
  maxConnections: number;
}

export function createPool(url: string, options: PostgresPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections,
    // A server that takes the connection and never answers (a firewall, a wrong port forward) fails the
    // first query after this long instead of hanging the process for ever.
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    types,
    ...(options.schema === null ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An idle client that loses its connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  return pool;
}
