-- Top statements of this database from pg_stat_statements, ordered by one measure chosen from a fixed
-- list (@order: 'total_time', 'mean_time', 'calls' or 'rows'; the C# side maps an enum to these).
-- Times are milliseconds, as pg_stat_statements keeps them. hit_ratio: shared blocks found in
-- shared_buffers over all shared blocks the statement touched (NULL when it touched none).
-- share_of_total_time: the statement's part of all execution time recorded for this database.
-- The view is cluster-wide: filtered to the current database by dbid. The dashboard qualifies the view
-- with the extension's schema (quoted by PostgreSQL), so a schema off the search_path works too.
-- Minimum PostgreSQL: 13 (total_exec_time, mean_exec_time, max_exec_time; 9.4-12 call them *_time).
-- Idea: the stack's migration guide ("slowest queries" from pg_stat_statements), PgHero's query stats.
SELECT
    s.queryid AS query_id,
    r.rolname::text AS user_name,
    s.query,
    s.calls,
    s.total_exec_time AS total_ms,
    s.mean_exec_time AS mean_ms,
    s.max_exec_time AS max_ms,
    s.rows,
    s.shared_blks_hit AS shared_blocks_hit,
    s.shared_blks_read AS shared_blocks_read,
    s.shared_blks_hit::float8 / NULLIF(s.shared_blks_hit + s.shared_blks_read, 0) AS hit_ratio,
    s.total_exec_time / NULLIF(sum(s.total_exec_time) OVER (), 0) AS share_of_total_time
FROM pg_stat_statements AS s
LEFT JOIN pg_roles AS r ON r.oid = s.userid
WHERE s.dbid = (SELECT d.oid FROM pg_database AS d WHERE d.datname = current_database())
ORDER BY
    CASE @order
        WHEN 'total_time' THEN s.total_exec_time
        WHEN 'mean_time' THEN s.mean_exec_time
        WHEN 'calls' THEN s.calls::float8
        WHEN 'rows' THEN s.rows::float8
    END DESC,
    s.total_exec_time DESC
LIMIT @limit;
