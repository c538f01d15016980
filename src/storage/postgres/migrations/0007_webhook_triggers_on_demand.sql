-- 0007 (PostgreSQL): nothing to change. The SQLite twin of this migration drops 0005's row triggers,
-- which SQLite then creates only while an endpoint subscribes; PostgreSQL's webhook triggers fire once
-- per statement (transition tables), so they stay. Kept so that both dialects list the same migrations.
SELECT 1;
