-- Unused indexes: indexes never scanned since the statistics were reset (idx_scan = 0), largest
-- first. Each costs disk, cache and write time on every INSERT/UPDATE and gives nothing back.
-- Left out: unique and primary-key indexes and indexes backing a constraint (they enforce
-- something even when no query reads them), the replica identity, and invalid indexes (see
-- invalid.sql), and the dashboard's own schema orchestra_admin (its audit log's indexes serve the
-- audit page, not the stack). GIN indexes are included. drop_statement is what an operator could run.
-- Minimum PostgreSQL: 9.4 (indisreplident).
-- Idea: PgHero's unused indexes; the PostgreSQL wiki's "Index summary"/"Unused indexes".
SELECT
    format('%I.%I', n.nspname, t.relname) AS table_name,
    format('%I.%I', n.nspname, ci.relname) AS index_name,
    am.amname::text AS access_method,
    pg_relation_size(i.indexrelid) AS index_bytes,
    s.idx_scan AS index_scans,
    pg_get_indexdef(i.indexrelid) AS definition,
    format('DROP INDEX CONCURRENTLY %I.%I;', n.nspname, ci.relname) AS drop_statement
FROM pg_index AS i
JOIN pg_class AS ci ON ci.oid = i.indexrelid
JOIN pg_class AS t ON t.oid = i.indrelid
JOIN pg_namespace AS n ON n.oid = ci.relnamespace
JOIN pg_am AS am ON am.oid = ci.relam
JOIN pg_stat_all_indexes AS s ON s.indexrelid = i.indexrelid
WHERE s.idx_scan = 0
  AND NOT i.indisunique
  AND NOT i.indisprimary
  AND NOT i.indisreplident
  AND i.indisvalid
  AND NOT EXISTS (
      SELECT 1
      FROM pg_constraint AS con
      -- conrelid first: pg_constraint has an index on it, none on conindid (a full scan per index otherwise).
      WHERE con.conrelid = i.indrelid
        AND con.conindid = i.indexrelid
        AND con.contype IN ('p', 'u', 'x')
  )
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
  AND n.nspname NOT LIKE 'pg_temp%'
  AND n.nspname <> 'orchestra_admin'
ORDER BY index_bytes DESC, index_name;
