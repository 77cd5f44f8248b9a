-- One clean-up batch: hard-delete at most @batch_size sessions expired before @cutoff (not revoked) or
-- revoked before @cutoff, in one short transaction. Rows another transaction holds are skipped (SKIP
-- LOCKED: the stack's own writes never wait on the clean-up; a later batch takes them). Returns how
-- many were deleted, their ids and the whole rows as JSON: the audit entry of the batch keeps them.
-- Minimum PostgreSQL: 9.5 (SKIP LOCKED).
WITH doomed AS (
    SELECT
        session_id
    FROM sessions.sessions
    WHERE (deleted_at IS NULL AND expires_at < @cutoff)
       OR (deleted_at < @cutoff)
    LIMIT @batch_size
    FOR UPDATE SKIP LOCKED
), gone AS (
    DELETE FROM sessions.sessions AS s
    USING doomed AS d
    WHERE s.session_id = d.session_id
    RETURNING s.*
)
SELECT
    count(*) AS deleted,
    COALESCE(array_agg(session_id::text ORDER BY session_id), '{}') AS session_ids,
    COALESCE(jsonb_agg(to_jsonb(gone) ORDER BY session_id), '[]')::text AS previous
FROM gone
