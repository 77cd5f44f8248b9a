-- One batch of the purge of expired entries: at most @batch_size rows that expired by @cutoff (the time the
-- purge started), taken with FOR UPDATE SKIP LOCKED so the stack's own writers are never waited for, deleted
-- (still guarded by expires_at <= @cutoff) and returned whole for the audit log.
-- Template: /*table*/ (quoted by PostgreSQL). Minimum PostgreSQL: 9.5 (SKIP LOCKED).
-- Idea: batched deletes by ctid (the PostgreSQL wiki's "delete in batches"); River's and Oban's pruners.
WITH deleted AS (
    DELETE FROM /*table*/ AS t
    WHERE t.ctid = ANY (ARRAY(
            SELECT s.ctid
            FROM /*table*/ AS s
            WHERE s.expires_at <= @cutoff
            LIMIT @batch_size
            FOR UPDATE SKIP LOCKED))
      AND t.expires_at <= @cutoff
    RETURNING to_jsonb(t) AS row
)
SELECT
    count(*) AS rows_affected,
    jsonb_agg(row)::text AS previous
FROM deleted
