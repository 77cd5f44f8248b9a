-- Deletes one document, guarded by the collection the operator confirmed (the row is locked by
-- documents/delete_lock in the same transaction, which also writes the audit row with the whole row).
-- Minimum PostgreSQL: 9.4.
-- Idea: a guarded DELETE (... AND the state the operator saw).
DELETE FROM documents AS d
WHERE d.id = @id
  AND d.collection = @collection
