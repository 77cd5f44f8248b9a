-- One cache table's entries at a glance: live and expired (not yet purged) counts, the expiry histogram
-- (expired, < 1 h, 1-24 h, > 24 h), the average and largest stored value size (pg_column_size, compressed as
-- stored) and the mean and largest access_count. One pass over the table, or over a sample of it.
-- This file is a template: the service fills the markers with fixed fragments from code (never with input):
--   /*table*/         the table's name as discovery returned it, quoted by PostgreSQL (format('%I.%I')).
--   /*sample*/        nothing (a small table: exact) or TABLESAMPLE SYSTEM (@sample_percent) (a large one: the
--                     counts are scaled up to the planner's row estimate by the service and shown with ≈).
--   /*access_count*/  t.access_count, or NULL::bigint when the table has no such column.
-- Minimum PostgreSQL: 9.5 (TABLESAMPLE, FILTER).
-- Idea: RedisInsight's memory analysis (key sizes, expiry distribution); pghero's sampled table statistics.
SELECT
    count(*) AS sampled,
    count(*) FILTER (WHERE t.expires_at <= now()) AS expired,
    count(*) FILTER (WHERE t.expires_at > now() AND t.expires_at <= now() + interval '1 hour') AS under_one_hour,
    count(*) FILTER (WHERE t.expires_at > now() + interval '1 hour' AND t.expires_at <= now() + interval '24 hours') AS one_to_24_hours,
    count(*) FILTER (WHERE t.expires_at > now() + interval '24 hours') AS over_24_hours,
    avg(pg_column_size(t.value))::float8 AS average_bytes,
    max(pg_column_size(t.value))::bigint AS largest_bytes,
    avg(/*access_count*/)::float8 AS mean_access_count,
    max(/*access_count*/)::bigint AS max_access_count
FROM /*table*/ AS t /*sample*/
