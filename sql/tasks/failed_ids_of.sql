-- The tasks a requeue by ids will work through: those of the given ids that are failed now (by primary key).
-- Minimum PostgreSQL: 10.
SELECT t.id
FROM task_queue AS t
WHERE t.id = ANY(@ids)
  AND t.status = 'failed'
ORDER BY t.id
