-- Checkpointer and background writer counters since stats_reset, PostgreSQL 17 and later: the checkpoint
-- columns moved from pg_stat_bgwriter to pg_stat_checkpointer; the writes of client backends moved to
-- pg_stat_io (buffers_backend is NULL here). Same columns as checkpoints.sql otherwise.
-- Always exactly one row.
-- Minimum PostgreSQL: 17.
-- Idea: the stack's migration guide ("checkpoints"), PgHero's maintenance page.
SELECT
    c.num_timed AS checkpoints_timed,
    c.num_requested AS checkpoints_requested,
    (c.write_time / 1000)::float8 AS checkpoint_write_seconds,
    (c.sync_time / 1000)::float8 AS checkpoint_sync_seconds,
    c.buffers_written AS buffers_checkpoint,
    b.buffers_clean,
    b.maxwritten_clean,
    NULL::bigint AS buffers_backend,
    b.buffers_alloc,
    c.stats_reset
FROM pg_stat_checkpointer AS c
CROSS JOIN pg_stat_bgwriter AS b;
