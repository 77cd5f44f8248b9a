-- What the schema sampler (documents/schema_paths) sizes its sample from, without reading the table:
--   counted: the collection's documents counted through idx_documents_collection, but no more than
--     @probe of them (at most @probe index entries read). counted < @probe: the exact size.
--   mcv_frequency: ANALYZE's frequency of this collection among all documents (pg_stats most common
--     values; null when it is not in that list or the table was never analyzed): for a collection
--     larger than @probe, its size is about mcv_frequency x rows.
--   reltuples, relpages: the table's rows and pages at the last VACUUM/ANALYZE (reltuples -1 on
--     PostgreSQL 14+ when never analyzed); pages: its size now (the service scales reltuples by
--     pages / relpages, as the planner does).
-- Minimum PostgreSQL: 9.4.
-- Idea: the planner's selectivity for "column = constant" (MCV list: var_eq_const in selfuncs.c);
-- a capped count through an index (count what is cheap, estimate the rest).
SELECT
    (
        SELECT count(*)
        FROM (
            SELECT 1
            FROM documents AS d
            WHERE d.collection = @collection
            LIMIT @probe
        ) AS p
    ) AS counted,
    (
        SELECT m.frequency::float8
        FROM pg_stats AS s
        -- anyarray to text[] through its text form (quoting round-trips any name).
        CROSS JOIN LATERAL unnest(s.most_common_vals::text::text[], s.most_common_freqs) AS m(name, frequency)
        WHERE s.schemaname = n.nspname
          AND s.tablename = c.relname
          AND s.attname = 'collection'
          AND NOT s.inherited
          AND m.name = @collection
        LIMIT 1
    ) AS mcv_frequency,
    c.reltuples::float8 AS reltuples,
    c.relpages::bigint AS relpages,
    pg_relation_size(c.oid) / current_setting('block_size')::bigint AS pages
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = 'documents'::regclass
