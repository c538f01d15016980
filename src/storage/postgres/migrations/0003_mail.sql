-- 0003_mail (PostgreSQL): SMTP mailboxes, the send log behind each mailbox's limits, and what the
-- sender keeps on an outbox row (the hash its Message-ID carries, the mailbox, the provider's answer).

CREATE TABLE mailboxes (
  id                 text COLLATE "C" NOT NULL PRIMARY KEY,
  -- NULL: the installation's default mailbox (at most one, see mailboxes_user_key).
  user_id            text COLLATE "C" REFERENCES users (id) ON DELETE CASCADE,
  host               text             NOT NULL,
  port               integer          NOT NULL,
  secure             boolean          NOT NULL DEFAULT false,
  username           text,
  -- AES-256-GCM under a key derived from STEPWISE_SECRET (or the stored secret); never the password.
  password_encrypted text,
  from_address       text,
  -- Messages per rolling 24 hours; NULL switches the cap off.
  daily_cap          integer                   DEFAULT 400 CHECK (daily_cap IS NULL OR daily_cap > 0),
  min_spacing_ms     integer          NOT NULL DEFAULT 20000 CHECK (min_spacing_ms >= 0),
  created_at         bigint           NOT NULL,
  updated_at         bigint           NOT NULL
);
-- One mailbox per user, one installation default; the sender's lookup by owner.
CREATE UNIQUE INDEX mailboxes_user_key ON mailboxes ((COALESCE(user_id, '')));

-- One row per SMTP attempt: the rolling daily cap and the minimum spacing are counted from it.
CREATE TABLE mail_sends (
  id          text COLLATE "C" NOT NULL PRIMARY KEY,
  mailbox_key text COLLATE "C" NOT NULL,
  outbox_id   text COLLATE "C" NOT NULL,
  at          bigint           NOT NULL
);
-- The limit check: sends of one mailbox since 24 hours ago, and its latest send.
CREATE INDEX mail_sends_mailbox_at_idx ON mail_sends (mailbox_key, at);

ALTER TABLE outbox ADD COLUMN message_key_hash text COLLATE "C";
ALTER TABLE outbox ADD COLUMN mailbox_key text COLLATE "C";
ALTER TABLE outbox ADD COLUMN provider_response text;
-- Replies and bounces name our Message-ID: its hash finds the row (message-id.ts).
CREATE INDEX outbox_message_key_hash_idx ON outbox (message_key_hash) WHERE message_key_hash IS NOT NULL;
-- Start-up and each sender pass: rows left in `sending` past their lease become `send_unknown`.
CREATE INDEX outbox_sending_idx ON outbox (lease_until) WHERE status = 'sending';
