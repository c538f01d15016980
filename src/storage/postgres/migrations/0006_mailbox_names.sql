-- 0006_mailbox_names (PostgreSQL): what the Settings screen shows and the From header carries for a
-- mailbox: a name for administrators, and the display name of its sender address; the send log by
-- outbox row.

ALTER TABLE mailboxes ADD COLUMN name text NOT NULL DEFAULT '';
ALTER TABLE mailboxes ADD COLUMN from_name text;

-- An administrator's view of an outbox row: when it was handed over (its latest SMTP attempt).
CREATE INDEX mail_sends_outbox_idx ON mail_sends (outbox_id);
