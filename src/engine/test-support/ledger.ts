// What the multi-process and crash tests share: an automatic sequence (no seller needed), a LEDGER the
// test adds to its own database — a trigger appends one row per enrollment insert and per state change,
// with no unique constraint, so a transition written twice would show up twice — the checks run on it,
// and a stand-in for the outbox sender (the email part reports each queued message sent).
import type { SequenceDefinition } from '../../domain/definition.js';
import { applyEvents } from '../apply-events.js';
import type { EngineDeps } from '../deps.js';
import { definition } from './engine-world.js';
import { inList, type RawConnection } from './raw-connection.js';

/**
 * w1 wait PT1H → a1 automated email → c1 opened within PT1H? (nobody opens: no)
 *   → c2 tier = 'a'? yes → u1 stage=fast (end) · no → w2 wait PT1H → a2 automated email → u2 stage=slow (end)
 */
export const AUTOMATIC_SEQUENCE: SequenceDefinition = definition(
  [
    { id: 'w1', type: 'wait', duration: 'PT1H', next: 'a1' },
    { id: 'a1', type: 'automated_email', templateId: 'tpl_1', next: 'c1' },
    {
      id: 'c1',
      type: 'condition',
      if: { signal: 'email_opened', step: 'a1' },
      within: 'PT1H',
      yes: 'u1',
      no: 'c2',
    },
    { id: 'c2', type: 'condition', if: { field: 'tier', op: 'eq', value: 'a' }, yes: 'u1', no: 'w2' },
    { id: 'u1', type: 'update_field', field: 'stage', value: 'fast' },
    { id: 'w2', type: 'wait', duration: 'PT1H', next: 'a2' },
    { id: 'a2', type: 'automated_email', templateId: 'tpl_2', next: 'u2' },
    { id: 'u2', type: 'update_field', field: 'stage', value: 'slow' },
  ],
  { workingHours: 'none' },
);

/** Per record tier: the steps an enrollment goes through, and how many updates (versions) that takes. */
export const AUTOMATIC_PATHS = {
  a: { steps: ['w1', 'a1', 'c1', 'c2', 'u1'], versions: 3, emails: 1 },
  b: { steps: ['w1', 'a1', 'c1', 'c2', 'w2', 'a2', 'u2'], versions: 5, emails: 2 },
} as const;

/**
 * The ledger: every INSERT of an enrollment, and every UPDATE that changes its state (not a claim, which
 * only takes a lease), with the versions, the step instance (seq), the step and status, and the lease
 * owner that held the row (the worker that wrote it).
 */
export async function installLedger(raw: RawConnection, schema: string | null): Promise<void> {
  if (raw.dialect === 'postgres') {
    const q = (name: string) => (schema === null ? name : `${schema}.${name}`);
    await raw.query(`CREATE TABLE ${q('ledger')} (
      enrollment_id text NOT NULL, old_version integer, new_version integer NOT NULL, seq integer,
      step_id text, status text NOT NULL, phase text, lease_owner text)`);
    await raw.query(`CREATE FUNCTION ${q('ledger_append')}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO ${q('ledger')} VALUES (NEW.id, NULL, NEW.version, (NEW.state->>'q')::int,
            NEW.current_step_id, NEW.status, NEW.state->>'p', NULL);
        ELSIF (OLD.version, OLD.status, OLD.current_step_id, OLD.due_at, OLD.state)
              IS DISTINCT FROM (NEW.version, NEW.status, NEW.current_step_id, NEW.due_at, NEW.state) THEN
          INSERT INTO ${q('ledger')} VALUES (NEW.id, OLD.version, NEW.version, (NEW.state->>'q')::int,
            NEW.current_step_id, NEW.status, NEW.state->>'p', OLD.lease_owner);
        END IF;
        RETURN NULL;
      END $$`);
    await raw.query(`CREATE TRIGGER enrollments_ledger AFTER INSERT OR UPDATE ON ${q('enrollments')}
      FOR EACH ROW EXECUTE FUNCTION ${q('ledger_append')}()`);
    return;
  }
  await raw.query(`CREATE TABLE ledger (
    enrollment_id TEXT NOT NULL, old_version INTEGER, new_version INTEGER NOT NULL, seq INTEGER,
    step_id TEXT, status TEXT NOT NULL, phase TEXT, lease_owner TEXT)`);
  await raw.query(`CREATE TRIGGER enrollments_ledger_insert AFTER INSERT ON enrollments BEGIN
    INSERT INTO ledger VALUES (NEW.id, NULL, NEW.version, json_extract(NEW.state, '$.q'),
      NEW.current_step_id, NEW.status, json_extract(NEW.state, '$.p'), NULL);
  END`);
  await raw.query(`CREATE TRIGGER enrollments_ledger_update AFTER UPDATE ON enrollments
    WHEN OLD.version IS NOT NEW.version OR OLD.status IS NOT NEW.status
      OR OLD.current_step_id IS NOT NEW.current_step_id OR OLD.due_at IS NOT NEW.due_at OR OLD.state IS NOT NEW.state
  BEGIN
    INSERT INTO ledger VALUES (NEW.id, OLD.version, NEW.version, json_extract(NEW.state, '$.q'),
      NEW.current_step_id, NEW.status, json_extract(NEW.state, '$.p'), OLD.lease_owner);
  END`);
}

const count = async (raw: RawConnection, text: string) =>
  Number((await raw.query<{ n: number | string }>(text))[0]?.n ?? 0);

/** Rows that break a rule, at most a few of them, for the failure message. */
const offenders = (raw: RawConnection, text: string) => raw.query<Record<string, unknown>>(`${text} LIMIT 5`);

export interface LedgerReport {
  enrollments: number;
  transitions: number;
  /** Updates by the lease owner that held the row (worker name), '' for events (the sender). */
  byWriter: Record<string, number>;
}

/**
 * Every transition recorded exactly once, and every enrollment of the automatic sequence completed on
 * its tier's path: the rows that break a rule are returned by name (empty lists when all is well).
 */
export async function checkLedger(raw: RawConnection, sequenceId: string) {
  const seq = inList([sequenceId]);
  return {
    // A state change is always a version bump by one: a write without its fence would show here.
    unfenced: await offenders(
      raw,
      `SELECT * FROM ledger WHERE old_version IS NOT NULL AND new_version <> old_version + 1`,
    ),
    // No version twice: two writers that both "won" the same version would show here.
    twice: await offenders(
      raw,
      `SELECT enrollment_id, new_version, COUNT(*) AS n FROM ledger GROUP BY enrollment_id, new_version
        HAVING COUNT(*) > 1`,
    ),
    // No step instance entered twice, and steps only move forward (seq strictly increasing by version).
    instanceTwice: await offenders(
      raw,
      `SELECT enrollment_id, seq, COUNT(*) AS n FROM ledger GROUP BY enrollment_id, seq HAVING COUNT(*) > 1`,
    ),
    backwards: await offenders(
      raw,
      `SELECT * FROM (SELECT enrollment_id, new_version, seq,
                             LAG(seq) OVER (PARTITION BY enrollment_id ORDER BY new_version) AS previous
                        FROM ledger) x
        WHERE previous IS NOT NULL AND seq <= previous`,
    ),
    // Versions consecutive: the ledger holds versions 0…version of each enrollment, nothing missing.
    gaps: await offenders(
      raw,
      `SELECT e.id, e.version, l.n, l.top FROM enrollments e
         LEFT JOIN (SELECT enrollment_id, COUNT(*) AS n, MAX(new_version) AS top FROM ledger GROUP BY enrollment_id) l
           ON l.enrollment_id = e.id
        WHERE e.sequence_id IN ${seq} AND (l.n IS NULL OR l.n <> e.version + 1 OR l.top <> e.version)`,
    ),
    // Nothing lost: every enrollment completed, on its tier's path, with one history row per instance.
    notCompleted: await offenders(
      raw,
      `SELECT id, status, end_reason, current_step_id, due_at, lease_until FROM enrollments
        WHERE sequence_id IN ${seq} AND (status <> 'completed' OR end_reason <> 'completed')`,
    ),
    wrongPath: await offenders(
      raw,
      `SELECT e.id, r.fields, e.version, h.n FROM enrollments e
         JOIN records r ON r.id = e.record_id
         LEFT JOIN (SELECT enrollment_id, COUNT(*) AS n FROM enrollment_steps GROUP BY enrollment_id) h
           ON h.enrollment_id = e.id
        WHERE e.sequence_id IN ${seq}
          AND NOT ((e.current_step_id = 'u1' AND e.version = ${AUTOMATIC_PATHS.a.versions} AND h.n = ${AUTOMATIC_PATHS.a.steps.length})
                OR (e.current_step_id = 'u2' AND e.version = ${AUTOMATIC_PATHS.b.versions} AND h.n = ${AUTOMATIC_PATHS.b.steps.length}))`,
    ),
    // Exactly one outbox row per automated-email step instance, and none without one.
    emailsWithoutRow: await offenders(
      raw,
      `SELECT s.id FROM enrollment_steps s
        WHERE s.sequence_id IN ${seq} AND s.type = 'automated_email'
          AND NOT EXISTS (SELECT 1 FROM outbox o
                           WHERE o.idempotency_key = s.enrollment_id || ':' || CAST(CAST(SUBSTR(s.id, LENGTH(s.enrollment_id) + 2) AS INTEGER) AS TEXT))`,
    ),
    // With the one above (and unique keys), equal counts mean no outbox row lacks its step instance.
    extraRows: await offenders(
      raw,
      `SELECT o.n AS outbox_rows, s.n AS email_steps FROM
         (SELECT COUNT(*) AS n FROM outbox) o,
         (SELECT COUNT(*) AS n FROM enrollment_steps WHERE type = 'automated_email') s
        WHERE o.n <> s.n`,
    ),
    notSent: await offenders(raw, `SELECT idempotency_key, status FROM outbox WHERE status <> 'sent'`),
  };
}

export async function ledgerReport(raw: RawConnection, sequenceId: string): Promise<LedgerReport> {
  const writers = await raw.query<{ writer: string | null; n: number | string }>(
    `SELECT lease_owner AS writer, COUNT(*) AS n FROM ledger WHERE old_version IS NOT NULL GROUP BY lease_owner`,
  );
  return {
    enrollments: await count(
      raw,
      `SELECT COUNT(*) AS n FROM enrollments WHERE sequence_id IN ${inList([sequenceId])}`,
    ),
    transitions: await count(raw, 'SELECT COUNT(*) AS n FROM ledger WHERE old_version IS NOT NULL'),
    byWriter: Object.fromEntries(writers.map((w) => [w.writer ?? '', Number(w.n)])),
  };
}

/** Rows still due at `now` (nothing should be, once the workers are idle and leases have expired). */
export async function dueAt(
  raw: RawConnection,
  now: number,
): Promise<{ n: number; leasedUntil: number | null }> {
  const rows = await raw.query<{ n: number | string; leased: number | string | null }>(
    `SELECT COUNT(*) AS n, MAX(lease_until) AS leased FROM enrollments
      WHERE status = 'active' AND due_at IS NOT NULL AND due_at <= ${now}`,
  );
  const row = rows[0];
  return { n: Number(row?.n ?? 0), leasedUntil: row?.leased == null ? null : Number(row.leased) };
}

/**
 * The email part's job, played by the test: every pending outbox row due by `now` is reported sent
 * (`email_sent` through applyEvents, the engine's one path for events) and marked sent. Returns how many.
 */
export async function sendOutbox(
  deps: EngineDeps,
  raw: RawConnection,
  now: number,
  chunk = 1_000,
): Promise<number> {
  let sent = 0;
  for (;;) {
    const rows = await raw.query<{ idempotency_key: string; payload: string }>(
      `SELECT idempotency_key, payload FROM outbox WHERE status = 'pending' AND available_at <= ${now}
        ORDER BY idempotency_key LIMIT ${chunk}`,
    );
    if (rows.length === 0) return sent;
    const messages = rows.map((r) => {
      const payload = (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as {
        enrollmentId: string;
        stepId: string;
        seq: number;
      };
      return { key: r.idempotency_key, ...payload };
    });
    const result = await applyEvents(
      deps,
      messages.map((m) => ({
        enrollmentId: m.enrollmentId,
        event: { type: 'email_sent' as const, stepId: m.stepId, seq: m.seq, at: now },
      })),
      { now },
    );
    if (result.applied !== messages.length) {
      throw new Error(`sendOutbox: ${result.applied} of ${messages.length} email_sent applied`);
    }
    await raw.query(
      `UPDATE outbox SET status = 'sent', sent_at = ${now} WHERE idempotency_key IN ${inList(messages.map((m) => m.key))}`,
    );
    sent += messages.length;
  }
}
