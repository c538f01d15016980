// Direct SQL on a Stepwise database for what the Store port does not offer yet: the benchmark's
// stand-in mailer (claim due outbox rows, mark them sent) and reading history + outbox as the ledger.
import Sqlite from 'better-sqlite3';
import pg from 'pg';

export interface ClaimedEmail {
  id: string;
  enrollmentId: string;
  stepId: string;
  seq: number;
  sentAt: number;
}

export interface RawLedgerRow {
  enrollmentId: string;
  stepId: string;
  at: number;
}

export interface StepwiseRaw {
  /**
   * In one transaction: marks the rows `sent` (the previous batch, whose events are committed) as sent,
   * then claims due pending rows, and `sending` rows whose lease ran out (a killed worker's), with the
   * first send time kept.
   */
  claimEmails(
    sent: readonly string[],
    now: number,
    limit: number,
    leaseUntil: number,
  ): Promise<ClaimedEmail[]>;
  /** Emails sent (outbox sent_at), conditions decided (completed_at), calls opened (opened_at). */
  ledger(since: number | null): Promise<RawLedgerRow[]>;
  count(): Promise<number>;
  storeBytes(): Promise<number>;
  close(): Promise<void>;
}

const LEDGER_SQL = (payload: (key: string) => string, since: string) => `
  SELECT ${payload('enrollmentId')} AS e, ${payload('stepId')} AS s, sent_at AS at
    FROM outbox WHERE sent_at IS NOT NULL ${since === '' ? '' : `AND sent_at >= ${since}`}
  UNION ALL
  SELECT enrollment_id, step_id, completed_at FROM enrollment_steps
   WHERE step_id = 'condition' AND state = 'completed' ${since === '' ? '' : `AND completed_at >= ${since}`}
  UNION ALL
  SELECT enrollment_id, step_id, opened_at FROM enrollment_steps
   WHERE step_id IN ('call', 'task') AND opened_at IS NOT NULL ${since === '' ? '' : `AND opened_at >= ${since}`}`;

const COUNT_SQL = `
  SELECT (SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL)
       + (SELECT count(*) FROM enrollment_steps WHERE step_id = 'condition' AND state = 'completed')
       + (SELECT count(*) FROM enrollment_steps WHERE step_id IN ('call', 'task') AND opened_at IS NOT NULL) AS n`;

export function sqliteRaw(file: string): StepwiseRaw {
  const db = new Sqlite(file);
  db.pragma('busy_timeout = 5000');
  // Two claims, each walking its partial index in order so LIMIT stops the walk (one `OR` of both
  // made SQLite collect and sort every pending row on each claim: quadratic over a burn-down).
  const returning = `RETURNING id, json_extract(payload, '$.enrollmentId') AS e, json_extract(payload, '$.stepId') AS s,
              json_extract(payload, '$.seq') AS q, sent_at`;
  const claimPending = db.prepare(`
    UPDATE outbox SET status = 'sending', sent_at = COALESCE(sent_at, ?), lease_until = ?, attempts = attempts + 1
     WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND available_at <= ? ORDER BY available_at LIMIT ?)
    ${returning}`);
  const claimExpired = db.prepare(`
    UPDATE outbox SET sent_at = COALESCE(sent_at, ?), lease_until = ?, attempts = attempts + 1
     WHERE id IN (SELECT id FROM outbox WHERE status = 'sending' AND lease_until < ? ORDER BY lease_until LIMIT ?)
    ${returning}`);
  const markSent = db.prepare(`UPDATE outbox SET status = 'sent', lease_until = NULL WHERE id = ?`);
  type Row = { id: string; e: string; s: string; q: number; sent_at: number };
  // One transaction per batch for the mark and the next claim (there were three: the mark, the claim of
  // expired rows, the claim of pending ones). The same rows are written as before; only fewer commits.
  const settleAndClaim = db.transaction(
    (sent: readonly string[], now: number, limit: number, leaseUntil: number): Row[] => {
      for (const id of sent) markSent.run(id);
      const expired = claimExpired.all(now, leaseUntil, now, limit) as Row[];
      const pending = claimPending.all(now, leaseUntil, now, limit - expired.length) as Row[];
      return expired.length === 0 ? pending : [...expired, ...pending];
    },
  );
  const ledgerAll = db.prepare(LEDGER_SQL((k) => `json_extract(payload, '$.${k}')`, ''));
  const ledgerSince = db.prepare(LEDGER_SQL((k) => `json_extract(payload, '$.${k}')`, '@since'));
  const count = db.prepare(COUNT_SQL);
  return {
    async claimEmails(sent, now, limit, leaseUntil) {
      // IMMEDIATE: the write lock up front, as the engine's transactions take it (sqlite-driver.ts).
      return settleAndClaim.immediate(sent, now, limit, leaseUntil).map((r) => ({
        id: r.id,
        enrollmentId: r.e,
        stepId: r.s,
        seq: r.q,
        sentAt: r.sent_at,
      }));
    },
    async ledger(since) {
      const rows = (since === null ? ledgerAll.all() : ledgerSince.all({ since })) as {
        e: string;
        s: string;
        at: number;
      }[];
      return rows.map((r) => ({ enrollmentId: r.e, stepId: r.s, at: r.at }));
    },
    async count() {
      return (count.get() as { n: number }).n;
    },
    async storeBytes() {
      db.pragma('wal_checkpoint(TRUNCATE)');
      const { page_count } = db.prepare('PRAGMA page_count').get() as { page_count: number };
      const { page_size } = db.prepare('PRAGMA page_size').get() as { page_size: number };
      return page_count * page_size;
    },
    async close() {
      db.close();
    },
  };
}

export function postgresRaw(url: string, schema: string, applicationName: string): StepwiseRaw {
  const pool = new pg.Pool({
    connectionString: url,
    max: 2,
    application_name: applicationName,
    options: `-c search_path=${schema}`,
  });
  return {
    async claimEmails(sent, now, limit, leaseUntil) {
      // The mark and the claim in one statement: the sent rows have a live lease, so neither claim takes them.
      const { rows } = await pool.query<{ id: string; e: string; s: string; q: number; sent_at: string }>({
        name: 'bench_claim_emails',
        text: `
          WITH sent AS (UPDATE outbox SET status = 'sent', lease_until = NULL WHERE id = ANY($4::text[])),
               expired AS (SELECT id FROM outbox WHERE status = 'sending' AND lease_until < $1
                            ORDER BY lease_until LIMIT $3 FOR UPDATE SKIP LOCKED),
               pending AS (SELECT id FROM outbox WHERE status = 'pending' AND available_at <= $1
                            ORDER BY available_at LIMIT $3 FOR UPDATE SKIP LOCKED)
          UPDATE outbox SET status = 'sending', sent_at = COALESCE(sent_at, $1), lease_until = $2,
                 attempts = attempts + 1
           WHERE id IN (SELECT id FROM (SELECT id FROM expired UNION ALL SELECT id FROM pending) due LIMIT $3)
          RETURNING id, payload->>'enrollmentId' AS e, payload->>'stepId' AS s, (payload->>'seq')::int AS q, sent_at`,
        values: [now, leaseUntil, limit, sent],
      });
      return rows.map((r) => ({
        id: r.id,
        enrollmentId: r.e,
        stepId: r.s,
        seq: r.q,
        sentAt: Number(r.sent_at),
      }));
    },
    async ledger(since) {
      const { rows } = await pool.query<{ e: string; s: string; at: string }>(
        LEDGER_SQL((k) => `payload->>'${k}'`, since === null ? '' : '$1'),
        since === null ? [] : [since],
      );
      return rows.map((r) => ({ enrollmentId: r.e, stepId: r.s, at: Number(r.at) }));
    },
    async count() {
      const { rows } = await pool.query<{ n: string }>(COUNT_SQL);
      return Number(rows[0]?.n ?? 0);
    },
    async storeBytes() {
      const { rows } = await pool.query<{ bytes: string }>(
        `SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0) AS bytes
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`,
        [schema],
      );
      return Number(rows[0]?.bytes ?? 0);
    },
    async close() {
      await pool.end();
    },
  };
}
