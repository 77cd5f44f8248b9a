-- WAL: level, current position, what has been written since stats_reset (pg_stat_wal) and what is on disk
-- (pg_ls_waldir(): files and bytes in pg_wal, against max_wal_size). wal_buffers_full: times WAL had to be
-- written because wal_buffers was full (often means wal_buffers is too small). current_lsn is NULL on a
-- standby. pg_ls_waldir() needs pg_monitor (or superuser).
-- Always exactly one row.
-- Minimum PostgreSQL: 14 (pg_stat_wal).
-- Idea: the stack's migration guide ("WAL size"), the PostgreSQL manual's WAL configuration chapter.
SELECT
    current_setting('wal_level') AS wal_level,
    pg_is_in_recovery() AS in_recovery,
    CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END AS current_lsn,
    w.wal_records,
    w.wal_fpi AS wal_full_page_images,
    w.wal_bytes::bigint AS wal_bytes,
    w.wal_buffers_full,
    w.stats_reset,
    d.wal_files,
    d.wal_directory_bytes,
    pg_size_bytes(current_setting('max_wal_size')) AS max_wal_size_bytes
FROM pg_stat_wal AS w
CROSS JOIN (
    SELECT
        count(*) AS wal_files,
        COALESCE(sum(f.size), 0)::bigint AS wal_directory_bytes
    FROM pg_ls_waldir() AS f
) AS d;
