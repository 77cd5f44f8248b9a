-- Whether any session is left for the clean-up (expired or revoked before @cutoff): read between
-- batches, it stops at the first such row.
-- Minimum PostgreSQL: 9.4.
SELECT EXISTS (
    SELECT
    FROM sessions.sessions
    WHERE (deleted_at IS NULL AND expires_at < @cutoff)
       OR (deleted_at < @cutoff)
)
