-- The top-level keys of one collection's documents with how many sampled documents have each, most
-- frequent first (the column chooser). From a TABLESAMPLE SYSTEM of @sample_percent of the table's
-- pages (the service sizes it to read about 10,000 rows), at most 1,000 documents of the collection.
-- sampled: how many documents the sample held (the service falls back to top_level_keys_head when
-- it is too few, e.g. a small collection in a large table). A document whose data is not an object
-- has no keys (it counts in sampled only).
-- Minimum PostgreSQL: 9.5 (TABLESAMPLE).
-- Idea: Compass's schema analysis (a sample of 1,000 documents).
WITH docs AS (
    SELECT
        d.data
    FROM documents AS d TABLESAMPLE SYSTEM (@sample_percent::real)
    WHERE d.collection = @collection
    LIMIT 1000
),
counted AS (
    SELECT
        docs.data,
        count(*) OVER () AS sampled
    FROM docs
)
SELECT
    k.key,
    count(k.key) AS documents,
    max(c.sampled) AS sampled
FROM counted AS c
LEFT JOIN LATERAL jsonb_object_keys(CASE WHEN jsonb_typeof(c.data) = 'object' THEN c.data ELSE '{}'::jsonb END) AS k(key) ON true
GROUP BY k.key
ORDER BY documents DESC, k.key
LIMIT @limit
