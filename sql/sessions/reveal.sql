-- One session's id and unmasked data, read inside the audited "session.reveal" action (the page shows the
-- one revealed: the data, or the full id, which the stack may use as the session cookie).
-- Minimum PostgreSQL: 9.4.
SELECT
    s.session_id,
    s.data::text AS data
FROM sessions.sessions AS s
WHERE s.session_id = @id
