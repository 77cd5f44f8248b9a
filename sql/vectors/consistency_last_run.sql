-- The newest check of a class, as the page shows it: a 'running' row whose heartbeat is older than the stale limit
-- is shown as interrupted (its process stopped), though only the next start marks it so.
SELECT
    id,
    class_name,
    text_property,
    provider,
    model,
    class_dimensions,
    sample_size,
    threshold,
    actor,
    instance,
    CASE WHEN status = 'running' AND heartbeat_at < now() - make_interval(secs => @stale_seconds)
         THEN 'interrupted' ELSE status END AS status,
    started_at,
    heartbeat_at,
    finished_at,
    sampled,
    compared,
    cancel_requested_by,
    error,
    result::text AS result_json
FROM orchestra_admin.vector_consistency_runs
WHERE class_name = @class_name
ORDER BY started_at DESC, id DESC
LIMIT 1
