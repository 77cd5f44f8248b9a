-- Sessions idle inside an open transaction: they hold locks and snapshots (blocking vacuum) while
-- doing nothing. Longest first, with how long the transaction and the idleness have lasted.
-- Minimum PostgreSQL: 10.
-- Idea: pg_activity, PgHero; idle_in_transaction_session_timeout exists because of this.
SELECT
    a.pid,
    COALESCE(a.usename::text, '') AS user_name,
    a.application_name,
    host(a.client_addr) AS client_address,
    a.state,
    EXTRACT(EPOCH FROM clock_timestamp() - a.xact_start)::float8 AS transaction_seconds,
    EXTRACT(EPOCH FROM clock_timestamp() - a.state_change)::float8 AS idle_seconds,
    a.query AS last_query
FROM pg_stat_activity AS a
WHERE a.datname = current_database()
  AND a.backend_type = 'client backend'
  AND a.state IN ('idle in transaction', 'idle in transaction (aborted)')
  AND a.application_name <> 'orchestra-admin'
ORDER BY a.xact_start;
