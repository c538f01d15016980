-- 0013_external_id_live_records: a deleted record no longer holds its externalId. Only live records are
-- unique by (type, externalId): a new record, a PATCH or a bulk/CSV upsert may take the externalId of a
-- deleted one, and an upsert matches live records only (it creates a record rather than bringing a deleted
-- one back). The deleted record keeps its row and its externalId as they were. Bulk upsert's conflict
-- target (src/storage/repositories/records-upsert.ts) names this predicate as written here.

DROP INDEX records_external_id_key;
CREATE UNIQUE INDEX records_external_id_key ON records (type, external_id)
  WHERE external_id IS NOT NULL AND deleted_at IS NULL;
