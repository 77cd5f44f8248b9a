-- WAL archiving: archive_mode and the archiver's counters (pg_stat_archiver: WAL files archived, the last
-- one and when, failures, the last failure and when). Failing now: the last failure is newer than the
-- last success. archive_command is not shown (it may hold credentials), only whether it is set (NULL:
-- hidden from the dashboard's role); archive_library is NULL before PostgreSQL 15.
-- Always exactly one row.
-- Minimum PostgreSQL: 9.4 (pg_stat_archiver).
-- Idea: the stack's migration guide ("backups and WAL archiving"), pgBackRest/WAL-G monitoring advice.
SELECT
    current_setting('archive_mode') AS archive_mode,
    (SELECT s.setting NOT IN ('', '(disabled)') FROM pg_settings AS s WHERE s.name = 'archive_command') AS archive_command_set,
    (SELECT NULLIF(s.setting, '') FROM pg_settings AS s WHERE s.name = 'archive_library') AS archive_library,
    a.archived_count,
    a.last_archived_wal,
    a.last_archived_time,
    a.failed_count,
    a.last_failed_wal,
    a.last_failed_time,
    a.stats_reset
FROM pg_stat_archiver AS a;
