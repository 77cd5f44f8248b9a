-- One batch of a requeue (failed → pending), its own short transaction (Features/Tasks/TaskActions). The batch's tasks
-- (@batch_ids, at most the batch size) come from the operator's confirmation, each with the row version the dry run saw
-- (@batch_versions). Template: /*filters*/ is the confirmed filter (the lines of failed_page.sql), or the confirmed ids.
--   picked:   the batch's tasks by primary key, only while still failed and still the row the dry run saw (xmin: a task
--             that failed again since is another row version), locked FOR UPDATE SKIP LOCKED: a row another transaction
--             holds is skipped, never waited for, so workers and a second operator are never blocked;
--   updated:  status = 'pending', started_at / completed_at / error cleared, the priority set when @new_priority is
--             given, guarded by status = 'failed' and the filter: a task whose error (or any filtered field) no longer
--             matches is left as it is; returns each requeued task's previous attempt (picked's values);
--   attempts: those previous attempts (error, status, timestamps) kept in orchestra_admin.task_attempts.
-- No join between the CTEs (the planner cannot size them and would compare every pair): updated carries what attempts
-- needs, and the outcome looks its ids up in a hashed subplan.
-- Returns every task of the batch with its outcome: requeued, or why it was skipped (no_longer_failed,
-- no_longer_matching, changed: still failed and matching but not the row confirmed, locked: held by another transaction).
-- Minimum PostgreSQL: 9.5 (SKIP LOCKED).
-- Idea: the stack's own dequeue (FOR UPDATE SKIP LOCKED); Oban's and River's batched retries; xmin as a concurrency token.
WITH batch AS (
    SELECT b.task_id, b.row_version
    FROM unnest(@batch_ids::uuid[], @batch_versions::bigint[]) AS b(task_id, row_version)
), picked AS (
    SELECT t.id, t.status, t.error, t.priority, t.created_at, t.started_at, t.completed_at
    FROM task_queue AS t
    JOIN batch AS b ON b.task_id = t.id
    WHERE t.status = 'failed'
      AND t.xmin::text::bigint = b.row_version
    FOR UPDATE OF t SKIP LOCKED
), updated AS (
    UPDATE task_queue AS t
    SET status = 'pending',
        started_at = NULL,
        completed_at = NULL,
        error = NULL,
        priority = COALESCE(@new_priority, t.priority)
    FROM picked AS p
    WHERE t.id = p.id
      AND t.status = 'failed'
    /*filters*/
    RETURNING t.id, p.status, p.error, p.priority, p.created_at, p.started_at, p.completed_at
), attempts AS (
    INSERT INTO orchestra_admin.task_attempts
        (task_id, operation_id, action, status, error, priority, created_at, started_at, finished_at, requeued_by)
    SELECT u.id, @operation_id, 'task.requeue', u.status, u.error, u.priority, u.created_at, u.started_at, u.completed_at, @actor
    FROM updated AS u
)
SELECT
    b.task_id AS id,
    CASE
        WHEN b.task_id IN (SELECT u.id FROM updated AS u) THEN 'requeued'
        WHEN t.id IS NULL OR t.status IS DISTINCT FROM 'failed' THEN 'no_longer_failed'
        WHEN (TRUE
    /*filters*/
             ) IS NOT TRUE THEN 'no_longer_matching'
        WHEN t.xmin::text::bigint <> b.row_version THEN 'changed'
        ELSE 'locked'
    END AS outcome
FROM batch AS b
LEFT JOIN task_queue AS t ON t.id = b.task_id
