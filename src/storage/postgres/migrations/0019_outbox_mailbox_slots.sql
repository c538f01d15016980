-- 0019_outbox_mailbox_slots (PostgreSQL): the slots a mailbox's held messages keep (a row deferred for its
-- mailbox's spacing or daily cap records the mailbox in mailbox_key), read by a send pass at its first
-- deferral for that mailbox (repositories/outbox.ts mailboxSlots). Partial: a queued row has no mailbox
-- until it is held or sent, so connecting records writes nothing here, and only the held rows are read
-- instead of every pending row due later.

CREATE INDEX outbox_mailbox_slots_idx ON outbox (mailbox_key, available_at)
  WHERE status = 'pending' AND mailbox_key IS NOT NULL;
