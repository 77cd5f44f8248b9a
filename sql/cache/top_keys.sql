-- The largest or the hottest entries of a cache table: the first @limit by the sort key.
-- Template: /*table*/ (quoted by PostgreSQL), /*sample*/ (nothing, or TABLESAMPLE SYSTEM (@sample_percent) on a
-- large table: then these are the largest / hottest of the sample, and the page says so), /*sort_key*/
-- (pg_column_size(t.value) or COALESCE(t.access_count, 0)), /*access_count*/ (the column or NULL), /*expires_at*/ (the
-- column, or COALESCE(…, 'infinity') when it allows NULL).
-- Minimum PostgreSQL: 9.5.
-- Idea: redis-cli --bigkeys and --hotkeys; RedisInsight's "top keys".
SELECT
    t.key,
    /*expires_at*/ AS expires_at,
    pg_column_size(t.value) AS size_bytes,
    /*access_count*/ AS access_count
FROM /*table*/ AS t /*sample*/
ORDER BY /*sort_key*/ DESC, t.key
LIMIT @limit
