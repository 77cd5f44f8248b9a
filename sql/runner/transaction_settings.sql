-- The settings a dashboard transaction runs under, for that transaction only (set_config(…, true) is SET LOCAL, so
-- nothing leaks into the pool): statement_timeout always; lock_timeout, TimeZone and read-only where given (NULL
-- leaves the server's own). Minimum PostgreSQL: 9.0. Idea: PgHero's per-query statement timeouts.
SELECT
    set_config('statement_timeout', @statement_timeout_ms::bigint::text, true),
    CASE WHEN @lock_timeout_ms::bigint IS NOT NULL THEN set_config('lock_timeout', @lock_timeout_ms::bigint::text, true) END,
    CASE WHEN @time_zone::text IS NOT NULL THEN set_config('TimeZone', @time_zone::text, true) END,
    CASE WHEN @read_only::boolean THEN set_config('transaction_read_only', 'on', true) END;
