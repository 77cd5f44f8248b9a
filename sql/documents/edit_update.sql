-- Saves an operator's edit of a document's data, only if it is still the version the editor
-- loaded (guarded again by updated_at although documents/edit_lock holds the row lock: the
-- convention is that every update states what it expects). Sets updated_at = now(), the start of
-- the action's transaction, which also wrote the audit row.
-- Returns the new updated_at: the version the editor compares against next time.
-- Minimum PostgreSQL: 9.4.
-- Idea: optimistic concurrency (UPDATE ... WHERE version = @expected).
UPDATE documents AS d
SET
    data = @data::jsonb,
    updated_at = now()
WHERE d.id = @id
  AND COALESCE(d.updated_at, '-infinity'::timestamptz) = @expected_updated_at
RETURNING
    d.updated_at
