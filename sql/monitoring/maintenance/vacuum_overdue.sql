-- Tables overdue for vacuum: more dead rows than the threshold at which autovacuum vacuums the
-- table, autovacuum_vacuum_threshold + autovacuum_vacuum_scale_factor * reltuples, with the
-- table's own reloptions taking precedence over the server settings (as autovacuum does;
-- reltuples < 0, never vacuumed or analyzed, counts as 0, as autovacuum does). A table stays
-- here while autovacuum is off for it, cannot keep up, or has not got to it yet (it checks each
-- database every autovacuum_naptime). vacuum_running: a VACUUM is processing it now.
-- vacuum_statement is what an operator could run.
-- Minimum PostgreSQL: 9.6 (pg_stat_progress_vacuum).
-- Idea: the PostgreSQL documentation's "The Autovacuum Daemon" (vacuum threshold formula);
-- PgHero's maintenance page.
WITH t AS (
    SELECT
        s.relid,
        s.schemaname,
        s.relname,
        s.n_dead_tup,
        s.n_live_tup,
        s.last_vacuum,
        s.last_autovacuum,
        GREATEST(c.reltuples, 0)::float8 AS reltuples,
        COALESCE(
            (SELECT o.option_value::bigint FROM pg_options_to_table(c.reloptions) AS o
             WHERE o.option_name = 'autovacuum_vacuum_threshold'),
            current_setting('autovacuum_vacuum_threshold')::bigint) AS base_threshold,
        COALESCE(
            (SELECT o.option_value::float8 FROM pg_options_to_table(c.reloptions) AS o
             WHERE o.option_name = 'autovacuum_vacuum_scale_factor'),
            current_setting('autovacuum_vacuum_scale_factor')::float8) AS scale_factor,
        (current_setting('autovacuum') = 'on'
            AND COALESCE(
                (SELECT o.option_value::bool FROM pg_options_to_table(c.reloptions) AS o
                 WHERE o.option_name = 'autovacuum_enabled'),
                true)) AS autovacuum_enabled
    FROM pg_stat_all_tables AS s
    JOIN pg_class AS c ON c.oid = s.relid
    WHERE c.relkind IN ('r', 'm')
      AND s.schemaname NOT IN ('pg_catalog', 'information_schema')
      AND s.schemaname NOT LIKE 'pg_toast%'
      AND s.schemaname NOT LIKE 'pg_temp%'
)
SELECT
    format('%I.%I', t.schemaname, t.relname) AS table_name,
    t.n_dead_tup AS dead_rows,
    t.n_live_tup AS live_rows,
    (t.base_threshold + t.scale_factor * t.reltuples)::float8 AS vacuum_threshold,
    t.base_threshold,
    t.scale_factor,
    t.autovacuum_enabled,
    t.last_vacuum,
    t.last_autovacuum,
    EXISTS (
        SELECT 1
        FROM pg_stat_progress_vacuum AS p
        WHERE p.relid = t.relid
    ) AS vacuum_running,
    format('VACUUM (VERBOSE, ANALYZE) %I.%I;', t.schemaname, t.relname) AS vacuum_statement
FROM t
WHERE t.n_dead_tup > t.base_threshold + t.scale_factor * t.reltuples
ORDER BY t.n_dead_tup DESC, table_name;
