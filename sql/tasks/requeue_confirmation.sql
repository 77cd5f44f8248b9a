-- A requeue's confirmation as the run starts (Features/Tasks/TaskActions): who confirmed it, how many tasks it pinned, when,
-- whether it is still valid, and whether the run asks for the same request (filter or ids) it was made for.
-- Minimum PostgreSQL: 10.
SELECT
    c.actor,
    c.matched,
    c.confirmed_at,
    c.expires_at,
    c.expires_at > now() AS live,
    c.request = @request::jsonb AS same_request
FROM orchestra_admin.requeue_confirmations AS c
WHERE c.id = @confirmation_id
