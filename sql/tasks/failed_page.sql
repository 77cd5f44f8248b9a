-- One page of the failed list, newest failure first, by keyset on (failed time, id), never OFFSET.
-- "Failed time" is completed_at (workers set it when a task ends, failed or not); a NULL one is -infinity so the
-- keyset has a total order (such tasks come last). Template: the service fills /*filters*/ with fixed "AND …" lines
-- (Features/Tasks/TaskFilterSql: task type, error ILIKE, payload @>, priority, created/failed ranges, fingerprint,
-- the keyset condition) and /*direction*/ with DESC (next page) or ASC (previous page, reversed in memory); every
-- value is a bound parameter. @limit is the page size + 1 (the extra row says whether there is a further page).
-- Served by the advised partial index on (COALESCE(completed_at, '-infinity') DESC, id DESC) WHERE status = 'failed';
-- without it, a scan of the table under the statement timeout.
-- Minimum PostgreSQL: 10.
-- Idea: keyset pagination ("Use The Index, Luke": the seek method with row values).
SELECT
    t.id,
    t.task_type,
    COALESCE(t.priority, 0) AS priority,
    COALESCE(t.created_at, '-infinity'::timestamptz) AS created_at,
    t.completed_at AS failed_at,
    COALESCE(t.completed_at, '-infinity'::timestamptz) AS sort_at,
    left(split_part(t.error, E'\n', 1), 300) AS error_first_line,
    orchestra_admin.error_fingerprint(t.error) AS fingerprint
FROM task_queue AS t
WHERE t.status = 'failed'
/*filters*/
ORDER BY COALESCE(t.completed_at, '-infinity'::timestamptz) /*direction*/, t.id /*direction*/
LIMIT @limit
