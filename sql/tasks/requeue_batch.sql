-- One batch of a requeue (failed → pending), its own short transaction (Features/Tasks/TaskActions):
--   picked:   the batch's tasks by primary key (@ids, at most the batch size), only while still failed, locked
--             FOR UPDATE SKIP LOCKED: a row another transaction holds is skipped, never waited for, so workers and a
--             second operator are never blocked and nothing is touched twice;
--   attempts: each task's previous attempt (error, status, timestamps) kept in orchestra_admin.task_attempts first;
--   updated:  status = 'pending', started_at / completed_at / error cleared, the priority set when @priority is given,
--             guarded again by status = 'failed'.
-- Returns the ids requeued; the others of @ids were skipped (no longer failed, or locked by someone else).
-- Minimum PostgreSQL: 9.5 (SKIP LOCKED).
-- Idea: the stack's own dequeue (FOR UPDATE SKIP LOCKED); Oban's and River's batched retries.
WITH picked AS (
    SELECT t.id, t.status, t.error, t.priority, t.created_at, t.started_at, t.completed_at
    FROM task_queue AS t
    WHERE t.id = ANY(@ids)
      AND t.status = 'failed'
    FOR UPDATE SKIP LOCKED
), attempts AS (
    INSERT INTO orchestra_admin.task_attempts
        (task_id, operation_id, action, status, error, priority, created_at, started_at, finished_at, requeued_by)
    SELECT p.id, @operation_id, 'task.requeue', p.status, p.error, p.priority, p.created_at, p.started_at, p.completed_at, @actor
    FROM picked AS p
)
UPDATE task_queue AS t
SET status = 'pending',
    started_at = NULL,
    completed_at = NULL,
    error = NULL,
    priority = COALESCE(@priority, t.priority)
FROM picked AS p
WHERE t.id = p.id
  AND t.status = 'failed'
RETURNING t.id
