-- One page of sessions for the list, by keyset on (sort time, session_id), never OFFSET.
-- This file is a template: SessionsService fills three markers with fixed fragments from code (never
-- with input; every value is a bound parameter):
--   /*filters*/    zero or more "AND ..." lines (SessionsService.Fragments): user_id = @user_id or
--                  LIKE @user_prefix (its % and _ escaped), the status, ip_address <<= @network::inet
--                  (inet containment), user_agent ILIKE @ua_pattern, created/expires ranges, and the
--                  keyset condition (sort_key, s.session_id) < or > (@cursor_at, @cursor_id).
--   /*sort_key*/   COALESCE(s.created_at, '-infinity'), the same on updated_at, or s.expires_at
--                  (NOT NULL in the schema, so the bare column: an index on (expires_at, session_id) serves it).
--   /*direction*/  ASC or DESC (reversed to read the previous page).
-- NULL created/updated times are -infinity everywhere (order, comparison, cursor, row): a total order.
-- The status is computed against now(), as the stack does: revoked (deleted_at set) wins over expired.
-- @limit is the page size + 1: the extra row says whether there is a further page.
-- The user agent is read only as far as the list parses and shows it (@user_agent_chars: UserAgentParser.MaxLength
-- + 1, the one more saying it was cut): any user of the stack sets their own, and 1,000 rows of 64 KB are 64 MB.
-- The stack's table has no index but its primary key: every page sorts the filtered table (a top-N
-- sort), at the same cost at any depth; see docs/benchmarks.md for the index that makes it ~1 ms.
-- Minimum PostgreSQL: 9.4.
-- Idea: keyset pagination ("Use The Index, Luke": the seek method with row values).
SELECT
    s.session_id,
    s.user_id,
    host(s.ip_address) AS ip_address,
    left(s.user_agent, @user_agent_chars) AS user_agent,
    COALESCE(s.created_at, '-infinity'::timestamptz) AS created_at,
    COALESCE(s.updated_at, '-infinity'::timestamptz) AS updated_at,
    s.expires_at,
    s.deleted_at,
    CASE
        WHEN s.deleted_at IS NOT NULL THEN 'Revoked'
        WHEN s.expires_at <= now() THEN 'Expired'
        ELSE 'Active'
    END AS status
FROM sessions.sessions AS s
WHERE TRUE
/*filters*/
ORDER BY /*sort_key*/ /*direction*/, s.session_id /*direction*/
LIMIT @limit
