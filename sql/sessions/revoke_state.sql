-- Why a revoke changed nothing: the session's deleted_at (NULL row: it does not exist).
-- Minimum PostgreSQL: 9.4.
SELECT
    s.deleted_at
FROM sessions.sessions AS s
WHERE s.session_id = @id
