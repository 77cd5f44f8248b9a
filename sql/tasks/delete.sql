-- Delete tasks, returning each full row as it was (the audit log keeps them: nothing is lost). Never a running task
-- (its worker still owns it: requeue it as stuck first); rows another transaction holds are skipped.
-- Minimum PostgreSQL: 9.5.
WITH picked AS (
    SELECT t.id
    FROM task_queue AS t
    WHERE t.id = ANY(@ids)
      AND COALESCE(t.status, 'pending') <> 'running'
    FOR UPDATE SKIP LOCKED
)
DELETE FROM task_queue AS t
USING picked AS p
WHERE t.id = p.id
RETURNING t.id, to_jsonb(t.*)::text AS previous_json
