-- Ends a running check: completed, failed (with the message), cancelled or interrupted, with what it found.
UPDATE orchestra_admin.vector_consistency_runs
SET status = @status,
    finished_at = now(),
    heartbeat_at = now(),
    sampled = @sampled,
    compared = @compared,
    error = @error,
    result = @result::jsonb
WHERE id = @id
  AND status = 'running'
RETURNING id
