-- The document an operator is about to delete, locked (FOR UPDATE) for the action's transaction:
-- its collection (checked against the one the confirmation showed) and the whole row as JSON for the
-- audit log (to_jsonb of the row: every column by name, timestamps with their microseconds), so
-- nothing is lost: INSERT INTO documents SELECT * FROM jsonb_populate_record(NULL::documents, previous)
-- puts it back exactly.
-- Minimum PostgreSQL: 9.5.
-- Idea: "what an operator removes is kept in the audit log" (DESIGN.md, "Mutations").
SELECT
    d.collection,
    to_jsonb(d)::text AS previous
FROM documents AS d
WHERE d.id = @id
FOR UPDATE OF d
