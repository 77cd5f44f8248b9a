-- The documents table's size as the planner sees it: what the Documents page decides from whether
-- counting is cheap (an exact count) or must be estimated, and how large a TABLESAMPLE to take.
-- reltuples/relpages are from the last VACUUM/ANALYZE; pages is the size now. The service scales
-- reltuples by pages / relpages, as the planner does (a table that grew since its last ANALYZE
-- is not mistaken for a small one). reltuples is -1 (PostgreSQL 14+) or relpages 0 when the table
-- was never vacuumed or analyzed: then the row count is unknown here.
-- has_collection_stats: ANALYZE has statistics (most common values) for documents.collection.
-- Reads the catalog only, never the table.
-- Minimum PostgreSQL: 9.4 (pg_stats, pg_relation_size).
-- Idea: the planner's own estimate (plancache/estimate_rel_size); PgHero's "row estimates".
SELECT
    c.reltuples::float8 AS reltuples,
    c.relpages::bigint AS relpages,
    pg_relation_size(c.oid) / current_setting('block_size')::bigint AS pages,
    EXISTS (
        SELECT 1
        FROM pg_stats AS s
        WHERE s.schemaname = n.nspname
          AND s.tablename = c.relname
          AND s.attname = 'collection'
          AND NOT s.inherited
    ) AS has_collection_stats
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = 'documents'::regclass
