-- Invalid indexes (pg_index.indisvalid = false): left behind by a CREATE INDEX CONCURRENTLY or
-- REINDEX CONCURRENTLY that failed (e.g. a unique index over duplicate values) or was cancelled.
-- The planner never uses them, but every write still maintains them. being_built marks one whose
-- concurrent build is running right now (then it is not a leftover: wait for it).
-- Minimum PostgreSQL: 12 (pg_stat_progress_create_index).
-- Idea: the PostgreSQL documentation of CREATE INDEX CONCURRENTLY ("the index is left invalid");
-- PgHero's invalid indexes.
SELECT
    format('%I.%I', n.nspname, t.relname) AS table_name,
    format('%I.%I', n.nspname, ci.relname) AS index_name,
    am.amname::text AS access_method,
    pg_relation_size(i.indexrelid) AS index_bytes,
    i.indisready AS is_ready,
    EXISTS (
        SELECT 1
        FROM pg_stat_progress_create_index AS p
        WHERE p.index_relid = i.indexrelid
    ) AS being_built,
    pg_get_indexdef(i.indexrelid) AS definition,
    format('DROP INDEX CONCURRENTLY %I.%I;', n.nspname, ci.relname) AS drop_statement
FROM pg_index AS i
JOIN pg_class AS ci ON ci.oid = i.indexrelid
JOIN pg_class AS t ON t.oid = i.indrelid
JOIN pg_namespace AS n ON n.oid = ci.relnamespace
JOIN pg_am AS am ON am.oid = ci.relam
WHERE NOT i.indisvalid
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
  AND n.nspname NOT LIKE 'pg_temp%'
ORDER BY table_name, index_name;
