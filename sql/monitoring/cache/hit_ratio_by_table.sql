-- Cache hit ratio per table (heap and indexes) for the largest tables: which table's reads go
-- to disk. NULL ratios: nothing read from that table (or its indexes) yet.
-- Minimum PostgreSQL: 9.2.
-- Idea: PgHero's per-table cache view; pg_statio_user_tables.
SELECT
    format('%I.%I', s.schemaname, s.relname) AS table_name,
    pg_total_relation_size(s.relid) AS total_bytes,
    COALESCE(s.heap_blks_hit, 0) AS heap_blocks_hit,
    COALESCE(s.heap_blks_read, 0) AS heap_blocks_read,
    s.heap_blks_hit::float8 / NULLIF(s.heap_blks_hit + s.heap_blks_read, 0) AS table_hit_ratio,
    s.idx_blks_hit::float8 / NULLIF(s.idx_blks_hit + s.idx_blks_read, 0) AS index_hit_ratio
FROM pg_statio_user_tables AS s
ORDER BY total_bytes DESC, table_name
LIMIT @limit;
