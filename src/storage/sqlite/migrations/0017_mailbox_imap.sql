-- 0017_mailbox_imap (SQLite): where a mailbox's replies and bounces are read, polled by `serve` and
-- `worker` beside STEPWISE_IMAP_URL. The whole address (imaps://user:pass@host:993/INBOX) is stored
-- encrypted like the SMTP password (src/mail/mailbox-password.ts), since it carries the password; NULL:
-- this mailbox's replies are not polled.

ALTER TABLE mailboxes ADD COLUMN imap_url_encrypted TEXT;
