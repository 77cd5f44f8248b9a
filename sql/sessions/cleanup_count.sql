-- The clean-up's dry run: how many sessions it would hard-delete, i.e. those expired before @cutoff
-- (not revoked) and those revoked before @cutoff. A full pass over the table, run only when an
-- operator asks, under the statement timeout.
-- Minimum PostgreSQL: 9.4.
SELECT
    count(*) FILTER (WHERE deleted_at IS NULL) AS expired,
    count(*) FILTER (WHERE deleted_at IS NOT NULL) AS revoked
FROM sessions.sessions
WHERE (deleted_at IS NULL AND expires_at < @cutoff)
   OR (deleted_at < @cutoff)
