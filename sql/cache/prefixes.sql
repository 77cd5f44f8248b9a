-- Entries by key prefix (the part before the first ':'; a key without ':' is its own prefix), with their total
-- stored size. Template: /*table*/ (quoted by PostgreSQL), /*sample*/ (nothing, or TABLESAMPLE SYSTEM
-- (@sample_percent) on a large table: the service scales the counts and marks them ≈).
-- Minimum PostgreSQL: 9.5.
-- Idea: RedisInsight's "memory by key pattern" (namespaces by the ':' delimiter).
SELECT
    split_part(t.key, ':', 1) AS prefix,
    count(*) AS entries,
    sum(pg_column_size(t.value))::bigint AS total_bytes
FROM /*table*/ AS t /*sample*/
GROUP BY 1
ORDER BY 2 DESC, 1
LIMIT @limit
