-- Cancel pending tasks (pending → cancelled), guarded by status = 'pending' and locked FOR UPDATE SKIP LOCKED (a
-- worker taking one right now holds it: skipped). Returns the rows as they were (for the audit log).
-- Minimum PostgreSQL: 9.5.
WITH picked AS (
    SELECT t.id, t.task_type, t.status, t.priority
    FROM task_queue AS t
    WHERE t.id = ANY(@ids)
      AND COALESCE(t.status, 'pending') = 'pending'
    FOR UPDATE SKIP LOCKED
), updated AS (
    UPDATE task_queue AS t
    SET status = 'cancelled'
    FROM picked AS p
    WHERE t.id = p.id
    RETURNING t.id
)
SELECT p.id, to_jsonb(p)::text AS previous_json
FROM picked AS p
JOIN updated AS u ON u.id = p.id
