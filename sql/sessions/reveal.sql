-- The unmasked data of one session, read inside the audited "session.reveal" action.
-- Minimum PostgreSQL: 9.4.
SELECT
    s.data::text
FROM sessions.sessions AS s
WHERE s.session_id = @id
