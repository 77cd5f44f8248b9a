-- When this database's statistics were last reset: "unused" means "not scanned since then".
-- NULL when they were never reset (counted since the database was created, or since the
-- last crash or immediate shutdown, which also discards statistics).
-- Minimum PostgreSQL: 9.1 (pg_stat_database.stats_reset).
-- Idea: PgHero shows the reset time next to its unused indexes.
SELECT
    d.stats_reset AS statistics_reset_at
FROM pg_stat_database AS d
WHERE d.datname = current_database();
