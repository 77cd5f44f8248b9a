-- A task's earlier attempts kept by the dashboard (orchestra_admin.task_attempts, newest first), each with the audit
-- entry of the operation that requeued it (found by its operationId).
-- Minimum PostgreSQL: 10.
SELECT
    a.id,
    a.task_id,
    a.status,
    a.error,
    a.started_at,
    a.finished_at,
    a.requeued_at,
    a.requeued_by,
    (SELECT l.id
     FROM orchestra_admin.audit_log AS l
     WHERE l.parameters ? 'operationId' AND (l.parameters ->> 'operationId') = a.operation_id::text
     ORDER BY l.id
     LIMIT 1) AS audit_id
FROM orchestra_admin.task_attempts AS a
WHERE a.task_id = @id
ORDER BY a.requeued_at DESC, a.id DESC
