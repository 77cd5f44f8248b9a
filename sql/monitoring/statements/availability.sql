-- pg_stat_statements availability: whether the extension is created in this database (pg_extension)
-- and whether its library is preloaded (the shared_preload_libraries setting). Without the library,
-- reading the view fails with 55000 "pg_stat_statements must be loaded via shared_preload_libraries".
-- shared_preload_libraries is read through pg_settings, which hides it (NULL here) from a role without
-- pg_read_all_settings (pg_monitor has it) instead of failing like current_setting() would.
-- extension_schema is quoted by PostgreSQL (quote_ident), to qualify the view and the reset function.
-- Always exactly one row.
-- Minimum PostgreSQL: 9.4.
-- Idea: PgHero's query_stats_available? and query_stats_enabled? checks.
SELECT
    e.extversion AS extension_version,
    quote_ident(n.nspname) AS extension_schema,
    (SELECT s.setting FROM pg_settings AS s WHERE s.name = 'shared_preload_libraries') AS shared_preload_libraries
FROM (SELECT 1) AS one
LEFT JOIN pg_extension AS e ON e.extname = 'pg_stat_statements'
LEFT JOIN pg_namespace AS n ON n.oid = e.extnamespace;
