-- One sampler round: the cheap metrics kept as history, one row per metric (NULL values are not
-- stored). Counters (xact.*) are stored raw; rates are derived when read. Statistics views and
-- catalog functions only; the dashboard's own connections are left out of the connection counts.
-- Minimum PostgreSQL: 10.
-- Idea: PgHero's historical stats; Hangfire/Oban dashboards' per-interval counters.
WITH clients AS (
    SELECT a.state, a.wait_event_type, a.query_start
    FROM pg_stat_activity AS a
    WHERE a.datname = current_database()
      AND a.backend_type = 'client backend'
      AND a.application_name <> 'orchestra-admin'
)
SELECT 'connections.active' AS metric, COUNT(*) FILTER (WHERE state = 'active')::float8 AS value FROM clients
UNION ALL
SELECT 'connections.idle', COUNT(*) FILTER (WHERE state = 'idle')::float8 FROM clients
UNION ALL
SELECT 'connections.idle_in_transaction', COUNT(*) FILTER (WHERE state LIKE 'idle in transaction%')::float8 FROM clients
UNION ALL
SELECT 'connections.waiting_on_locks', COUNT(*) FILTER (WHERE wait_event_type = 'Lock')::float8 FROM clients
UNION ALL
SELECT 'queries.long_running', COUNT(*) FILTER (WHERE state = 'active' AND query_start < clock_timestamp() - make_interval(secs => @longRunningSeconds))::float8 FROM clients
UNION ALL
SELECT 'connections.used_on_server', COUNT(*)::float8 FROM pg_stat_activity WHERE backend_type = 'client backend'
UNION ALL
SELECT 'cache.hit_ratio', SUM(heap_blks_hit)::float8 / NULLIF(SUM(heap_blks_hit) + SUM(heap_blks_read), 0)
FROM pg_statio_user_tables WHERE schemaname <> 'orchestra_admin'
UNION ALL
SELECT 'xact.committed', xact_commit::float8 FROM pg_stat_database WHERE datname = current_database()
UNION ALL
SELECT 'xact.rolled_back', xact_rollback::float8 FROM pg_stat_database WHERE datname = current_database()
UNION ALL
SELECT 'database.size_bytes', pg_database_size(current_database())::float8;
