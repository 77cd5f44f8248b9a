-- Tasks running for longer than their type's threshold (a worker that died or hangs): @thresholds is a JSON object of
-- task type → seconds, @default_seconds the rest (OrchestraAdmin:Tasks:StuckThresholdMinutes…). The oldest first.
-- Served by the advised partial index on (started_at) WHERE status = 'running'; without it, a scan of the table
-- (cached per sampler round by the service).
-- Minimum PostgreSQL: 10.
SELECT
    t.id,
    t.task_type,
    COALESCE(t.priority, 0) AS priority,
    t.started_at,
    now() - t.started_at AS running_for,
    th.threshold
FROM task_queue AS t
CROSS JOIN LATERAL (
    SELECT make_interval(secs => COALESCE((@thresholds::jsonb ->> t.task_type)::float8, @default_seconds)) AS threshold
) AS th
WHERE t.status = 'running'
  AND t.started_at < now() - th.threshold
ORDER BY t.started_at, t.id
LIMIT @limit
