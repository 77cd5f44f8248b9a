-- The top-level keys of one collection's documents, most frequent first, from its first 1,000
-- documents through idx_documents_collection: the fallback when the TABLESAMPLE held too few of
-- them (a small collection, or one that is a small share of a large table). Bounded: at most
-- 1,000 rows read; the whole collection when it is that small.
-- enable_seqscan and enable_bitmapscan off (SET LOCAL: this transaction only), as in collection_head.sql: for a rare
-- collection a sequential scan "until 1,000 rows are found" would read the whole table.
-- Minimum PostgreSQL: 9.4.
-- Idea: Compass's schema analysis (a sample of 1,000 documents).
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
WITH docs AS (
    SELECT
        d.data
    FROM documents AS d
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
