-- Revoke every active session of one user (soft delete), guarded by the state it expects (not revoked,
-- not expired), so a session revoked meanwhile by another operator is not touched twice. Expired
-- sessions are left to the clean-up. One row per revoked session with its previous values.
-- Minimum PostgreSQL: 9.4.
UPDATE sessions.sessions AS s
SET deleted_at = now()
WHERE s.user_id = @user_id
  AND s.deleted_at IS NULL
  AND s.expires_at > now()
RETURNING
    s.session_id,
    jsonb_build_object('session_id', s.session_id, 'deleted_at', NULL) AS previous
