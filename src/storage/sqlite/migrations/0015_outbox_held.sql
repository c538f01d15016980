-- 0015_outbox_held (SQLite): an outbox row may be `held`: the automated email of an enrollment paused while
-- the email waited to go out. The sender claims only `pending` rows; a resume makes the row `pending` again
-- (src/domain/transition.ts, `email.hold` / `email.release`). SQLite cannot change a CHECK constraint in
-- place, so the table is rebuilt with the same columns and indexes. Its webhook triggers go with the old
-- table; they are made again after the migrations when an endpoint wants them (sqlite-webhook-triggers.ts).

CREATE TABLE outbox_next (
  id                TEXT    NOT NULL PRIMARY KEY,
  idempotency_key   TEXT    NOT NULL,
  kind              TEXT    NOT NULL,
  payload           TEXT    NOT NULL,
  status            TEXT    NOT NULL
                    CHECK (status IN ('pending', 'held', 'sending', 'sent', 'failed', 'send_unknown', 'dropped')),
  available_at      INTEGER NOT NULL,
  attempts          INTEGER NOT NULL DEFAULT 0,
  lease_until       INTEGER,
  last_error        TEXT,
  created_at        INTEGER NOT NULL,
  sent_at           INTEGER,
  message_key_hash  TEXT,
  mailbox_key       TEXT,
  provider_response TEXT
);

INSERT INTO outbox_next (id, idempotency_key, kind, payload, status, available_at, attempts, lease_until,
                         last_error, created_at, sent_at, message_key_hash, mailbox_key, provider_response)
SELECT id, idempotency_key, kind, payload, status, available_at, attempts, lease_until,
       last_error, created_at, sent_at, message_key_hash, mailbox_key, provider_response
  FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_next RENAME TO outbox;

CREATE UNIQUE INDEX outbox_idempotency_key_key ON outbox (idempotency_key);
CREATE INDEX outbox_pending_idx ON outbox (available_at) WHERE status = 'pending';
CREATE INDEX outbox_attention_idx ON outbox (status, created_at) WHERE status IN ('failed', 'send_unknown');
CREATE INDEX outbox_message_key_hash_idx ON outbox (message_key_hash) WHERE message_key_hash IS NOT NULL;
CREATE INDEX outbox_sending_idx ON outbox (lease_until) WHERE status = 'sending';

-- Enrollments paused before this migration: their queued automated email (the current step's, `sending`)
-- is held now, as a pause holds it from now on; a resume releases it.
UPDATE outbox SET status = 'held'
 WHERE status = 'pending'
   AND idempotency_key IN (
         SELECT e.id || ':' || json_extract(e.state, '$.q')
           FROM enrollments e
          WHERE e.status = 'paused' AND json_extract(e.state, '$.p') = 'sending');
