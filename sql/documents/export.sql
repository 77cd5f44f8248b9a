-- A collection's documents as NDJSON for the export (GET /documents/{collection}/export): one JSON
-- object per document, built by PostgreSQL, read row by row and streamed to the response.
-- A template like page.sql, filled by the same code (DocumentsService.FiltersAsync / Compose):
--   /*filters*/    the page's filter lines, exactly as the grid runs them (never a keyset line:
--                  the export starts at the first page).
--   /*sort_key*/   COALESCE(d.created_at, '-infinity') or the same on updated_at.
--   /*direction*/  ASC or DESC: the grid's order, so the file lists the documents as the pages do.
-- @limit is the export's cap (OrchestraAdmin:Documents:ExportMaxDocuments).
-- The line: id, collection, data, metadata, created_at, updated_at in that order (json_build_object
-- keeps it; jsonb would reorder the keys). Timestamps as PostgreSQL writes them in JSON (ISO 8601);
-- the export's transaction sets TimeZone to UTC, so they end in +00:00. A NULL timestamp is null.
-- json and jsonb text never holds a raw newline (strings escape it), so a line is a document.
-- Minimum PostgreSQL: 12 (jsonpath operators in the filters).
-- Idea: NDJSON (ndjson.org) as mongoexport writes it, one document per line; the rows come
-- from the same keyset-ordered statement as the grid's pages.
SELECT
    json_build_object(
        'id', d.id,
        'collection', d.collection,
        'data', d.data,
        'metadata', d.metadata,
        'created_at', d.created_at,
        'updated_at', d.updated_at
    )::text AS line
FROM documents AS d
WHERE d.collection = @collection
/*filters*/
ORDER BY /*sort_key*/ /*direction*/, d.id /*direction*/
LIMIT @limit
