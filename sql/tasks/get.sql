-- One task, whole (the detail page), by primary key.
-- Minimum PostgreSQL: 10.
SELECT
    t.id,
    t.task_type,
    COALESCE(t.status, 'pending') AS status,
    COALESCE(t.priority, 0) AS priority,
    t.payload::text AS payload_json,
    COALESCE(t.created_at, '-infinity'::timestamptz) AS created_at,
    t.started_at,
    t.completed_at,
    t.error
FROM task_queue AS t
WHERE t.id = @id
