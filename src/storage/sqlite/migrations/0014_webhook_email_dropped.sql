-- 0014 (SQLite): nothing to change in the schema. SQLite's webhook triggers exist only while an endpoint
-- subscribes (0007) and are created by src/storage/sqlite/sqlite-webhook-triggers.ts, which now holds
-- webhook_email_dropped (an administrator's drop of a send_unknown message → email.sent / email.failed);
-- its PostgreSQL twin replaces webhook_outbox_updated(). Kept so that both dialects list the same migrations.
SELECT 1;
