-- Table sizes: total on-disk size per table (heap + indexes + TOAST), largest first.
-- Names come from pg_class/pg_namespace and are quoted by PostgreSQL (format %I), so
-- mixed-case names, spaces and quotes work; the migration guide's version built
-- schemaname||'.'||tablename and broke on them. Sizes are taken by oid, never by name.
-- estimated_rows is pg_class.reltuples (NULL when the table was never analyzed).
-- Minimum PostgreSQL: 9.0 (format() 9.1).
-- Idea: the stack's migration guide ("table sizes"), PgHero's space page.
SELECT
    format('%I.%I', n.nspname, c.relname) AS table_name,
    n.nspname AS schema_name,
    c.relname AS relation_name,
    pg_total_relation_size(c.oid) AS total_bytes,
    pg_relation_size(c.oid) AS table_bytes,
    pg_indexes_size(c.oid) AS index_bytes,
    COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0) AS toast_bytes,
    CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::bigint END AS estimated_rows
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
  AND n.nspname NOT LIKE 'pg_temp%'
ORDER BY total_bytes DESC, table_name
LIMIT @limit;
