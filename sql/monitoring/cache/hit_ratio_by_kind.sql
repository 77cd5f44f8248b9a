-- Buffer cache hit ratios for table heap blocks and for index blocks, separately: an index
-- working set that no longer fits in shared_buffers shows here first. NULL: nothing read yet.
-- The dashboard's own schema is left out.
-- Minimum PostgreSQL: 9.2.
-- Idea: PgHero's cache hit rates (tables and indexes).
SELECT
    (SELECT SUM(heap_blks_hit)::float8 / NULLIF(SUM(heap_blks_hit) + SUM(heap_blks_read), 0)
       FROM pg_statio_user_tables
      WHERE schemaname <> 'orchestra_admin') AS table_hit_ratio,
    (SELECT SUM(idx_blks_hit)::float8 / NULLIF(SUM(idx_blks_hit) + SUM(idx_blks_read), 0)
       FROM pg_statio_user_indexes
      WHERE schemaname <> 'orchestra_admin') AS index_hit_ratio;
