-- Tables read mostly by sequential scans: candidates for a missing index. Only tables with at
-- least @min_rows live rows (pg_stat_all_tables.n_live_tup), so small tables, which are rightly
-- read whole, do not show; and only where fewer than 95 % of the scans used an index.
-- rows_per_seq_scan is how many rows each sequential scan read on average: large means a
-- query filters a big table without an index (pg_stat_statements then names the query).
-- Minimum PostgreSQL: 9.1.
-- Idea: PgHero's "missing indexes" (index usage below 95 % on tables over 10,000 rows).
SELECT
    format('%I.%I', s.schemaname, s.relname) AS table_name,
    s.seq_scan AS seq_scans,
    s.seq_tup_read AS seq_rows_read,
    COALESCE(s.idx_scan, 0) AS index_scans,
    s.n_live_tup AS live_rows,
    pg_relation_size(s.relid) AS table_bytes,
    (s.seq_tup_read::float8 / s.seq_scan) AS rows_per_seq_scan,
    (100.0 * COALESCE(s.idx_scan, 0) / (s.seq_scan + COALESCE(s.idx_scan, 0)))::float8 AS index_scan_percent
FROM pg_stat_all_tables AS s
WHERE s.seq_scan > 0
  AND s.n_live_tup >= @min_rows
  AND 100.0 * COALESCE(s.idx_scan, 0) / (s.seq_scan + COALESCE(s.idx_scan, 0)) < 95
  AND s.schemaname NOT IN ('pg_catalog', 'information_schema')
  AND s.schemaname NOT LIKE 'pg_toast%'
  AND s.schemaname NOT LIKE 'pg_temp%'
ORDER BY s.seq_tup_read DESC, table_name
LIMIT @limit;
