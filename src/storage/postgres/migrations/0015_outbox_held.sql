-- 0015_outbox_held (PostgreSQL): an outbox row may be `held`: the automated email of an enrollment paused
-- while the email waited to go out. The sender claims only `pending` rows; a resume makes the row `pending`
-- again (src/domain/transition.ts, `email.hold` / `email.release`).

ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
  CHECK (status IN ('pending', 'held', 'sending', 'sent', 'failed', 'send_unknown', 'dropped'));
