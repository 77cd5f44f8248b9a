-- Who is connected to this database: client backends grouped by state, application, user and
-- client address (the page sums them per dimension). The dashboard's own connections are
-- grouped like the others but flagged, so they can be told apart.
-- Minimum PostgreSQL: 10 (backend_type).
-- Idea: PgHero's connection sources; pg_activity's client view.
SELECT
    COALESCE(a.state, 'unknown') AS state,
    a.application_name AS application_name,
    COALESCE(a.usename::text, '') AS user_name,
    COALESCE(host(a.client_addr), 'local socket') AS client_address,
    (a.application_name = 'orchestra-admin') AS is_dashboard,
    COUNT(*) AS connections
FROM pg_stat_activity AS a
WHERE a.backend_type = 'client backend'
  AND a.datname = current_database()
GROUP BY 1, 2, 3, 4, 5
ORDER BY connections DESC;
