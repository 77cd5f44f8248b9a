-- Connections at a glance: what the stack's clients are doing in this database, and
-- how close the whole server is to max_connections (a server-wide limit, so "used"
-- counts every client backend, the dashboard's own included: they take slots too).
-- The per-database counts leave out the dashboard's own backends.
-- Minimum PostgreSQL: 10 (backend_type).
-- Idea: the stack's migration guide ("active connections"), PgHero's connections page.
SELECT
    COUNT(*) FILTER (
        WHERE a.datname = current_database()
          AND a.application_name <> 'orchestra-admin'
          AND a.state = 'active') AS active,
    COUNT(*) FILTER (
        WHERE a.datname = current_database()
          AND a.application_name <> 'orchestra-admin'
          AND a.state IN ('idle in transaction', 'idle in transaction (aborted)')) AS idle_in_transaction,
    COUNT(*) FILTER (
        WHERE a.datname = current_database()
          AND a.application_name <> 'orchestra-admin') AS total_in_database,
    COUNT(*) AS used_on_server,
    current_setting('max_connections')::int AS max_connections,
    current_setting('superuser_reserved_connections')::int AS reserved_connections
FROM pg_stat_activity AS a
WHERE a.backend_type = 'client backend';
