-- Marks the run of a class whose process stopped writing its heartbeat (it died, or lost its database) as interrupted,
-- so that a new run of the class may start (see sql/admin/008_vector_consistency_runs.sql).
UPDATE orchestra_admin.vector_consistency_runs
SET status = 'interrupted',
    finished_at = now(),
    error = 'no heartbeat since ' || to_char(heartbeat_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC: its dashboard process stopped'
WHERE class_name = @class_name
  AND status = 'running'
  AND heartbeat_at < now() - make_interval(secs => @stale_seconds)
RETURNING id
