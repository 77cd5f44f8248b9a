-- Replicas streaming from this server (pg_stat_replication: one row per WAL sender, physical standbys
-- and logical subscribers alike) and how far behind they are: write/flush/replay lag as seconds
-- (PostgreSQL measures them from the standby's replies; NULL when idle) and replay lag in bytes of WAL.
-- replay_lag_bytes is NULL on a standby (pg_current_wal_lsn() is not available during recovery).
-- Without pg_read_all_stats (pg_monitor has it) most columns read NULL.
-- Minimum PostgreSQL: 12 (reply_time; the lag columns 10).
-- Idea: the stack's migration guide ("replication lag"), PgHero's replication page.
SELECT
    r.pid,
    r.usename::text AS user_name,
    r.application_name,
    host(r.client_addr) AS client_address,
    r.state,
    r.sync_state,
    r.sent_lsn::text AS sent_lsn,
    r.replay_lsn::text AS replay_lsn,
    EXTRACT(EPOCH FROM r.write_lag)::float8 AS write_lag_seconds,
    EXTRACT(EPOCH FROM r.flush_lag)::float8 AS flush_lag_seconds,
    EXTRACT(EPOCH FROM r.replay_lag)::float8 AS replay_lag_seconds,
    CASE
        WHEN pg_is_in_recovery() THEN NULL
        ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn)::float8
    END AS replay_lag_bytes,
    r.backend_start,
    r.reply_time
FROM pg_stat_replication AS r
ORDER BY r.application_name, r.pid;
