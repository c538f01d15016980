-- 0011_engine_rows_unchecked (PostgreSQL): the engine's own rows lose their foreign keys: an enrollment's
-- record, owner and sequence version, and a history row's enrollment. PostgreSQL checks each with a
-- query and a row lock per inserted row (an RI trigger), four per connected record: on the 1,000,000-
-- enrollment API world, connecting 100,000 records took 10.2 s with them and 5.2-6.1 s without (session 7,
-- docs/benchmarks.md). Nothing they guarded can happen: only the engine writes these rows, in the
-- transaction that read the record, owner and version it points at, and none of those is ever deleted
-- (records, users and sequences are soft-deleted; versions and enrollments stay). Every PostgreSQL test
-- checks that no engine row points at nothing (src/storage/test-support/engine-integrity.ts).
-- SQLite keeps them (its 0011 says why).

ALTER TABLE enrollments
  DROP CONSTRAINT enrollments_record_id_fkey,
  DROP CONSTRAINT enrollments_owner_id_fkey,
  DROP CONSTRAINT enrollments_sequence_id_sequence_version_fkey;

ALTER TABLE enrollment_steps DROP CONSTRAINT enrollment_steps_enrollment_id_fkey;
