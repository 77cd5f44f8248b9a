-- The server's version as a number (150004 for 15.4), to choose version-specific features and queries.
-- Minimum PostgreSQL: 8.2.
-- Idea: SHOW server_version_num, as drivers and PgHero use it.
SELECT
    current_setting('server_version_num')::int AS server_version_num;
