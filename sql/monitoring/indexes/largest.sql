-- Largest indexes: on-disk size per index with how often it was scanned, largest first. The
-- stack's JSONB GIN indexes (documents.data, documents.metadata) usually lead this list.
-- Minimum PostgreSQL: 9.1 (format()).
-- Idea: PgHero's space page (index sizes); the PostgreSQL wiki's "Index size/usage statistics".
SELECT
    format('%I.%I', n.nspname, t.relname) AS table_name,
    format('%I.%I', n.nspname, ci.relname) AS index_name,
    am.amname::text AS access_method,
    i.indisunique AS is_unique,
    i.indisprimary AS is_primary,
    pg_relation_size(i.indexrelid) AS index_bytes,
    COALESCE(s.idx_scan, 0) AS index_scans,
    COALESCE(s.idx_tup_read, 0) AS tuples_read,
    pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index AS i
JOIN pg_class AS ci ON ci.oid = i.indexrelid
JOIN pg_class AS t ON t.oid = i.indrelid
JOIN pg_namespace AS n ON n.oid = ci.relnamespace
JOIN pg_am AS am ON am.oid = ci.relam
LEFT JOIN pg_stat_all_indexes AS s ON s.indexrelid = i.indexrelid
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
  AND n.nspname NOT LIKE 'pg_temp%'
ORDER BY index_bytes DESC, index_name
LIMIT @limit;
