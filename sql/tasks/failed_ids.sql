-- The tasks a requeue by filter will work through: the ids of the failed tasks matching now, read once at the start
-- (then each batch takes its ids by primary key, so no batch scans the table again). Template: /*filters*/ as in
-- failed_page.sql. Under OrchestraAdmin:Tasks:RequeueScanTimeoutSeconds.
-- Minimum PostgreSQL: 10.
SELECT t.id
FROM task_queue AS t
WHERE t.status = 'failed'
/*filters*/
ORDER BY t.id
