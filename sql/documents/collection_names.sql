-- The distinct collection names, from idx_documents_collection only: a "loose index scan" (skip
-- scan) written as a recursive CTE. Each step asks the btree for the first name greater than the
-- previous one (an index descent), so the cost is one descent per collection, never a scan of the
-- table, however many documents each collection holds.
-- Minimum PostgreSQL: 8.4 (WITH RECURSIVE).
-- Idea: the PostgreSQL wiki's "Loose indexscan".
WITH RECURSIVE names AS (
    (
        SELECT d.collection
        FROM documents AS d
        ORDER BY d.collection
        LIMIT 1
    )
    UNION ALL
    SELECT (
        SELECT d.collection
        FROM documents AS d
        WHERE d.collection > n.collection
        ORDER BY d.collection
        LIMIT 1
    )
    FROM names AS n
    WHERE n.collection IS NOT NULL
)
SELECT
    n.collection AS name
FROM names AS n
WHERE n.collection IS NOT NULL
