-- The dry run of a requeue by filter: how many failed tasks match now. Template: /*filters*/ as in failed_page.sql.
-- Runs under the requeue's own timeout (OrchestraAdmin:Tasks:RequeueScanTimeoutSeconds): on a large table without
-- the advised index it scans task_queue.
-- Minimum PostgreSQL: 10.
SELECT COUNT(*)
FROM task_queue AS t
WHERE t.status = 'failed'
/*filters*/
