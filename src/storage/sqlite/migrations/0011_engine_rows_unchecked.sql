-- 0011_engine_rows_unchecked (SQLite): nothing to do. PostgreSQL's 0011 drops the foreign keys of the
-- engine's rows, which cost it a query and a row lock per row. SQLite checks a foreign key with one
-- index probe: connecting 100,000 records with foreign_keys off was not measurably faster (session 7),
-- and dropping one here would rebuild the enrollments and history tables.
SELECT 1;
