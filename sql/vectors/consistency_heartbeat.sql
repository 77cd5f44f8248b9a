-- A running check says it is alive and how far it got. No row back: the run is no longer 'running' here (marked
-- interrupted after a pause longer than the stale limit), and the process must stop it. cancel_requested_by set: stop.
UPDATE orchestra_admin.vector_consistency_runs
SET heartbeat_at = now(),
    sampled = @sampled,
    compared = @compared
WHERE id = @id
  AND status = 'running'
RETURNING cancel_requested_by
