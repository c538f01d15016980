-- 0007 (SQLite): the webhook triggers of 0005 leave the schema; src/storage/sqlite/sqlite-webhook-triggers.ts
-- creates them again, right after migrations and whenever an endpoint's subscriptions change, only
-- while some active endpoint subscribes. A row trigger costs every write to its table even when its
-- WHEN clause is false (an enrollment_steps insert 6.7 → 17.6 µs on the bench world).
DROP TRIGGER IF EXISTS webhook_enrollment_started;
DROP TRIGGER IF EXISTS webhook_enrollment_ended_at_insert;
DROP TRIGGER IF EXISTS webhook_enrollment_ended;
DROP TRIGGER IF EXISTS webhook_step_at_insert;
DROP TRIGGER IF EXISTS webhook_step_changed;
DROP TRIGGER IF EXISTS webhook_email_settled;
DROP TRIGGER IF EXISTS webhook_signal_received;
DROP TRIGGER IF EXISTS webhook_sequence_activated;
DROP TRIGGER IF EXISTS webhook_sequence_deactivated;
