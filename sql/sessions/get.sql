-- One session with its data, for the detail page (the service masks the data's sensitive keys).
-- Minimum PostgreSQL: 9.4.
SELECT
    s.session_id,
    s.user_id,
    host(s.ip_address) AS ip_address,
    s.user_agent,
    COALESCE(s.created_at, '-infinity'::timestamptz) AS created_at,
    COALESCE(s.updated_at, '-infinity'::timestamptz) AS updated_at,
    s.expires_at,
    s.deleted_at,
    CASE
        WHEN s.deleted_at IS NOT NULL THEN 'Revoked'
        WHEN s.expires_at <= now() THEN 'Expired'
        ELSE 'Active'
    END AS status,
    s.data::text AS data,
    pg_column_size(s.data) AS size_bytes
FROM sessions.sessions AS s
WHERE s.session_id = @id
