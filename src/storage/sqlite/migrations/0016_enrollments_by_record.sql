-- 0016_enrollments_by_record: a record's enrollments, ended ones included, found by record (GET
-- /api/records/{id}/enrollments, the record page's sequence history). enrollments_one_running_key now
-- holds every enrollment instead of only running ones: an ended enrollment's exclusive_slot is NULL, and
-- NULLs never collide in a unique index (both stores), so the rule it keeps is the same — one running
-- enrollment per record, or per record and sequence. A connect inserts the same index entries as before
-- (a new enrollment is running); an end moves its entry instead of removing it. A separate index by record
-- would have cost every connect one more b-tree insert per enrollment. The engine's conflict target
-- (ON CONFLICT (record_id, exclusive_slot) WHERE exclusive_slot IS NOT NULL) still infers it.

DROP INDEX enrollments_one_running_key;
CREATE UNIQUE INDEX enrollments_one_running_key ON enrollments (record_id, exclusive_slot);
