-- Deletes every key matching @pattern (LIKE, made from the Redis-style pattern); the rows as they were come
-- back for the audit log. The service rolls the transaction back if more than the configured maximum matched
-- (keys written since the dry run). Template: /*table*/ (quoted by PostgreSQL). Minimum PostgreSQL: 9.5.
WITH deleted AS (
    DELETE FROM /*table*/ AS t
    WHERE t.key LIKE @pattern
    RETURNING to_jsonb(t) AS row
)
SELECT
    count(*) AS rows_affected,
    jsonb_agg(row)::text AS previous
FROM deleted
