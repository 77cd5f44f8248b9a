-- Vacuum and analyze per table: when each last ran (manually and by autovacuum), how often, and
-- the dead and live row counts from the statistics (n_dead_tup, n_live_tup: estimates kept by
-- PostgreSQL, no table is scanned). dead_ratio is dead / (live + dead), NULL for an empty table.
-- autovacuum_enabled is false when the server's autovacuum is off or the table's reloptions
-- turn it off. Most dead rows first.
-- Minimum PostgreSQL: 9.4 (n_mod_since_analyze).
-- Idea: PgHero's maintenance page; the PostgreSQL documentation's "Routine Vacuuming".
SELECT
    format('%I.%I', s.schemaname, s.relname) AS table_name,
    s.n_live_tup AS live_rows,
    s.n_dead_tup AS dead_rows,
    (s.n_dead_tup::float8 / NULLIF(s.n_live_tup + s.n_dead_tup, 0)) AS dead_ratio,
    s.n_mod_since_analyze AS modified_since_analyze,
    s.last_vacuum,
    s.last_autovacuum,
    s.last_analyze,
    s.last_autoanalyze,
    s.vacuum_count,
    s.autovacuum_count,
    s.analyze_count,
    s.autoanalyze_count,
    (current_setting('autovacuum') = 'on'
        AND COALESCE((
            SELECT o.option_value::bool
            FROM pg_options_to_table(c.reloptions) AS o
            WHERE o.option_name = 'autovacuum_enabled'
        ), true)) AS autovacuum_enabled
FROM pg_stat_all_tables AS s
JOIN pg_class AS c ON c.oid = s.relid
WHERE c.relkind IN ('r', 'm')
  AND s.schemaname NOT IN ('pg_catalog', 'information_schema')
  AND s.schemaname NOT LIKE 'pg_toast%'
  AND s.schemaname NOT LIKE 'pg_temp%'
ORDER BY s.n_dead_tup DESC, table_name
LIMIT @limit;
