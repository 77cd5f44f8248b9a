-- Asks a running check to stop, from any instance: its process sees it at its next heartbeat.
UPDATE orchestra_admin.vector_consistency_runs
SET cancel_requested_by = COALESCE(cancel_requested_by, @actor)
WHERE id = @id
  AND status = 'running'
RETURNING id
