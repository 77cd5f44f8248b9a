-- Who wrote a document's current version, when it was the dashboard: the successful audit row for
-- this document written by the SAME transaction as the row version (audit_log.xmin = documents.xmin;
-- every dashboard action writes its change and its audit row in one transaction). No row: the
-- current version was written outside the dashboard (by the stack, psql, a migration ...), and the
-- caller says "changed at <updated_at> outside the dashboard".
-- The target_ids GIN index finds this document's audit rows; xmin then picks the one (a
-- transaction id repeats only after ~4 billion transactions, and then also has to match the id).
-- Minimum PostgreSQL: 9.4.
-- Idea: PostgreSQL's xmin system column as the row version's writer.
SELECT
    a.actor,
    a.action,
    a.occurred_at
FROM documents AS d
JOIN orchestra_admin.audit_log AS a
  ON a.xmin = d.xmin
WHERE d.id = @id
  AND a.target_table = 'documents'
  AND a.target_ids @> ARRAY[@id_text]::text[]
  AND a.succeeded
ORDER BY a.id DESC
LIMIT 1
