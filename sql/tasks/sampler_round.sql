-- The task queue's part of a sampler round (Features/Tasks/TasksMetricSource), one row per metric: counts by
-- status × task type, running, pending (the queue depth), the age of the oldest pending task, tasks completed and
-- failed in the last minute and the last hour. One pass over task_queue per round for all viewers, never per page
-- view (no index of the stack serves counts by status and type). NULL values are not stored.
-- Minimum PostgreSQL: 10.
-- Idea: Oban Web's and River UI's queue counters, read by a periodic job rather than per request.
WITH counts AS (
    SELECT
        COALESCE(t.status, 'pending') AS status,
        t.task_type,
        COUNT(*) AS n,
        MIN(t.created_at) FILTER (WHERE COALESCE(t.status, 'pending') = 'pending') AS oldest_pending,
        COUNT(*) FILTER (WHERE t.status = 'completed' AND t.completed_at >= now() - interval '1 minute') AS completed_last_minute,
        COUNT(*) FILTER (WHERE t.status = 'failed' AND t.completed_at >= now() - interval '1 minute') AS failed_last_minute,
        COUNT(*) FILTER (WHERE t.status = 'completed' AND t.completed_at >= now() - interval '1 hour') AS completed_last_hour,
        COUNT(*) FILTER (WHERE t.status = 'failed' AND t.completed_at >= now() - interval '1 hour') AS failed_last_hour
    FROM task_queue AS t
    GROUP BY 1, 2
)
SELECT 'tasks.count:' || c.status || ':' || c.task_type AS metric, c.n::float8 AS value FROM counts AS c
UNION ALL
SELECT 'tasks.running', COALESCE(SUM(c.n) FILTER (WHERE c.status = 'running'), 0)::float8 FROM counts AS c
UNION ALL
SELECT 'tasks.pending', COALESCE(SUM(c.n) FILTER (WHERE c.status = 'pending'), 0)::float8 FROM counts AS c
UNION ALL
SELECT 'tasks.failed', COALESCE(SUM(c.n) FILTER (WHERE c.status = 'failed'), 0)::float8 FROM counts AS c
UNION ALL
SELECT 'tasks.oldest_pending_seconds', EXTRACT(EPOCH FROM now() - MIN(c.oldest_pending))::float8 FROM counts AS c
UNION ALL
SELECT 'tasks.completed_per_min', COALESCE(SUM(c.completed_last_minute), 0)::float8 FROM counts AS c
UNION ALL
SELECT 'tasks.failed_per_min', COALESCE(SUM(c.failed_last_minute), 0)::float8 FROM counts AS c
UNION ALL
SELECT 'tasks.completed_last_hour', COALESCE(SUM(c.completed_last_hour), 0)::float8 FROM counts AS c
UNION ALL
SELECT 'tasks.failed_last_hour', COALESCE(SUM(c.failed_last_hour), 0)::float8 FROM counts AS c
