-- One cache entry for the detail view: its value, TTL, size and access figures.
-- Template: /*table*/ (quoted by PostgreSQL), /*expires_at*/ (the column, or COALESCE(…, 'infinity') when it allows NULL),
-- /*access_count*/, /*accessed_at*/, /*created_at*/ (the column or NULL).
-- Minimum PostgreSQL: 9.5.
SELECT
    t.key,
    t.value::text AS value,
    /*expires_at*/ AS expires_at,
    now() AS server_now,
    pg_column_size(t.value) AS size_bytes,
    /*access_count*/ AS access_count,
    /*accessed_at*/ AS accessed_at,
    /*created_at*/ AS created_at
FROM /*table*/ AS t
WHERE t.key = @key
LIMIT 1
