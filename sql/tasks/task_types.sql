-- The task types, for the filter's list when no sampler round has counted them yet: a loose index scan would need an
-- index on task_type, which the stack lacks, so this reads the table once (cached per sampler round by the service).
-- Minimum PostgreSQL: 10.
SELECT DISTINCT t.task_type
FROM task_queue AS t
ORDER BY t.task_type
