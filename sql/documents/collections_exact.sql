-- Every collection with its exact document count, last update (max updated_at) and average
-- stored size of data (pg_column_size, compressed/TOASTed size as stored): for a SMALL documents
-- table only. The service runs this when documents/table_size estimates fewer rows than its
-- threshold (100,000), where one pass over the table is cheap.
-- A guard against stale statistics: at most @limit rows are read (the service passes the
-- threshold + 1). When the counts add up to more than the threshold, the table is larger than the
-- statistics said: the service drops this result and estimates instead (collections_estimate).
-- Minimum PostgreSQL: 9.4.
-- Idea: Compass's collection list (count, average document size); pg_column_size for the stored size.
SELECT
    s.collection AS name,
    count(*) AS document_count,
    max(s.updated_at) AS last_updated_at,
    avg(s.size_bytes)::float8 AS average_bytes
FROM (
    SELECT
        d.collection,
        d.updated_at,
        pg_column_size(d.data) AS size_bytes
    FROM documents AS d
    LIMIT @limit
) AS s
GROUP BY s.collection
ORDER BY s.collection
