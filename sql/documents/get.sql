-- One document by id: its JSON as text, metadata (the JSON text 'null' when the column is NULL),
-- timestamps and stored size (pg_column_size: compressed/TOASTed as stored).
-- NULL timestamps read as -infinity, as in documents/page (the dashboard's records have no NULL time).
-- Minimum PostgreSQL: 9.4.
-- Idea: Compass's document view.
SELECT
    d.id,
    d.collection,
    d.data::text AS data,
    COALESCE(d.metadata::text, 'null') AS metadata,
    COALESCE(d.created_at, '-infinity'::timestamptz) AS created_at,
    COALESCE(d.updated_at, '-infinity'::timestamptz) AS updated_at,
    pg_column_size(d.data) AS size_bytes
FROM documents AS d
WHERE d.id = @id
