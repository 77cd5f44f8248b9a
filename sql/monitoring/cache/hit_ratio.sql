-- Buffer cache hit ratio for table heap blocks: the share of block reads served from
-- shared_buffers rather than from disk (or the OS cache). Healthy OLTP: above 0.99.
-- hit_ratio is NULL when nothing has been read yet (a fresh database), never a
-- division by zero: the page shows "n/a — no reads yet".
-- The dashboard's own schema is left out: it measures the stack, not itself.
-- Minimum PostgreSQL: 9.2.
-- Idea: the stack's migration guide (its version divided by zero), PgHero's cache hit rate.
SELECT
    COALESCE(SUM(heap_blks_hit), 0)::bigint AS heap_blocks_hit,
    COALESCE(SUM(heap_blks_read), 0)::bigint AS heap_blocks_read,
    (SUM(heap_blks_hit)::float8
        / NULLIF(SUM(heap_blks_hit) + SUM(heap_blks_read), 0)) AS hit_ratio
FROM pg_statio_user_tables
WHERE schemaname <> 'orchestra_admin';
