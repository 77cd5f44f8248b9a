-- Replication slots (cluster-wide) and the WAL each holds back: retained_bytes is the distance from the
-- slot's restart_lsn to the current WAL position (the replay position on a standby). An inactive slot
-- keeps that WAL on disk until it is used again or dropped, and can fill the disk.
-- wal_status: reserved / extended / unreserved / lost (max_slot_wal_keep_size); safe_wal_size: bytes that
-- can still be written before the slot risks losing WAL (NULL when max_slot_wal_keep_size is unlimited).
-- Minimum PostgreSQL: 13 (wal_status, safe_wal_size).
-- Idea: the stack's migration guide ("replication slots"), PgHero's inactive replication slots check.
SELECT
    s.slot_name::text AS slot_name,
    s.slot_type,
    s.plugin::text AS plugin,
    s.database::text AS database_name,
    s.temporary,
    s.active,
    s.active_pid,
    s.wal_status,
    s.restart_lsn::text AS restart_lsn,
    CASE
        WHEN pg_is_in_recovery() THEN pg_wal_lsn_diff(pg_last_wal_replay_lsn(), s.restart_lsn)
        ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn)
    END::bigint AS retained_bytes,
    s.safe_wal_size
FROM pg_replication_slots AS s
ORDER BY retained_bytes DESC NULLS LAST, s.slot_name;
