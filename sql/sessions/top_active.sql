-- The top entries of the active sessions by user, by IP address and by user agent: who holds the most
-- sessions right now (a shared account, a bot, a NAT gateway). @top rows per dimension.
-- Reads the whole table (no index serves it): shown once per sampler round for all viewers.
-- Minimum PostgreSQL: 9.4.
-- Idea: RedisInsight's "top keys" analysis.
WITH active AS (
    SELECT
        user_id,
        ip_address,
        user_agent
    FROM sessions.sessions
    WHERE deleted_at IS NULL
      AND expires_at > now()
)
(SELECT 'user' AS dimension, user_id AS value, count(*) AS sessions
 FROM active GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT @top)
UNION ALL
(SELECT 'ip', host(ip_address), count(*)
 FROM active GROUP BY ip_address ORDER BY count(*) DESC, ip_address LIMIT @top)
UNION ALL
(SELECT 'user_agent', user_agent, count(*)
 FROM active GROUP BY user_agent ORDER BY count(*) DESC, user_agent LIMIT @top)
