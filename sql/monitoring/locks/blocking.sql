-- Who blocks whom: every backend of this database that waits for a lock held by another, and
-- every backend it waits for (pg_blocking_pids, which also sees parallel workers and lock-queue
-- order). The page builds the tree: roots are blockers that wait for no one.
-- Minimum PostgreSQL: 9.6 (pg_blocking_pids).
-- Idea: PgHero's blocked queries; the PostgreSQL wiki's lock monitoring.
WITH waiting AS (
    SELECT
        a.pid,
        pg_blocking_pids(a.pid) AS blocked_by
    FROM pg_stat_activity AS a
    WHERE a.datname = current_database()
      AND a.wait_event_type = 'Lock'
),
involved AS (
    SELECT pid FROM waiting WHERE cardinality(blocked_by) > 0
    UNION
    SELECT unnest(blocked_by) FROM waiting
)
SELECT
    a.pid,
    COALESCE(w.blocked_by, '{}') AS blocked_by,
    COALESCE(a.usename::text, '') AS user_name,
    a.application_name,
    a.state,
    a.wait_event_type,
    a.wait_event,
    EXTRACT(EPOCH FROM clock_timestamp() - a.query_start)::float8 AS query_seconds,
    EXTRACT(EPOCH FROM clock_timestamp() - a.xact_start)::float8 AS transaction_seconds,
    a.query
FROM involved AS i
JOIN pg_stat_activity AS a ON a.pid = i.pid
LEFT JOIN waiting AS w ON w.pid = a.pid
ORDER BY a.xact_start NULLS LAST, a.pid;
