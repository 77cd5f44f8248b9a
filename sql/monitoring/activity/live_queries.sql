-- Every query running now in this database (state other than idle), longest first, with what it
-- waits on. The dashboard's own backends are listed but flagged (no actions are offered on them);
-- the backend running this query is left out.
-- Minimum PostgreSQL: 10 (backend_type).
-- Idea: pg_activity's running queries, PgHero's live queries.
SELECT
    a.pid,
    COALESCE(a.usename::text, '') AS user_name,
    a.application_name,
    host(a.client_addr) AS client_address,
    a.state,
    a.wait_event_type,
    a.wait_event,
    a.backend_start,
    a.query_start,
    EXTRACT(EPOCH FROM clock_timestamp() - a.query_start)::float8 AS duration_seconds,
    EXTRACT(EPOCH FROM clock_timestamp() - a.xact_start)::float8 AS transaction_seconds,
    (a.application_name = 'orchestra-admin') AS is_dashboard,
    a.query
FROM pg_stat_activity AS a
WHERE a.datname = current_database()
  AND a.backend_type = 'client backend'
  AND a.state IS DISTINCT FROM 'idle'
  AND a.pid <> pg_backend_pid()
ORDER BY a.query_start NULLS LAST;
