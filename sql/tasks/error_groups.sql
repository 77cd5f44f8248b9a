-- Failed tasks grouped by the fingerprint of their error (orchestra_admin.error_fingerprint, sql/admin/005: the same
-- function "requeue this group" filters on), the largest groups first: count, first and last failure, the task
-- types, and the newest task of the group as its sample. Template: /*filters*/ as in failed_page.sql.
-- Reads every matching failed task (the fingerprint is computed per row, about 20-60 µs each): the service runs it under
-- OrchestraAdmin:Tasks:RequeueScanTimeoutSeconds and shares it between viewers once per sampler round.
-- Minimum PostgreSQL: 10.
-- Idea: Sentry's issue grouping by a normalised message; Oban Web's error view.
WITH failed AS (
    SELECT
        t.id,
        t.task_type,
        COALESCE(t.completed_at, '-infinity'::timestamptz) AS failed_at,
        orchestra_admin.error_fingerprint(t.error) AS fingerprint
    FROM task_queue AS t
    WHERE t.status = 'failed'
    /*filters*/
), groups AS (
    SELECT
        f.fingerprint,
        COUNT(*) AS count,
        MIN(f.failed_at) AS first_seen,
        MAX(f.failed_at) AS last_seen,
        (array_agg(f.id ORDER BY f.failed_at DESC, f.id DESC))[1] AS sample_id,
        array_agg(DISTINCT f.task_type ORDER BY f.task_type) AS task_types
    FROM failed AS f
    GROUP BY f.fingerprint
    ORDER BY COUNT(*) DESC, f.fingerprint
    LIMIT @limit
)
SELECT
    g.fingerprint,
    g.count,
    g.first_seen,
    g.last_seen,
    g.sample_id,
    COALESCE(t.error, '') AS sample_error,
    g.task_types
FROM groups AS g
LEFT JOIN task_queue AS t ON t.id = g.sample_id
ORDER BY g.count DESC, g.fingerprint
