-- Sessions by state: active, expired (not yet cleaned up) and revoked (soft-deleted, deleted_at set).
-- One pass over sessions.sessions (no index of the stack serves these counts), so it runs once per
-- sampler round for every viewer together (SessionsMetricSource; the page shows the round's counts),
-- never once per page view.
-- Minimum PostgreSQL: 9.4 (FILTER).
-- Idea: RedisInsight's key counts; the state rules are the stack's (deleted_at = revoked whatever the expiry).
SELECT
    count(*) FILTER (WHERE deleted_at IS NULL AND expires_at > now()) AS active,
    count(*) FILTER (WHERE deleted_at IS NULL AND expires_at <= now()) AS expired,
    count(*) FILTER (WHERE deleted_at IS NOT NULL) AS revoked
FROM sessions.sessions
