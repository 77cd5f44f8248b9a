-- The tasks a requeue works through: those its confirmation pinned, with the row version each had then, read once as the
-- run starts (each batch then takes its tasks by primary key). By the primary key's order.
-- Minimum PostgreSQL: 10.
SELECT
    c.task_id,
    c.row_version
FROM orchestra_admin.requeue_confirmed_tasks AS c
WHERE c.confirmation_id = @confirmation_id
ORDER BY c.task_id
