-- The document an operator is about to overwrite, locked (FOR UPDATE) for the rest of the action's
-- transaction, so nobody can change it between this check and the UPDATE:
--   unchanged: its updated_at is still the one the editor loaded. Both sides are PostgreSQL's own
--     microsecond values (the service truncates the .NET value to microseconds, so no rounding of
--     100 ns ticks can make equal values differ). A NULL updated_at reads as -infinity, as in
--     documents/get.
--   previous: the whole row as JSON (to_jsonb of the row: every column by name, timestamps with
--     their microseconds), for the audit log; jsonb_populate_record(NULL::documents, previous)
--     gives the row back.
--   written_by_xid: the transaction that wrote this version (xmin), to tell whether the dashboard did.
-- Minimum PostgreSQL: 9.5.
-- Idea: optimistic concurrency on a version column (the Compass/Mongo "document changed" check),
-- with the row lock of the usual SELECT ... FOR UPDATE guard.
SELECT
    d.collection,
    COALESCE(d.updated_at, '-infinity'::timestamptz) = @expected_updated_at AS unchanged,
    COALESCE(d.updated_at, '-infinity'::timestamptz) AS updated_at,
    to_jsonb(d)::text AS previous
FROM documents AS d
WHERE d.id = @id
FOR UPDATE OF d
