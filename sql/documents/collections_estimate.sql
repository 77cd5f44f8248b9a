-- Per collection, what estimates the counts, last updates and sizes of a LARGE documents table
-- without reading it whole:
--   mcv_frequency: ANALYZE's most common values of documents.collection with their frequencies
--     (pg_stats; the planner's own numbers: count ~ frequency x rows). Null for a collection not
--     in that list (the service then shares the rest of the rows out as the planner does).
--   sampled, average_bytes, last_updated_at: from a TABLESAMPLE SYSTEM of @sample_percent of the
--     table's pages (the service sizes it to read about 10,000 rows, so the read is bounded whatever
--     the table's size). average_bytes is over at most 1,000 sampled documents of the collection.
--     last_updated_at is the latest update SEEN IN THE SAMPLE: a lower bound of the true last
--     update (the true one needs a full scan: there is no index on updated_at), shown as approximate.
-- A collection may appear from the statistics only (sampled = 0) or from the sample only.
-- Minimum PostgreSQL: 9.5 (TABLESAMPLE).
-- Idea: the planner's selectivity for "column = constant" (MCV list, then the rest shared out
-- evenly: var_eq_const in selfuncs.c); TABLESAMPLE SYSTEM for a bounded random sample.
WITH mcv AS (
    SELECT
        m.name,
        m.frequency::float8 AS frequency
    FROM pg_class AS c
    JOIN pg_namespace AS n ON n.oid = c.relnamespace
    JOIN pg_stats AS s
      ON s.schemaname = n.nspname
     AND s.tablename = c.relname
     AND s.attname = 'collection'
     AND NOT s.inherited
    -- anyarray to text[] through its text form (quoting round-trips any name).
    CROSS JOIN LATERAL unnest(s.most_common_vals::text::text[], s.most_common_freqs) AS m(name, frequency)
    WHERE c.oid = 'documents'::regclass
),
sampled AS (
    SELECT
        d.collection AS name,
        d.updated_at,
        pg_column_size(d.data) AS size_bytes,
        row_number() OVER (PARTITION BY d.collection) AS n
    FROM documents AS d TABLESAMPLE SYSTEM (@sample_percent::real)
),
sample AS (
    SELECT
        s.name,
        count(*) AS sampled,
        (avg(s.size_bytes) FILTER (WHERE s.n <= 1000))::float8 AS average_bytes,
        max(s.updated_at) AS last_updated_at
    FROM sampled AS s
    GROUP BY s.name
)
SELECT
    COALESCE(s.name, m.name) AS name,
    m.frequency AS mcv_frequency,
    COALESCE(s.sampled, 0) AS sampled,
    s.average_bytes,
    s.last_updated_at
FROM sample AS s
FULL JOIN mcv AS m ON m.name = s.name
