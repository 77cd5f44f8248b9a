-- Deletes one cache entry; the whole row as it was comes back for the audit log (nothing is lost).
-- Template: /*table*/ (quoted by PostgreSQL). Minimum PostgreSQL: 9.5.
WITH deleted AS (
    DELETE FROM /*table*/ AS t
    WHERE t.key = @key
    RETURNING to_jsonb(t) AS row
)
SELECT
    count(*) AS rows_affected,
    jsonb_agg(row)::text AS previous
FROM deleted
