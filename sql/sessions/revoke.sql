-- Revoke one session: a soft delete (deleted_at set; the row stays), guarded by the state it expects
-- (not yet revoked), so revoking twice changes nothing the second time. Returns the previous values
-- (the audit log keeps them); no row when the session is already revoked or gone.
-- Minimum PostgreSQL: 9.4.
UPDATE sessions.sessions AS s
SET deleted_at = now()
WHERE s.session_id = @id
  AND s.deleted_at IS NULL
RETURNING
    jsonb_build_object('session_id', s.session_id, 'user_id', s.user_id, 'deleted_at', NULL, 'expires_at', s.expires_at) AS previous
