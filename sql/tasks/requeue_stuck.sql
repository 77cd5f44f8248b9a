-- Requeue stuck tasks (running → pending) in the operator's transaction: only tasks still running for longer than
-- their type's threshold (@thresholds / @default_seconds as in stuck.sql), locked FOR UPDATE SKIP LOCKED (a worker
-- finishing one right now holds it: skipped). The attempt as it was goes to orchestra_admin.task_attempts first.
-- Returns the rows as they were (for the audit log).
-- Minimum PostgreSQL: 9.5.
WITH picked AS (
    SELECT t.id, t.task_type, t.status, t.error, t.priority, t.created_at, t.started_at, t.completed_at
    FROM task_queue AS t
    WHERE t.id = ANY(@ids)
      AND t.status = 'running'
      AND t.started_at < now() - make_interval(secs => COALESCE((@thresholds::jsonb ->> t.task_type)::float8, @default_seconds))
    FOR UPDATE SKIP LOCKED
), attempts AS (
    INSERT INTO orchestra_admin.task_attempts
        (task_id, operation_id, action, status, error, priority, created_at, started_at, finished_at, requeued_by)
    SELECT p.id, @operation_id, 'task.requeue-stuck', p.status, p.error, p.priority, p.created_at, p.started_at, p.completed_at, @actor
    FROM picked AS p
), updated AS (
    UPDATE task_queue AS t
    SET status = 'pending',
        started_at = NULL,
        completed_at = NULL,
        error = NULL
    FROM picked AS p
    WHERE t.id = p.id
      AND t.status = 'running'
    RETURNING t.id
)
SELECT p.id, to_jsonb(p)::text AS previous_json
FROM picked AS p
JOIN updated AS u ON u.id = p.id
