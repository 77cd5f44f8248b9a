-- The schema of one collection, from a sample of its documents: every key path (nested objects
-- included: address.city; array elements: tags[]; objects inside arrays: items[].sku; a key that
-- holds '.', '[', ']' or '"', or is empty, is written as a JSON string: a."b.c") with how many
-- sampled documents contain it and the JSON types seen there (jsonb_typeof: object, array, string,
-- number, boolean, null), counted both as values and as documents.
--
-- The sample (at most @sample_size documents), one of two reads chosen by @use_tablesample:
--   true:  TABLESAMPLE SYSTEM (@sample_percent) - whole random pages, about @sample_percent % of the
--          table - then this collection's rows among them, @sample_size of them at random (a top-N
--          sort: only @sample_size rows are held). The service sizes the percentage from the
--          collection's size (documents/schema_collection_size) so that it reads a bounded number of pages.
--   false: LIMIT @sample_size through idx_documents_collection: the collection's first documents in
--          index order (not random): the whole collection when it is that small, and the fallback
--          when the sample came back short (a small table, or a collection that is a small share of it).
-- The branch not chosen is never executed (a one-time filter on the parameter).
--
-- Paths are expanded in SQL by a recursive CTE (jsonb_each / jsonb_array_elements) down to
-- @max_depth levels; depth_capped says whether something deeper was left out. Only the @max_paths
-- most frequent paths are returned (ties: shallower first, then by name), total_paths says how many
-- there were; a path's parent is at least as frequent, so the kept paths are whole subtrees from the
-- top. One more row, path NULL, always comes last with sample_size, total_paths and depth_capped
-- (also for an empty sample, or documents without keys).
-- The sample CTE is read several times and holds random(), so PostgreSQL computes it once.
-- Minimum PostgreSQL: 9.5 (TABLESAMPLE).
-- Idea: MongoDB Compass's schema analysis (a sample of 1,000 documents; field paths with their
-- frequency and types).
WITH RECURSIVE sample AS (
    (
        SELECT
            d.id,
            d.data
        FROM documents AS d TABLESAMPLE SYSTEM (@sample_percent::real)
        WHERE @use_tablesample
          AND d.collection = @collection
        ORDER BY random()
        LIMIT @sample_size
    )
    UNION ALL
    (
        SELECT
            d.id,
            d.data
        FROM documents AS d
        WHERE NOT @use_tablesample
          AND d.collection = @collection
        LIMIT @sample_size
    )
),
-- Depth 0 is the document itself; each level below is a member of an object or an element of an array.
nodes (doc_id, path, depth, value) AS (
    SELECT
        s.id,
        '',
        0,
        s.data
    FROM sample AS s
    UNION ALL
    SELECT
        n.doc_id,
        c.path,
        n.depth + 1,
        c.value
    FROM nodes AS n
    CROSS JOIN LATERAL (
        SELECT
            CASE WHEN n.depth = 0 THEN '' ELSE n.path || '.' END
            || CASE WHEN o.key <> '' AND translate(o.key, '.[]"', '') = o.key THEN o.key ELSE to_jsonb(o.key)::text END,
            o.value
        FROM jsonb_each(CASE WHEN jsonb_typeof(n.value) = 'object' THEN n.value ELSE '{}'::jsonb END) AS o
        UNION ALL
        SELECT
            n.path || '[]',
            a.value
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(n.value) = 'array' THEN n.value ELSE '[]'::jsonb END) AS a
    ) AS c (path, value)
    WHERE n.depth < @max_depth
      AND jsonb_typeof(n.value) IN ('object', 'array')
),
typed AS (
    SELECT
        n.path,
        jsonb_typeof(n.value) AS json_type,
        count(*) AS value_count,
        count(DISTINCT n.doc_id) AS document_count
    FROM nodes AS n
    WHERE n.depth > 0
    GROUP BY n.path, jsonb_typeof(n.value)
),
paths AS (
    SELECT
        n.path,
        n.depth,
        count(DISTINCT n.doc_id) AS document_count
    FROM nodes AS n
    WHERE n.depth > 0
    GROUP BY n.path, n.depth
),
ranked AS (
    SELECT
        p.path,
        p.depth,
        p.document_count,
        row_number() OVER (ORDER BY p.document_count DESC, p.depth, p.path COLLATE "C") AS path_rank
    FROM paths AS p
),
summary AS (
    SELECT
        (SELECT count(*) FROM sample) AS sample_size,
        (SELECT count(*) FROM paths) AS total_paths,
        EXISTS (
            SELECT 1
            FROM nodes AS n
            WHERE n.depth = @max_depth
              AND jsonb_typeof(n.value) IN ('object', 'array')
              AND n.value NOT IN ('{}'::jsonb, '[]'::jsonb)
        ) AS depth_capped
)
SELECT
    r.path,
    r.depth,
    r.document_count AS path_document_count,
    t.json_type,
    t.value_count,
    t.document_count,
    s.sample_size,
    s.total_paths,
    s.depth_capped
FROM ranked AS r
JOIN typed AS t ON t.path = r.path
CROSS JOIN summary AS s
WHERE r.path_rank <= @max_paths
UNION ALL
SELECT
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    s.sample_size,
    s.total_paths,
    s.depth_capped
FROM summary AS s
