-- Extend one session's expiry: from its current expiry, or from now when it has already passed, by
-- @extend_seconds. Guarded: a revoked session is not extended, and the expiry must still be the one
-- the operator saw (@expected_expires_at), so two operators extending at once do not add up.
-- Returns the previous and the new expiry; no row when the guard did not hold.
-- Minimum PostgreSQL: 9.4.
UPDATE sessions.sessions AS s
SET expires_at = GREATEST(s.expires_at, now()) + make_interval(secs => @extend_seconds)
FROM (
    SELECT
        session_id,
        expires_at
    FROM sessions.sessions
    WHERE session_id = @id
    FOR UPDATE
) AS old
WHERE s.session_id = old.session_id
  AND s.deleted_at IS NULL
  AND s.expires_at = @expected_expires_at
RETURNING
    old.expires_at AS previous_expires_at,
    s.expires_at AS new_expires_at
