-- 0015_outbox_held (PostgreSQL): an outbox row may be `held`: the automated email of an enrollment paused
-- while the email waited to go out. The sender claims only `pending` rows; a resume makes the row `pending`
-- again (src/domain/transition.ts, `email.hold` / `email.release`).

ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
  CHECK (status IN ('pending', 'held', 'sending', 'sent', 'failed', 'send_unknown', 'dropped'));

-- Enrollments paused before this migration: their queued automated email (the current step's, `sending`)
-- is held now, as a pause holds it from now on; a resume releases it.
UPDATE outbox SET status = 'held'
 WHERE status = 'pending'
   AND idempotency_key IN (
         SELECT e.id || ':' || (e.state ->> 'q')
           FROM enrollments e
          WHERE e.status = 'paused' AND e.state ->> 'p' = 'sending');
