-- 0012_record_deletions: the record deletions stamp, a count every record deletion moves on in its own
-- transaction (src/storage/repositories/record-deletions.ts). A connect share-locks it in its write
-- transaction, so the row must exist before the first deletion: seeded here.

INSERT INTO settings (key, value) VALUES ('records:deletions', '0') ON CONFLICT (key) DO NOTHING;
