-- The dry run of a requeue, which is also what the operator confirms (Features/Tasks/TaskActions): pins the failed tasks
-- matching now in orchestra_admin.requeue_confirmed_tasks, each with its row version (xmin: any later update of the row,
-- such as failing again, gives it another), under a new confirmation holding the request and the count, and returns the
-- count. The run then works on exactly these tasks. Deletes the expired confirmations on the way. Template: /*filters*/ as
-- in failed_page.sql, or the ids of a request by ids (AND t.id = ANY(@ids)).
-- Runs under OrchestraAdmin:Tasks:RequeueScanTimeoutSeconds: on a large table without the advised index it scans task_queue.
-- Minimum PostgreSQL: 10.
-- Idea: optimistic concurrency on xmin (as Npgsql's Entity Framework provider uses it as a concurrency token).
WITH expired AS (
    DELETE FROM orchestra_admin.requeue_confirmations AS c
    WHERE c.expires_at < now()
), pinned AS (
    INSERT INTO orchestra_admin.requeue_confirmed_tasks (confirmation_id, task_id, row_version)
    SELECT @confirmation_id, t.id, t.xmin::text::bigint
    FROM task_queue AS t
    WHERE t.status = 'failed'
    /*filters*/
    RETURNING task_id
)
INSERT INTO orchestra_admin.requeue_confirmations (id, actor, request, matched, confirmed_at, expires_at)
SELECT @confirmation_id, @actor, @request::jsonb, count(*), now(), now() + make_interval(secs => @ttl_seconds)
FROM pinned
RETURNING matched, confirmed_at, expires_at
