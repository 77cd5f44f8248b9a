-- Checkpointer and background writer counters since stats_reset (pg_stat_bgwriter, PostgreSQL 15 and 16).
-- checkpoints_requested (forced by max_wal_size filling up, or asked for) should be rare next to
-- checkpoints_timed (checkpoint_timeout): many requested ones mean max_wal_size is too small.
-- buffers_backend: buffers client backends had to write themselves (the bgwriter fell behind).
-- Times in seconds. PostgreSQL 17 moved the checkpoint columns: see checkpoints_pg17.sql.
-- Always exactly one row.
-- Minimum PostgreSQL: 9.2 (checkpoint_write_time); maximum 16.
-- Idea: the stack's migration guide ("checkpoints"), PgHero's maintenance page.
SELECT
    b.checkpoints_timed,
    b.checkpoints_req AS checkpoints_requested,
    (b.checkpoint_write_time / 1000)::float8 AS checkpoint_write_seconds,
    (b.checkpoint_sync_time / 1000)::float8 AS checkpoint_sync_seconds,
    b.buffers_checkpoint,
    b.buffers_clean,
    b.maxwritten_clean,
    b.buffers_backend,
    b.buffers_alloc,
    b.stats_reset
FROM pg_stat_bgwriter AS b;
