-- Current values of the settings the migration guide recommends (@names: the names, from one C# table).
-- setting is in the setting's own unit (e.g. shared_buffers 16384 with unit 8kB): the dashboard converts
-- both the current and the recommended value to bytes, milliseconds or plain numbers before comparing.
-- pending_restart: changed in the configuration but the running server still uses the old value.
-- source: where the current value comes from (default, configuration file, command line, ...).
-- A name missing from the result is unknown to this server or hidden from the dashboard's role.
-- Minimum PostgreSQL: 9.5 (pending_restart).
-- Idea: the stack's migration guide (postgresql.conf recommendations), PgHero's settings page.
SELECT
    s.name,
    s.setting,
    s.unit,
    s.vartype,
    s.source,
    s.context,
    s.pending_restart,
    s.short_desc AS description
FROM pg_settings AS s
WHERE s.name = ANY(@names)
ORDER BY s.name;
